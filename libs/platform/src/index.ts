export {
  serviceConfigSchema,
  portVariable,
  loadConfig,
  configProblems,
  consumerGroupOf,
  ConfigError,
  type ServiceConfig,
} from './config.js';
export { Caller, Principal, Public, Roles, type Role } from './identity.js';
export { DEMO_ISSUER, issueDemoToken, signWithDemoKey } from './demo-issuer.js';
export { errorResponse, uuid, ZodValidation } from './validation.js';
export { Clock, SystemClock } from './clock.js';
export { Readiness } from './readiness.js';
export { runService } from './bootstrap.js';
export { databaseOptions, bigintAsNumber } from './database.js';
export { SagaServiceModule, type SagaServiceOptions } from './saga-service.module.js';
export { afterCommit } from './after-commit.js';
export { openApiDocument } from './api-docs.js';
