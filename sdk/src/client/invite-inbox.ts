/**
 * The invites waiting for this principal's answer, kept current: loaded with
 * `invite.list` on connect and after every reconnect (an invite may have come,
 * been revoked or expired while offline), then moved by `invite` events
 * (new, answered in another session, revoked) and by the answers given here.
 * An invite leaves the inbox when it passes its `expiresAt`, also without an
 * event. Views read `client.invites` (newest first) to show the launcher badge
 * and the invites list.
 */
import { ConnectionLostError, ParleyError } from "../errors.js";
import type { InviteInfo } from "../protocol/models.js";
import { StateStore } from "../state-store.js";
import type { ClientCore } from "./core.js";

/** Answers meaning the invite cannot be answered any more. */
const UNANSWERABLE = new Set(["invite_expired", "invite_revoked", "inviter_left", "not_found", "conflict"]);

/** Longest wait before the inbox looks for an expired invite again, ms (timers this long are clamped by browsers anyway). */
const MAX_EXPIRY_WAIT_MS = 60 * 60 * 1000;

export class InviteInbox {
  /** The pending invites to this principal, newest first. */
  readonly store = new StateStore<readonly InviteInfo[]>([]);
  readonly #core: ClientCore;
  #expiry: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by every change, so a slow `invite.list` answer does not undo an event that came after it was asked. */
  #version = 0;
  /** The last `invite.list` held fewer invites than wait (its count cap or byte budget). */
  #more = false;

  constructor(core: ClientCore) {
    this.#core = core;
  }

  /** Loads the pending invites from the gateway (on connect and after a reconnect). */
  async load(): Promise<void> {
    const asked = this.#version;
    try {
      const { invites, hasMore } = await this.#core.request("invite.list", {});
      this.#more = hasMore === true;
      if (asked === this.#version) this.#set(invites);
    } catch (err) {
      // Offline: the reconnect loads again. Anything else is worth showing.
      if (!(err instanceof ConnectionLostError)) this.#core.events.emit("error", err as Error);
    }
  }

  /** An `invite` event: a new pending invite, or one that was answered elsewhere, revoked or expired. */
  received(invite: InviteInfo): void {
    this.#version++;
    const rest = this.store.value.filter((i) => i.id !== invite.id);
    this.#set(invite.status === "pending" ? [invite, ...rest] : rest);
  }

  /**
   * Runs this client's answer to an invite (accept, decline, block). The invite leaves the inbox once
   * answered, and also when the gateway says it cannot be answered any more (expired, revoked, gone).
   */
  async answer<T>(inviteId: string, run: () => Promise<T>): Promise<T> {
    try {
      const result = await run();
      this.#drop(inviteId);
      return result;
    } catch (err) {
      if (err instanceof ParleyError && UNANSWERABLE.has(err.code)) this.#drop(inviteId);
      throw err;
    }
  }

  #drop(inviteId: string): void {
    this.#version++;
    this.#set(this.store.value.filter((i) => i.id !== inviteId));
    // The gateway answers a bounded list: once one is answered, the next waiting one can show.
    if (this.#more) void this.load();
  }

  stop(): void {
    clearTimeout(this.#expiry);
  }

  #set(invites: readonly InviteInfo[]): void {
    const now = Date.now();
    const live = invites
      .filter((i) => i.status === "pending" && i.expiresAt > now)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
    const held = this.store.value;
    const same = held.length === live.length && held.every((i, n) => i === live[n]);
    if (!same) this.store.set(live);
    clearTimeout(this.#expiry);
    if (live.length === 0 || this.#core.closed) return;
    const next = Math.min(...live.map((i) => i.expiresAt));
    this.#expiry = setTimeout(() => this.#set(this.store.value), Math.min(next - now + 1, MAX_EXPIRY_WAIT_MS));
  }
}
