/**
 * Times every store call, whatever the adapter (embedded SQLite or MongoDB):
 * the store is wrapped once when the gateway is assembled, and each method's
 * time lands in `parley_store_duration_seconds{operation, store}` (failures
 * also in `parley_store_errors_total`). The operation label is the method's
 * name, a fixed set.
 */
import type { Store } from "../store/port.js";
import type { GatewayMetrics } from "./metrics.js";

/** Methods not timed: lifecycle, and `sharedLimiter`, which only builds a limiter object. */
const UNTIMED = new Set(["constructor", "init", "close", "sharedLimiter"]);

/**
 * The methods and getters of `store`: its own properties (adapters define many methods as arrow-function
 * fields) and its class chain's, up to Object.prototype.
 */
function members(store: object): Map<string, PropertyDescriptor> {
  const found = new Map<string, PropertyDescriptor>();
  for (let proto: object | null = store; proto && proto !== Object.prototype; ) {
    for (const name of Object.getOwnPropertyNames(proto)) {
      const d = Object.getOwnPropertyDescriptor(proto, name);
      if (d && !found.has(name)) found.set(name, d);
    }
    proto = Object.getPrototypeOf(proto);
  }
  return found;
}

/**
 * A store that behaves as `store` and reports each call's time to `metrics`. Methods run with the
 * original store as `this` (adapters keep private fields); own properties such as `kind` read through.
 */
export function timedStore(store: Store, metrics: GatewayMetrics): Store {
  const kind = store.kind;
  const timed = Object.create(store) as Record<string, unknown>;
  for (const [name, d] of members(store)) {
    if (d.get) {
      Object.defineProperty(timed, name, { get: () => d.get?.call(store) });
      continue;
    }
    if (typeof d.value !== "function") continue;
    const fn = d.value as (...args: unknown[]) => unknown;
    if (UNTIMED.has(name)) {
      timed[name] = fn.bind(store);
      continue;
    }
    timed[name] = (...args: unknown[]) => {
      const started = performance.now();
      const done = (failed: boolean) => metrics.store(name, kind, (performance.now() - started) / 1000, failed);
      let result: unknown;
      try {
        result = fn.apply(store, args);
      } catch (err) {
        done(true);
        throw err;
      }
      if (result instanceof Promise) {
        return result.then(
          (value) => {
            done(false);
            return value;
          },
          (err: unknown) => {
            done(true);
            throw err;
          },
        );
      }
      done(false);
      return result;
    };
  }
  return timed as unknown as Store;
}
