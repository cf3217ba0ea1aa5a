import type { INestApplication } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import type { IEntryNestModule } from '@nestjs/core/nest-factory.js';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { HttpAdapterName } from '../config/env.schema.js';
import { MAX_BODY_BYTES } from '../http/http.options.js';
import { StrictValidationPipe } from '../http/strict-validation.pipe.js';
import { DatabaseExceptionFilter } from '../database/database-exception.filter.js';

/**
 * Express's JSON parser keeps `__proto__` and `constructor.prototype` keys that Fastify's
 * refuses (a 400): this reviver refuses them the same way, so both adapters answer alike and
 * such keys never reach class-transformer.
 */
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__' || (key === 'constructor' && typeof value === 'object' && value !== null && Object.hasOwn(value, 'prototype'))) {
    throw new SyntaxError('Object contains forbidden prototype property');
  }
  return value;
}

export interface ServiceAppOptions {
  adapter: HttpAdapterName;
  title: string;
  logger?: false | ('error' | 'warn' | 'log')[];
}

/**
 * Creates a service's Nest app on Fastify (default, for speed) or Express, with the
 * validation, error mapping and OpenAPI (`/docs`) every service shares. Used by `main.ts`
 * and by the e2e tests, so both run the same configuration.
 */
export async function createServiceApp(rootModule: IEntryNestModule, options: ServiceAppOptions): Promise<INestApplication> {
  const logger = options.logger ?? ['error', 'warn', 'log'];
  const app =
    options.adapter === 'express'
      ? await NestFactory.create<NestExpressApplication>(rootModule, new ExpressAdapter(), { logger, bodyParser: false })
      : await NestFactory.create<NestFastifyApplication>(rootModule, new FastifyAdapter({ bodyLimit: MAX_BODY_BYTES }), {
          logger,
        });
  if (options.adapter === 'express') {
    (app as NestExpressApplication).useBodyParser('json', { limit: MAX_BODY_BYTES, reviver: refusePrototypeKeys });
  }

  app.useGlobalPipes(
    new StrictValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
    }),
  );
  app.useGlobalFilters(new DatabaseExceptionFilter(app.get(HttpAdapterHost).httpAdapter));
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder().setTitle(options.title).setDescription('Redis caching patterns in NestJS').build(),
  );
  SwaggerModule.setup('docs', app, document);
  await app.init();
  return app;
}
