/**
 * `client.clock` (see clock-api.ts): the offset of this device's clock to the
 * gateway's, from a few `time.now` round trips. The estimate is NTP's: take
 * the sample with the shortest round trip and assume the gateway read its
 * clock halfway through it; whatever the split of the delay between the two
 * directions, the error is then at most half that round trip.
 */
import type { ClockEstimate, SharedClockApi } from "../clock-api.js";
import { ParleyError } from "../errors.js";
import { StateStore } from "../state-store.js";
import type { ClientCore } from "./core.js";

/** One `time.now` round trip, in local clock ms except `server`. */
export interface ClockSample {
  /** Local time the request went out. */
  sent: number;
  /** The gateway's reading. */
  server: number;
  /** Local time the reply came in. */
  received: number;
}

/** The most samples one sync takes. */
export const MAX_CLOCK_SAMPLES = 20;
/** Pause between two samples of one sync, ms. */
const SAMPLE_GAP_MS = 5;

/**
 * The offset (gateway minus local, ms) from the sample with the shortest
 * round trip: `server + rtt/2 - received`. Undefined without samples.
 */
export function estimateOffset(samples: readonly ClockSample[]): { offsetMs: number; rttMs: number } | undefined {
  let best: ClockSample | undefined;
  for (const s of samples) if (!best || s.received - s.sent < best.received - best.sent) best = s;
  if (!best) return undefined;
  const rttMs = Math.max(0, best.received - best.sent);
  return { offsetMs: best.server + rttMs / 2 - best.received, rttMs };
}

/** The client's shared clock: samples the gateway on `sync`, again after each reconnect once asked to. */
export class SharedClock implements SharedClockApi {
  readonly estimate = new StateStore<ClockEstimate | undefined>(undefined);
  readonly #core: ClientCore;
  #running: Promise<ClockEstimate> | undefined;
  /** Whether `sync` was ever called: only then does a reconnect measure again. */
  #wanted = false;

  constructor(core: ClientCore) {
    this.#core = core;
  }

  now(): number {
    return Date.now() + (this.estimate.value?.offsetMs ?? 0);
  }

  sync(samples = 5): Promise<ClockEstimate> {
    if (!Number.isInteger(samples) || samples < 1 || samples > MAX_CLOCK_SAMPLES) {
      return Promise.reject(new ParleyError("bad_request", `samples must be a whole number 1..${MAX_CLOCK_SAMPLES}`));
    }
    this.#wanted = true;
    this.#running ??= this.#measure(samples).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** After a reconnect: measures again if the app ever asked for the clock (failures go to the `error` event). */
  resync(): void {
    if (this.#wanted) this.sync().catch(this.#core.report);
  }

  async #measure(count: number): Promise<ClockEstimate> {
    const taken: ClockSample[] = [];
    let failure: unknown;
    for (let i = 0; i < count; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, SAMPLE_GAP_MS));
      try {
        const sent = Date.now();
        const { now: server } = await this.#core.request("time.now", {});
        const received = Date.now();
        if (Number.isFinite(server)) taken.push({ sent, server, received });
      } catch (err) {
        failure = err;
      }
    }
    const best = estimateOffset(taken);
    if (!best) throw failure ?? new ParleyError("internal", "time.now gave no usable reading");
    const estimate: ClockEstimate = { ...best, samples: taken.length, at: Date.now() };
    this.estimate.set(estimate);
    return estimate;
  }
}
