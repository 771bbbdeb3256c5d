/**
 * The types shared by the libsodium loader (sodium.ts) and its two backends
 * behind `#native-sodium` (native-sodium.ts, no-native-sodium.ts). They live
 * here, apart from the loader, so that the backends need not import the module
 * that imports them.
 */
import type * as SodiumModule from "libsodium-wrappers";

/** The ready libsodium API (the wrappers' default export after `ready`). */
export type Sodium = typeof SodiumModule.default;

/** Where libsodium runs: native libsodium (`sodium-native`, Node only) or the wasm build. */
export type SodiumBackend = "native" | "wasm";
