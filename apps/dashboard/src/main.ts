import 'reflect-metadata';
import { bootstrapService, ConfigValidationError } from '@app/platform';
import { AppModule } from './app.module.js';
import { parseDashboardEnv } from './dashboard.config.js';

// The dashboard's own variables are checked before Nest starts, so a bad one is one clear line too.
try {
  parseDashboardEnv(process.env);
} catch (error) {
  if (!(error instanceof ConfigValidationError)) throw error;
  process.stderr.write(`[dashboard] invalid configuration: ${error.message}\n`);
  process.exit(1);
}

await bootstrapService('dashboard', AppModule);
