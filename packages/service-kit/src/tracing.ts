import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { RequestHandler } from 'express';

export interface Tracing {
  tracer: Tracer;
  shutdown(): Promise<void>;
}

/**
 * Registers a tracer provider with W3C trace-context propagation. Dapr sidecars
 * forward `traceparent`, so a request keeps one trace id across every hop.
 */
export function startTracing(service: string, zipkinEndpoint?: string): Tracing {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
    spanProcessors: zipkinEndpoint
      ? [new BatchSpanProcessor(new ZipkinExporter({ url: zipkinEndpoint, serviceName: service }))]
      : [],
  });
  provider.register();
  return {
    tracer: trace.getTracer(service),
    shutdown: () => provider.shutdown(),
  };
}

/** A server span per request, child of the caller's `traceparent` when there is one. */
export function tracingMiddleware(tracer: Tracer): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(
      `${req.method} ${req.path}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'url.path': req.path },
      },
      parent,
    );
    res.on('finish', () => {
      const route = req.route?.path;
      if (route) span.updateName(`${req.method} ${req.baseUrl}${route}`);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

/** Headers that carry the active trace to the next hop (used by every outgoing Dapr call). */
export function traceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

export function activeTraceId(): string | undefined {
  return trace.getActiveSpan()?.spanContext().traceId;
}

/** The active trace as a W3C `traceparent`, to store with work that will run later. */
export function activeTraceparent(): string | undefined {
  return traceHeaders().traceparent;
}

/**
 * Runs `work` in a new span that continues a stored `traceparent`, so that work done later (a
 * queued task, on any replica) joins the trace of the request that asked for it.
 */
export function continueTrace<T>(
  name: string,
  traceparent: string | undefined,
  work: () => Promise<T>,
): Promise<T> {
  const parent = traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
  const span = trace.getTracer('vidp').startSpan(name, { kind: SpanKind.INTERNAL }, parent);
  return context.with(trace.setSpan(parent, span), async () => {
    try {
      return await work();
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw err;
    } finally {
      span.end();
    }
  });
}
