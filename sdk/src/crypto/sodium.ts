/**
 * Loads libsodium on first use. `libsodium-wrappers` inlines its wasm (about
 * 150 KB gzipped), so it is imported dynamically: bundlers split it into its
 * own chunk, and a page that never opens a chat never downloads it.
 *
 * In Node the per-message functions (Ed25519 sign and verify,
 * XChaCha20-Poly1305) and sealed boxes run on native libsodium when the
 * optional `sodium-native` package loads, with the same results, two to five
 * times as fast (native-sodium.ts, ADR 0013). The choice is the resolver's: `#native-sodium` in the SDK's
 * package.json maps to native-sodium.ts under the "node" condition and to
 * no-native-sodium.ts everywhere else, so browser bundles never contain it.
 * Without sodium-native, or with `PARLEY_SODIUM=wasm` in the environment,
 * everything runs on the wasm build.
 */

import { loadNativeSodium, sodiumBackendFromEnv } from "#native-sodium";
import type { Sodium, SodiumBackend } from "./sodium-types.js";

export type { Sodium, SodiumBackend } from "./sodium-types.js";

/** Caches a load; a failed load is not cached, so a later call may try again. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
}

const loadWasm = once(importWasm);
/** Undefined when there is no native backend here (browsers, or sodium-native missing or unloadable). */
const loadNative = once(async () => loadNativeSodium(await loadWasm()));
const loadPreferred = once(async () => {
  const wasm = await loadWasm();
  if (sodiumBackendFromEnv() === "wasm") return wasm;
  return (await loadNative()) ?? wasm;
});

/** Set by {@link withSodiumBackend} while it runs. */
let pinned: Promise<Sodium> | undefined;

/**
 * Resolves the initialised library: the native backend where it loads, else
 * the wasm build. The import and the wasm start-up happen once per realm,
 * later calls share the same promise. A failed load is not cached, so a later
 * call may try again (for example after a network error in a browser fetching
 * the chunk).
 */
export function loadSodium(): Promise<Sodium> {
  return pinned ?? loadPreferred();
}

/** The backend {@link loadSodium} resolves to (loading libsodium if it has not been loaded yet). */
export async function sodiumBackend(): Promise<SodiumBackend> {
  const [active, wasm] = await Promise.all([loadSodium(), loadWasm()]);
  return active === wasm ? "wasm" : "native";
}

/**
 * One backend explicitly, for tests and benchmarks that compare them. Rejects
 * for "native" where sodium-native does not load.
 */
export async function loadSodiumBackend(backend: SodiumBackend): Promise<Sodium> {
  if (backend === "wasm") return loadWasm();
  const native = await loadNative();
  if (!native) throw new Error("sodium-native does not load here: there is no native libsodium backend");
  return native;
}

/**
 * Runs `task` with every {@link loadSodium} in this realm resolving to
 * `backend` until it settles (the benchmark measures both backends this way).
 * Meant for one task at a time: other code loading libsodium meanwhile gets the
 * same backend, which computes the same results at another speed.
 */
export async function withSodiumBackend<T>(backend: SodiumBackend, task: () => Promise<T>): Promise<T> {
  const sodium = loadSodiumBackend(backend);
  await sodium;
  const previous = pinned;
  pinned = sodium;
  try {
    return await task();
  } finally {
    pinned = previous;
  }
}

async function importWasm(): Promise<Sodium> {
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
