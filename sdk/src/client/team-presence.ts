/**
 * Who of the shop's team is online: a heartbeat (`presence.ping`) whose reply
 * carries the team's table and when to beat next, `presence` events in
 * between, and `presence.leave` when this connection closes.
 */
import { ConnectionLostError } from "../errors.js";
import type { TeamPresence } from "../protocol/models.js";
import { StateStore } from "../state-store.js";
import type { ClientCore } from "./core.js";

/** Heartbeat interval until the gateway names one, ms. */
const DEFAULT_INTERVAL_MS = 5000;

export class TeamPresenceBeat {
  /** The team's presence as last heard. */
  readonly store = new StateStore<TeamPresence>({ shopId: "", online: [], updatedAt: 0 });
  readonly #core: ClientCore;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(core: ClientCore) {
    this.#core = core;
  }

  /** A presence heartbeat; its reply carries the team's presence, and when to beat next. */
  async ping(): Promise<void> {
    const core = this.#core;
    clearTimeout(this.#timer);
    if (core.closed) return;
    let next = DEFAULT_INTERVAL_MS;
    try {
      const { intervalMs, presence } = await core.request("presence.ping", { conn: core.conn });
      next = intervalMs;
      this.set(presence, true);
    } catch (err) {
      // Offline: the reconnect pings again. Anything else is worth showing.
      if (!(err instanceof ConnectionLostError)) core.events.emit("error", err as Error);
    }
    if (!core.closed) this.#timer = setTimeout(() => void this.ping(), next);
  }

  /** This connection leaves the team's presence at once (failures are ignored: the heartbeat lapses anyway). */
  async leave(): Promise<void> {
    await this.#core.request("presence.leave", { conn: this.#core.conn }).catch(() => undefined);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  /**
   * Takes a team presence snapshot. An event older than the snapshot held is
   * ignored (events from several gateways may cross); a heartbeat reply is the
   * answering gateway's current table and is always taken, which also repairs
   * whatever a missed or crossed event left behind.
   */
  set(presence: TeamPresence, heartbeat = false): void {
    const held = this.store.value;
    if (!heartbeat && held.shopId === presence.shopId && presence.updatedAt < held.updatedAt) return;
    const same =
      held.shopId === presence.shopId &&
      held.online.length === presence.online.length &&
      held.online.every((m, i) => {
        const o = presence.online[i];
        return o !== undefined && o.principalId === m.principalId && o.displayName === m.displayName;
      });
    if (same) {
      if (presence.updatedAt !== held.updatedAt) this.store.set({ ...held, updatedAt: presence.updatedAt });
      return;
    }
    this.store.set(presence);
    this.#core.events.emit("presence", presence);
  }
}
