/**
 * The call's outgoing live signals, one at a time and in order, within the
 * relay's budget (LIVE_SIGNAL_BURST, then LIVE_SIGNALS_PER_SECOND per
 * sender): a `rate_limited` send waits as long as the gateway says (or a
 * second) and goes again, while the call lasts. Media states coalesce: a
 * change queued while one waits is sent once, as it is when its turn comes.
 */
import type { LiveChannel } from "../../client/live-channel.js";
import { ParleyError } from "../../errors.js";
import type { LiveUpdate } from "../../protocol/live/wire.js";

/** The most times one signal is tried. */
const MAX_TRIES = 8;

/** Sends one call's live signals. */
export class SignalSender {
  #chain: Promise<void> = Promise.resolve();
  #mediaQueued = false;

  constructor(
    private readonly live: LiveChannel,
    private readonly convId: string,
    private readonly o: { over(): boolean; report(error: unknown): void },
  ) {}

  /** Queues a signal; resolves once it is relayed (or given up: reported, not thrown). */
  send(signal: LiveUpdate): Promise<void> {
    return this.#enqueue(() => signal);
  }

  /** Queues this device's media state, read when its turn comes (one queued at a time). */
  media(state: () => LiveUpdate): void {
    if (this.#mediaQueued) return;
    this.#mediaQueued = true;
    void this.#enqueue(() => {
      this.#mediaQueued = false;
      return state();
    });
  }

  #enqueue(make: () => LiveUpdate): Promise<void> {
    const next = this.#chain.then(() => this.#relay(make));
    this.#chain = next;
    return next;
  }

  async #relay(make: () => LiveUpdate): Promise<void> {
    const signal = make();
    for (let tries = 1; !this.o.over(); tries++) {
      try {
        await this.live.send(this.convId, signal);
        return;
      } catch (err) {
        if (!(err instanceof ParleyError && err.code === "rate_limited") || tries >= MAX_TRIES) {
          this.o.report(err);
          return;
        }
        await new Promise((r) => setTimeout(r, Math.max(250, (err.retryAfter ?? 1) * 1000)));
      }
    }
  }
}
