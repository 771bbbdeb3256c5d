/**
 * Random bytes for values that go out in the clear (message and request ids,
 * AEAD nonces), drawn from the platform CSPRNG a block at a time. In Node a
 * `getRandomValues` call costs about the same for 16 bytes as for 4 KiB
 * (5-7 us), and a send made three of them; here one call serves about 170
 * sends. Every byte of a block is handed out once, in order, so no two takes
 * share a byte and a nonce is never repeated. Never for keys or other secrets:
 * those would sit in the block until taken (use `randomBytes`, crypto/random.ts).
 */

/** Bytes fetched per `getRandomValues` call. */
export const RANDOM_POOL_BYTES = 4096;
/** The most one take may ask for: a small fraction of a block, so refills stay rare. */
export const MAX_PUBLIC_RANDOM_BYTES = 64;

/** A block of CSPRNG output handed out front to back; refilled once what is left cannot serve a take. */
export class RandomPool {
  readonly #fill: (block: Uint8Array) => void;
  readonly #block: Uint8Array;
  /** Where the next take starts; the block's length means empty. */
  #offset: number;

  /** `fill` fills a block with random bytes (the platform CSPRNG unless a test passes its own). */
  constructor(
    fill: (block: Uint8Array) => void = (b) => globalThis.crypto.getRandomValues(b),
    size = RANDOM_POOL_BYTES,
  ) {
    this.#fill = fill;
    this.#block = new Uint8Array(size);
    this.#offset = size;
  }

  /** `n` bytes no earlier take had (0 to {@link MAX_PUBLIC_RANDOM_BYTES}). */
  take(n: number): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0 || n > MAX_PUBLIC_RANDOM_BYTES || n > this.#block.length) {
      throw new RangeError(`publicRandomBytes: invalid length ${n}`);
    }
    if (this.#offset + n > this.#block.length) {
      this.#fill(this.#block);
      this.#offset = 0;
    }
    const out = this.#block.slice(this.#offset, this.#offset + n);
    this.#offset += n;
    return out;
  }
}

const shared = new RandomPool();

/** `n` (at most 64) fresh random bytes for a value sent in the clear: an id or a nonce, never a key. */
export function publicRandomBytes(n: number): Uint8Array {
  return shared.take(n);
}
