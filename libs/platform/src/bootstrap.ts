import { Logger, type DynamicModule, type INestApplication, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { KafkaInboxServer } from '@saga/inbox';
import { serveApiDocs } from './api-docs.js';
import { ConfigError } from './config.js';
import { DatabaseUnavailableFilter } from './database-unavailable.filter.js';
import { securityHeaders, writeRateLimit } from './http-surface.js';
import { requestLog, SagaLogger, type LogFormat } from './logger.js';
import { ZodValidation } from './validation.js';

const levels: LogLevel[] = ['error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Starts one service: HTTP on `port`, and the Kafka consumer behind its `@OnEvent` handlers.
 * `createModule` reads the configuration; a ConfigError ends the process with the list of problems.
 */
export async function runService(
  name: string,
  createModule: () => {
    module: DynamicModule;
    port: number;
    host: string;
    logLevel: LogLevel;
    logFormat: LogFormat;
    /** Writes one client may make a minute (RATE_LIMIT_WRITES_PER_MINUTE); 0: no limit. */
    writesPerMinute: number;
    /** Origins other than its own that a page the service serves may call (the Content-Security-Policy). */
    connectTo?: string[];
  },
): Promise<INestApplication> {
  let root: ReturnType<typeof createModule>;
  try {
    root = createModule();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${name} service cannot start. ${error.message}`);
    process.exit(78); // EX_CONFIG
  }

  const app = await NestFactory.create<NestExpressApplication>(root.module, {
    logger: new SagaLogger(name, root.logFormat, levels.slice(0, levels.indexOf(root.logLevel) + 1)),
    // A literal path beats a parameter whatever the declaration order: GET /orders/stream is not /orders/:id.
    routeResolutionStrategy: 'specificity',
  });
  app.enableShutdownHooks();
  app.use(requestLog()); // first, so that it logs the requests refused by what follows too
  app.use(securityHeaders(root.connectTo));
  app.use(writeRateLimit(root.writesPerMinute));
  app.useGlobalFilters(new DatabaseUnavailableFilter(app.getHttpAdapter()));
  app.useGlobalPipes(new ZodValidation());
  serveApiDocs(app, name);
  app.connectMicroservice({ strategy: app.get(KafkaInboxServer) });
  // Init first: it runs the migrations and creates the topics, which the consumer subscribes to next.
  await app.init();
  await app.startAllMicroservices();
  await app.listen(root.port, root.host);
  new Logger(name).log(`${name} service listening on http://${root.host}:${root.port}`);
  return app;
}
