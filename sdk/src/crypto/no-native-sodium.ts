/**
 * `#native-sodium` outside Node (browsers, workers, other runtimes): there is
 * no native backend, so the wasm build of libsodium serves every call and
 * nothing here can reach `sodium-native`. The Node version is native-sodium.ts.
 */
import type { Sodium, SodiumBackend } from "./sodium-types.js";

export function sodiumBackendFromEnv(): SodiumBackend | undefined {
  return undefined;
}

export async function loadNativeSodium(_wasm: Sodium): Promise<Sodium | undefined> {
  return undefined;
}
