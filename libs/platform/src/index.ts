export { serviceConfigSchema, portVariable, loadConfig, ConfigError, type ServiceConfig } from './config.js';
export { errorResponse, uuid, ZodValidation } from './validation.js';
export { Clock, SystemClock } from './clock.js';
export { runService } from './bootstrap.js';
export { databaseOptions, bigintAsNumber } from './database.js';
export { SagaServiceModule, type SagaServiceOptions } from './saga-service.module.js';
export { afterCommit } from './after-commit.js';
export { openApiDocument } from './api-docs.js';
