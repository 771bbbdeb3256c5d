/**
 * Ephemeral signals: typing, read markers and live signals. None is a
 * message. Typing and live signals live only in memory and on NATS; a read
 * marker is per (conversation, principal) state in the store that never
 * touches a message seq. All go to the conversation's members through the
 * event fan-out. The shop team's presence is in presence.ts.
 */
import {
  type Envelope,
  isTeamRole,
  LIVE_SIGNAL_BURST,
  LIVE_SIGNALS_PER_SECOND,
  MAX_LIVE_CIPHERTEXT_CHARS,
} from "@parley/sdk/protocol";
import { GatewayError } from "../errors.js";
import type { EpochStore, MemberStore, PrincipalRecord, ReadMarkerStore } from "../store/port.js";
import type { ConversationAccess } from "./access.js";
import { headFor } from "./epoch-head.js";
import type { EventFanout } from "./events.js";
import { RateLimit } from "./rate-limits.js";

export interface SignalsOptions {
  store: MemberStore & ReadMarkerStore & EpochStore;
  fanout: EventFanout;
  /** The conversation and the actor's access to it; throws `not_found` without access. */
  access: ConversationAccess;
  now: () => number;
  /**
   * Typing signals forwarded per principal, conversation and state (typing or
   * stopped), per second, averaged over 3 s windows; the rest are dropped. @default 1
   */
  typingPerSecond?: number;
  /** Read markers set per principal per second (`rate_limited` beyond). @default 20 */
  readPerSecond?: number;
}

/** What `signal.typing` names. */
export interface TypingBody {
  convId: string;
  active: boolean;
}

/** What `signal.read` names. */
export interface ReadBody {
  convId: string;
  seq: number;
}

/** What `signal.live` names. */
export interface LiveBody {
  convId: string;
  envelope: Envelope;
}

/**
 * Typing, read markers and live signals: checked against membership, fanned out, never stored as
 * messages. Each op's events carry its `requestId` (the id of the request being handled).
 */
export class Signals {
  readonly #o: SignalsOptions;
  readonly #typingLimit: RateLimit;
  readonly #readLimit: RateLimit;
  readonly #liveLimit: RateLimit;

  constructor(options: SignalsOptions) {
    this.#o = options;
    // A small burst (typing, stopped, typing again) passes; a flood averages out at ~1 per second.
    const perSecond = options.typingPerSecond ?? 1;
    this.#typingLimit = new RateLimit({ points: perSecond * 3, durationSeconds: 3, name: "typing" });
    this.#readLimit = new RateLimit({ points: options.readPerSecond ?? 20, durationSeconds: 1, name: "read_marker" });
    this.#liveLimit = new RateLimit({
      points: LIVE_SIGNAL_BURST,
      durationSeconds: LIVE_SIGNAL_BURST / LIVE_SIGNALS_PER_SECOND,
      name: "live_signal",
    });
  }

  /**
   * Forwards a typing signal to the other members and the team. Over the limit
   * it is dropped without an error (the sender's next signal carries the state).
   * "Active" and "inactive" have separate budgets, so the inactive that follows
   * an active at once is never the one dropped.
   */
  async typing(actor: PrincipalRecord, body: TypingBody, requestId?: string): Promise<{ ok: true }> {
    const { convId, active } = body;
    const { conv } = await this.#o.access(actor, convId);
    try {
      await this.#typingLimit.take(`${actor.id}:${convId}:${active ? 1 : 0}`);
    } catch (err) {
      if (err instanceof GatewayError && err.code === "rate_limited") return { ok: true };
      throw err;
    }
    const members = await this.#o.store.listMembers(convId);
    const event = { type: "typing", convId, principalId: actor.id, active, ts: this.#o.now() } as const;
    for (const m of members) {
      if (!isTeamRole(m.role) && m.principalId !== actor.id)
        this.#o.fanout.toPrincipal(m.principalId, event, requestId);
    }
    this.#o.fanout.toTeam(conv.shopId, event, requestId);
    return { ok: true };
  }

  /**
   * Moves the actor's read marker forward (never back) and tells the members,
   * the team, and the actor's own other devices. A seq past the head is refused.
   */
  async read(actor: PrincipalRecord, body: ReadBody, requestId?: string): Promise<{ seq: number }> {
    const { convId, seq } = body;
    const { conv } = await this.#o.access(actor, convId);
    if (seq > conv.lastSeq) {
      throw new GatewayError("bad_request", `seq ${seq} is past the conversation's head (${conv.lastSeq})`);
    }
    await this.#readLimit.take(actor.id);
    const ts = this.#o.now();
    const result = await this.#o.store.setReadMarker({ convId, principalId: actor.id, seq, at: ts });
    if (result.moved) {
      const members = await this.#o.store.listMembers(convId);
      const event = { type: "read", convId, principalId: actor.id, seq: result.seq, ts } as const;
      this.#o.fanout.toConversation(conv, members, event, { extra: [actor.id], requestId });
    }
    return { seq: result.seq };
  }

  /**
   * Relays a live signal (a sealed `live` body: a live location update) to the
   * conversation's members (the sender's own other devices too) and the team.
   * Never stored and never logged: the gateway reads only the envelope's
   * header. As for a message, an end-to-end conversation takes only envelopes
   * sealed under its head epoch (`stale_epoch`), never plaintext ones.
   * `rate_limited` beyond LIVE_SIGNAL_BURST per principal and conversation in a
   * window of LIVE_SIGNAL_BURST / LIVE_SIGNALS_PER_SECOND seconds.
   */
  async live(actor: PrincipalRecord, body: LiveBody, requestId?: string): Promise<{ ok: true }> {
    const { convId, envelope } = body;
    if (envelope.convId !== convId) {
      throw new GatewayError("bad_request", "the envelope's convId is not the request's");
    }
    if (envelope.ct.length > MAX_LIVE_CIPHERTEXT_CHARS) {
      throw new GatewayError(
        "payload_too_large",
        `a live signal's ct is at most ${MAX_LIVE_CIPHERTEXT_CHARS} characters`,
      );
    }
    const conv = await headFor(this.#o.store, (await this.#o.access(actor, convId)).conv, envelope.epoch);
    if (conv.epoch > 0 && envelope.alg === "none") {
      throw new GatewayError("bad_request", "this conversation is end-to-end encrypted");
    }
    if (envelope.epoch !== conv.epoch) throw new GatewayError("stale_epoch");
    await this.#liveLimit.take(`${actor.id}:${convId}`);
    const members = await this.#o.store.listMembers(convId);
    const event = { type: "live", convId, principalId: actor.id, envelope, ts: this.#o.now() } as const;
    this.#o.fanout.toConversation(conv, members, event, { requestId });
    return { ok: true };
  }
}
