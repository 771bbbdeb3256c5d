// Types for sodium-prune.mjs (the frame build's libsodium trim), for the tests that import it.

/** Every libsodium call name (crypto_*, randombytes_*, sodium_*) written in the .ts files under the given folders. */
export function sodiumCallsIn(folders: string[]): Promise<Set<string>>;

/** The wrappers' module text with its table of calls cut down to the names in `keep`, and the names left out. */
export function pruneSodiumWrappers(text: string, keep: Set<string>): { text: string; dropped: string[] };

/** The libsodium wasm without the exports of the given calls and the code only they reached, and the names whose export went. */
export function trimSodiumWasm(
  wasm: Uint8Array,
  glue: string,
  dropped: string[],
): Promise<{ wasm: Buffer; removed: string[] }>;

/** Throws if the built code reads a libsodium call whose wasm export was removed. */
export function checkSodiumChunk(code: string, removed: string[]): void;
