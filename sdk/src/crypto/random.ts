/**
 * Random bytes from the platform CSPRNG (`crypto.getRandomValues`, in browsers
 * and Node 19+ alike). Used for nonces, keys and ids instead of libsodium's
 * `randombytes_buf`, which is about 30 times slower through the wasm boundary.
 */

/** `getRandomValues` fills at most 65,536 bytes per call (a QuotaExceededError beyond). */
const MAX_CHUNK = 65_536;

/** `n` random bytes from the platform CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`randomBytes: invalid length ${n}`);
  const out = new Uint8Array(n);
  for (let offset = 0; offset < n; offset += MAX_CHUNK) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(offset + MAX_CHUNK, n)));
  }
  return out;
}
