import { Logger } from '@nestjs/common';
import type { IEntryNestModule } from '@nestjs/core/nest-factory.js';
import { ConfigValidationError, parseEnv, type ServiceName } from '../config/env.schema.js';
import { createServiceApp } from './service.factory.js';

/**
 * `main.ts` of every service: validate the environment first (one clear line and exit 1
 * when it is wrong), then build the app, listen, and print where it is.
 */
export async function bootstrapService(service: ServiceName, rootModule: IEntryNestModule): Promise<void> {
  let config;
  try {
    config = parseEnv(process.env, service);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`[${service}] invalid configuration: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }

  try {
    const app = await createServiceApp(rootModule, { adapter: config.httpAdapter, title: `${service} service` });
    await app.listen(config.port, config.host);
    new Logger(service).log(`listening on ${await app.getUrl()} (docs at /docs, health at /health)`);
  } catch (error) {
    process.stderr.write(`[${service}] failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
