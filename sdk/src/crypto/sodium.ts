/**
 * Loads libsodium on first use. `libsodium-wrappers` inlines its wasm (about
 * 150 KB gzipped), so it is imported dynamically: bundlers split it into its
 * own chunk, and a page that never opens a chat never downloads it.
 */
import type * as SodiumModule from "libsodium-wrappers";

/** The ready libsodium API (the wrappers' default export after `ready`). */
export type Sodium = typeof SodiumModule.default;

let loading: Promise<Sodium> | undefined;

/**
 * Resolves the initialised library; the import and the wasm start-up happen
 * once per realm, later calls share the same promise. A failed load is not
 * cached, so a later call may try again (for example after a network error in
 * a browser fetching the chunk).
 */
export function loadSodium(): Promise<Sodium> {
  loading ??= importSodium().catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

async function importSodium(): Promise<Sodium> {
  const sodium = pickModule(await import("libsodium-wrappers"));
  await sodium.ready;
  if (typeof sodium.crypto_aead_xchacha20poly1305_ietf_encrypt !== "function") {
    throw new Error("libsodium-wrappers loaded but did not initialise its crypto functions");
  }
  return sodium;
}

/**
 * The API object sits on `default` in the ESM build, on the namespace itself
 * when a bundler hands over the CommonJS build, and on `default.default` when a
 * bundler wraps CommonJS in an ESM namespace twice. The crypto functions appear
 * on that object only once `ready` resolves, so only `ready` is probed here.
 */
function pickModule(mod: unknown): Sodium {
  const candidates = [
    (mod as { default?: unknown } | null)?.default,
    (mod as { default?: { default?: unknown } } | null)?.default?.default,
    mod,
  ];
  for (const candidate of candidates) {
    if (candidate !== null && typeof candidate === "object" && "ready" in candidate) {
      return candidate as Sodium;
    }
  }
  throw new Error("libsodium-wrappers has an unexpected module shape");
}
