/**
 * The routes an Express app serves, read from its router stack (Express 5,
 * router 2): each route's method and full path, mounted routers' prefixes
 * included. What the OpenAPI route check compares the route table with.
 */
import type express from "express";

/** One route: `GET /v1/files/:id`. */
export interface ServedRoute {
  method: string;
  path: string;
}

/** The parts of router 2's layers read here (not in Express's types). */
interface Layer {
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

function walk(stack: readonly Layer[], prefix: string, out: ServedRoute[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const path = String(layer.route.path);
      for (const [method, on] of Object.entries(layer.route.methods)) {
        if (on && method !== "_all")
          out.push({ method: method.toUpperCase(), path: path === "/" ? prefix : prefix + path });
      }
    } else if (layer.handle?.stack && typeof layer.rawPath === "string") {
      walk(layer.handle.stack, layer.rawPath === "/" ? prefix : prefix + layer.rawPath, out);
    }
  }
}

/** Every route `app` serves, in registration order (middleware without a path is not a route). */
export function servedRoutes(app: express.Express): ServedRoute[] {
  const out: ServedRoute[] = [];
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, "", out);
  return out;
}
