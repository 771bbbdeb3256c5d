/**
 * `client.clock`: the shared clock of live features. Every client estimates
 * the offset of its own clock to the gateway's with a few `time.now` round
 * trips (NTP-style: the sample with the shortest round trip wins, and the
 * gateway's reading is taken to be from the middle of it), so that "position
 * 42 s at 10:00:00.000" means the same instant on every member's device.
 */
import type { StateStore } from "./state-store.js";

/** One estimate of the offset to the gateway's clock. */
export interface ClockEstimate {
  /** Gateway time minus local time, ms. */
  offsetMs: number;
  /** Round trip of the sample the offset came from, ms: the offset is within ±rttMs/2 of the truth. */
  rttMs: number;
  /** How many samples were taken. */
  samples: number;
  /** Local time of the estimate, ms. */
  at: number;
}

/** The shared clock (see the module comment). */
export interface SharedClockApi {
  /** Shared-clock time now, ms since the Unix epoch: local time plus the last offset (plus 0 before the first sync). */
  now(): number;
  /** The last estimate (undefined before the first sync). */
  readonly estimate: StateStore<ClockEstimate | undefined>;
  /**
   * Measures the offset again with `samples` round trips (default 5, 1..20),
   * spaced a few ms apart; resolves with the new estimate. Concurrent calls share one run.
   */
  sync(samples?: number): Promise<ClockEstimate>;
}
