/**
 * Watches the NATS link and the platform's network: `reconnecting` when
 * either says the link is down, and after a reconnect `connected` again with
 * the usual follow-up work (catch up, beat presence, send the outbox).
 */
import type { NatsConnection } from "../connection.js";
import { watchNetwork } from "../network-watch.js";
import type { ClientCore } from "./core.js";

export class LinkWatch {
  readonly #core: ClientCore;
  readonly #onReconnect: () => void;
  /** Whether nats.js itself reported the connection down (and has not reconnected since). */
  #natsDown = false;
  #unwatchNetwork: (() => void) | undefined;

  /** `onReconnect` runs once the link is back (after the status says `connected`). */
  constructor(core: ClientCore, onReconnect: () => void) {
    this.#core = core;
    this.#onReconnect = onReconnect;
  }

  watch(nc: NatsConnection): void {
    const core = this.#core;
    (async () => {
      for await (const s of nc.status()) {
        if (core.closed) return;
        if (s.type === "disconnect") {
          this.#natsDown = true;
          if (core.status.value.state === "connected") core.status.set({ state: "reconnecting", since: Date.now() });
        } else if (s.type === "reconnect") {
          this.#natsDown = false;
          this.#reconnected();
        }
      }
    })().catch(() => undefined);
    this.#unwatchNetwork?.();
    this.#unwatchNetwork = watchNetwork({
      // The browser knows before the pings do: say so, and drop the socket rather than wait on it.
      offline: () => {
        if (core.closed || core.status.value.state !== "connected") return;
        core.status.set({ state: "reconnecting", since: Date.now() });
        nc.reconnect().catch(() => undefined);
      },
      // Back online while nats.js never saw the socket go (it lingered through the outage):
      // one round trip proves the link, then the usual work after a reconnect.
      online: () => {
        if (core.closed || this.#natsDown || core.status.value.state !== "reconnecting") return;
        nc.flush().then(
          () => {
            if (!core.closed && !this.#natsDown && core.status.value.state === "reconnecting") this.#reconnected();
          },
          () => undefined,
        );
      },
    });
    nc.closed().then((err) => {
      if (!core.closed) core.status.set({ state: "closed", ...(err ? { error: err } : {}) });
    });
  }

  stop(): void {
    this.#unwatchNetwork?.();
  }

  /** Connected again: says so, then the follow-up work. */
  #reconnected(): void {
    const session = this.#core.session;
    if (!session) return;
    this.#core.status.set({ state: "connected", principal: session.principal });
    this.#onReconnect();
  }
}
