/**
 * Requests the SDK makes by itself (catching up on a conversation, registering
 * this device at connect) meet the gateway's quotas like any other: a
 * `rate_limited` answer is waited out when the gateway's `retryAfter` is short,
 * and handed to the caller when it is long or the tries are used up, so a
 * client never spins against a quota.
 */
import { ParleyError } from "./errors.js";

/** How {@link retryRateLimited} waits. */
export interface RateLimitRetryOptions {
  /** Tries in all, the first included. @default 3 */
  tries?: number;
  /** The longest `retryAfter` waited out, seconds; a longer one is handed to the caller at once. @default 30 */
  maxWaitSeconds?: number;
  /** Stops waiting (the last error is thrown) once this answers true, e.g. the client closed. */
  stopped?: () => boolean;
  /** @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `request`; on `rate_limited` waits the gateway's `retryAfter` (at least 1 s) and tries again. */
export async function retryRateLimited<T>(request: () => Promise<T>, options: RateLimitRetryOptions = {}): Promise<T> {
  const tries = options.tries ?? 3;
  const maxWait = options.maxWaitSeconds ?? 30;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      if (!(err instanceof ParleyError) || err.code !== "rate_limited") throw err;
      const wait = Math.max(1, err.retryAfter ?? 1);
      if (attempt >= tries || wait > maxWait || options.stopped?.()) throw err;
      await sleep(wait * 1000);
      if (options.stopped?.()) throw err;
    }
  }
}
