import { collectDefaultMetrics, Registry } from 'prom-client';

const g = globalThis as { vidpRegistry?: Registry };

/** One registry per process (route modules may be loaded more than once). */
export const registry: Registry =
  g.vidpRegistry ??
  (() => {
    const r = new Registry();
    r.setDefaultLabels({ service: 'frontend' });
    collectDefaultMetrics({ register: r });
    g.vidpRegistry = r;
    return r;
  })();
