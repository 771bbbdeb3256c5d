/**
 * What an on-demand panel gets from the chat that loads it: Lit's element
 * class and template tags. Panels import these only as types and take the
 * values from the kit, so their chunks import nothing of the chat's own code
 * and the bundler never has to split the chat's first load to share it with
 * them (a split costs about 600 gzip bytes of the "on open" budget).
 */
import type { css, html, LitElement } from "lit";

/** Lit, handed to a panel by its host (`components/panel-kit.ts` builds it). */
export interface PanelKit {
  /** Lit's base element class. */
  LitElement: typeof LitElement;
  /** Lit's `html` template tag. */
  html: typeof html;
  /** Lit's `css` tag. */
  css: typeof css;
  /** Lit's "render nothing" value (typed loosely, as the chat's kit object infers it). */
  nothing: symbol;
}

/** Reads an SDK error without importing the SDK: its class name, gateway code and wait. */
export function errorOf(err: unknown): { offline: boolean; code: string | undefined; retryAfter: number | undefined } {
  const e = (err ?? {}) as { name?: unknown; code?: unknown; retryAfter?: unknown };
  const offline = e.name === "ConnectionLostError" || e.name === "NotConnectedError" || e.code === "unavailable";
  return {
    offline,
    code: e.name === "ParleyError" && typeof e.code === "string" ? e.code : undefined,
    retryAfter: typeof e.retryAfter === "number" ? e.retryAfter : undefined,
  };
}
