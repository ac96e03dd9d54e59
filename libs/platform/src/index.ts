export { serviceConfigSchema, portVariable, loadConfig, ConfigError } from './config.js';
export { ZodValidation } from './validation.js';
export { Clock, SystemClock } from './clock.js';
export { runService } from './bootstrap.js';
export { databaseOptions, bigintAsNumber } from './database.js';
