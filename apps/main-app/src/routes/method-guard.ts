import { HttpError } from '@vidp/service-kit';
import type { RequestHandler } from 'express';

const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete', 'options', 'trace'] as const;

interface Route {
  pattern: RegExp;
  allow: string[];
  /** OPTIONS is documented: a route of the path answers it (tus's capability discovery). */
  ownOptions: boolean;
}

/** `/api/videos/{id}` → a pattern matching one path segment per parameter. */
function patternOf(template: string): RegExp {
  const escaped = template
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${escaped}/?$`);
}

/**
 * Methods per path, from the OpenAPI document's `paths` (the document is the route table,
 * so a route cannot exist undocumented): a method a path does not have answers 405 with
 * `Allow`, and OPTIONS, where no route takes it, answers 204 with `Allow`. Paths that are
 * not in the document go on (to a 404).
 */
export function methodGuard(paths: Record<string, Partial<Record<string, unknown>>>): RequestHandler {
  const routes: Route[] = Object.entries(paths).map(([template, ops]) => {
    const documented = METHODS.filter((m) => ops[m] !== undefined).map((m) => m.toUpperCase());
    const allow = new Set(documented);
    if (allow.has('GET')) allow.add('HEAD');
    allow.add('OPTIONS');
    return { pattern: patternOf(template), allow: [...allow], ownOptions: documented.includes('OPTIONS') };
  });
  return (req, res, next) => {
    const route = routes.find((r) => r.pattern.test(req.path));
    if (!route) return next();
    const allowed = route.allow.includes(req.method);
    if (allowed && (req.method !== 'OPTIONS' || route.ownOptions)) return next();
    res.setHeader('allow', route.allow.join(', '));
    if (allowed) {
      res.status(204).end();
      return;
    }
    next(
      new HttpError(
        405,
        'Method Not Allowed',
        `${req.method} is not allowed here; this path takes ${route.allow.join(', ')}.`,
      ),
    );
  };
}
