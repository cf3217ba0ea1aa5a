export { createServiceApp, type ServiceAppOptions } from './bootstrap/service.factory.js';
export { bootstrapService } from './bootstrap/service.bootstrap.js';
export {
  ConfigValidationError,
  parseEnv,
  readIntegerEnv,
  SERVICE_DEFAULT_PORTS,
  type HttpAdapterName,
  type PlatformConfig,
  type ServiceName,
} from './config/env.schema.js';
export { PLATFORM_CONFIG, platformConfig } from './config/platform.config.js';
export { postgresOptions } from './database/postgres.options.js';
export { httpStatusOfDatabaseError } from './database/database-exception.filter.js';
export { EXTRA_HEALTH_CHECKS } from './health/health.constants.js';
export { MAX_BODY_BYTES } from './http/http.options.js';
export { PlatformModule, type PlatformModuleOptions } from './platform.module.js';
export { ParseIdPipe } from './http/parse-id.pipe.js';
export { runMigrationsLocked } from './database/migrations.runner.js';
export { QueryCountingLogger } from './database/query-counting.logger.js';
export { PageQuery } from './http/page.query.js';
export { Trim } from './http/trim.transform.js';
