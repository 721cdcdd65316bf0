import { randomUUID } from 'node:crypto';
import { type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { Registry } from 'prom-client';
import type { BaseConfig } from './config.js';
import { type Subscription, subscriptionRouter } from './dapr/pubsub.js';
import { Sidecar } from './dapr/sidecar.js';
import { notFoundHandler, problemHandler } from './errors.js';
import { healthRouter, type ReadinessCheck } from './health.js';
import { Lifecycle } from './lifecycle.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { sweepStaleTempDirs } from './temp-dir.js';
import { startTracing, type Tracing, tracingMiddleware } from './tracing.js';

// Probes and sidecar handshakes would drown the log.
const QUIET_PATHS = new Set(['/health', '/ready', '/metrics', '/dapr/config', '/dapr/subscribe']);

export interface ServiceContext<C extends BaseConfig = BaseConfig> {
  config: C;
  logger: Logger;
  sidecar: Sidecar;
  metrics: Registry;
  lifecycle: Lifecycle;
  tracing: Tracing;
  /** Adds a dependency to `/ready` (for checks that need the context to exist first). */
  addReadiness(check: ReadinessCheck): void;
}

export interface ServiceDefinition<C extends BaseConfig> {
  config: C;
  /** The service's own routes, mounted after health, metrics and tracing. */
  routes?(app: Express, ctx: ServiceContext<C>): void;
  /** Dependencies `/ready` checks besides the sidecar. */
  readiness?: ReadinessCheck[];
  subscriptions?: Subscription[];
}

export interface RunningService<C extends BaseConfig> {
  ctx: ServiceContext<C>;
  app: Express;
  server: Server;
  url: string;
  stop(reason?: string): Promise<void>;
}

export function sidecarCheck(sidecar: Sidecar): ReadinessCheck {
  return {
    name: 'dapr-sidecar',
    async check() {
      return (await sidecar.healthy())
        ? { ok: true }
        : { ok: false, reason: `sidecar not answering at ${sidecar.baseUrl}` };
    },
  };
}

/** Builds the Express app every VidP service shares: only its routes differ. */
export function buildService<C extends BaseConfig>(def: ServiceDefinition<C>) {
  const { config } = def;
  const logger = createLogger(config.SERVICE_NAME, config.LOG_LEVEL);
  const tracing = startTracing(config.SERVICE_NAME, config.ZIPKIN_ENDPOINT);
  const metrics = createMetrics(config.SERVICE_NAME);
  const sidecar = new Sidecar({
    host: config.DAPR_HOST,
    httpPort: config.DAPR_HTTP_PORT,
    apiToken: config.DAPR_API_TOKEN,
  });
  const lifecycle = new Lifecycle(logger, config.SHUTDOWN_TIMEOUT_MS);
  const checks: ReadinessCheck[] = [sidecarCheck(sidecar), ...(def.readiness ?? [])];
  const ctx: ServiceContext<C> = {
    config,
    logger,
    sidecar,
    metrics: metrics.registry,
    lifecycle,
    tracing,
    addReadiness: (check) => checks.push(check),
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(healthRouter(config.SERVICE_NAME, checks, () => lifecycle.isStopping));
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use(tracingMiddleware(tracing.tracer));
  app.use(metrics.middleware);
  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = (req.headers['x-request-id'] as string | undefined)?.slice(0, 128) || randomUUID();
        res.setHeader('x-request-id', id);
        return id;
      },
      // A successful read is a debug line: at hundreds of reads a second, logging each costs
      // more CPU than answering it (metrics and traces count them anyway). Writes and
      // failures stay at info and above.
      customLogLevel: (req, res, err) =>
        err || res.statusCode >= 500
          ? 'error'
          : res.statusCode >= 400
            ? 'warn'
            : req.method === 'GET' || req.method === 'HEAD'
              ? 'debug'
              : 'info',
      autoLogging: { ignore: (req) => QUIET_PATHS.has(req.url ?? '') },
    }),
  );
  // daprd asks every app for these at start; answering avoids 404 noise.
  app.use(subscriptionRouter(def.subscriptions ?? [], logger));
  app.get('/dapr/config', (_req, res) => {
    res.json({});
  });
  def.routes?.(app, ctx);
  app.use(notFoundHandler);
  app.use(problemHandler(logger));
  return { app, ctx };
}

/**
 * What Node answers before any route sees a request (headers over 16 KiB, a malformed
 * request line), said as problem+json like every other refusal, then the connection closes.
 */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable || (err.code === 'ECONNRESET' && !socket.readable)) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const status = tooLarge ? 431 : timedOut ? 408 : 400;
  const detail = tooLarge
    ? 'The request headers are larger than this service accepts (16 KiB).'
    : timedOut
      ? 'The request headers took too long to arrive.'
      : 'The request is not valid HTTP.';
  const body = JSON.stringify({ type: 'about:blank', title: STATUS_CODES[status], status, detail });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Builds the service, listens, and installs graceful shutdown on SIGTERM/SIGINT. */
export async function startService<C extends BaseConfig>(
  def: ServiceDefinition<C>,
): Promise<RunningService<C>> {
  const { app, ctx } = buildService(def);
  const { config, logger, lifecycle } = ctx;
  const removed = await sweepStaleTempDirs(config.TMP_DIR);
  if (removed.length) logger.warn({ removed }, 'removed the temp folders of processes that died mid-work');
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.PORT, config.HOST, () => resolve(s));
    s.once('error', reject);
  });
  // Uploads can be slow: no whole-request timeout; dead peers are caught by keep-alive.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.on('clientError', answerClientError);
  // Spans still buffered are sent if the collector is up; a stopped collector is not an error.
  lifecycle.onClose(() => ctx.tracing.shutdown().catch(() => undefined));
  const stop = (reason = 'requested') => lifecycle.stop(server, reason);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stop(signal).finally(() => process.exit(0));
    });
  }
  const url = `http://${config.HOST}:${config.PORT}`;
  logger.info({ url, daprHttpPort: config.DAPR_HTTP_PORT }, 'listening');
  return { ctx, app, server, url, stop };
}
