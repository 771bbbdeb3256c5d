/**
 * Who of the shop's team is online: one `presence.ping` per connection (on
 * connect and after each reconnect) whose reply carries the team's table, then
 * `presence` events. A gateway that follows NATS connections says so in the
 * reply (`heartbeat: false`, ADR 0053) and that is all; one that does not asks
 * for a heartbeat every `intervalMs`, and `presence.leave` when this
 * connection closes.
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
  /** The gateway asked for heartbeats (so far, or an older gateway). */
  #beating = true;

  constructor(core: ClientCore) {
    this.#core = core;
  }

  /** Asks for the team's presence; beats again later only if the gateway asks for heartbeats. */
  async ping(): Promise<void> {
    const core = this.#core;
    clearTimeout(this.#timer);
    if (core.closed) return;
    let next: number | undefined = DEFAULT_INTERVAL_MS;
    try {
      const { intervalMs, heartbeat, presence } = await core.request("presence.ping", { conn: core.conn });
      this.#beating = heartbeat !== false;
      next = this.#beating ? intervalMs : undefined;
      this.set(presence, this.#beating ? "heartbeat" : "snapshot");
    } catch (err) {
      // Offline: the reconnect pings again. Anything else is worth showing.
      if (!(err instanceof ConnectionLostError)) core.events.emit("error", err as Error);
    }
    if (!core.closed && next !== undefined) this.#timer = setTimeout(() => void this.ping(), next);
  }

  /** A beating connection leaves the team's presence at once (failures are ignored: the heartbeat lapses anyway). */
  async leave(): Promise<void> {
    if (!this.#beating) return; // the gateway sees the connection close
    await this.#core.request("presence.leave", { conn: this.#core.conn }).catch(() => undefined);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }

  /**
   * Takes a team presence snapshot. An event or a snapshot older than the one
   * held is ignored (events from several gateways may cross, and a snapshot
   * asked for may be answered by a gateway a moment behind an event already
   * here); a heartbeat reply is the answering gateway's current table and is
   * always taken, which also repairs whatever a missed or crossed event left
   * behind.
   */
  set(presence: TeamPresence, from: "event" | "snapshot" | "heartbeat" = "event"): void {
    const held = this.store.value;
    if (from !== "heartbeat" && held.shopId === presence.shopId && presence.updatedAt < held.updatedAt) return;
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
