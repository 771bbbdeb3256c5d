/**
 * The calls fold: every client turns a conversation's confirmed `call` and
 * `call-event` messages into the same calls by applying them in `seq` order.
 * Whether a message applies depends only on the messages before it and on
 * the times they carry, so it is the same everywhere. Reading the board at a
 * shared-clock instant `now` adds what time alone changes: a call nobody
 * answered stops ringing at its start plus RING_MS, and a call silent for
 * MAX_SILENT_CALL_MS reads ended.
 *
 * The rules:
 *
 * - Times. An event's time is its `at`, never later than its server `ts`
 *   (a clock ahead of the gateway's cannot stretch a call), and never
 *   earlier than the call's latest event (times of one call only move
 *   forward, so no duration is negative).
 * - `call` opens a record. Its caller is the sender, its `callerDevice` the
 *   signing device (`senderDevice`); the caller's device is its first
 *   participant, joined at the call's start.
 * - `join` adds the signing device. Ignored `not_now` when the call has ended
 *   (by a leave, by time), when the device is already in it, and when
 *   MAX_CALL_PARTICIPANTS devices are in it. A device that joins again after
 *   leaving keeps its place in the list with its new stay. The first join
 *   from a principal other than the caller answers the call (`answeredAt`,
 *   state `active`); a join of another of the caller's devices does not.
 * - `decline` and `busy` record the sender (once); from the caller they are
 *   ignored `not_now`. Neither ends the call: the others may still answer a
 *   group call, and the caller's device, which knows the members, hangs up
 *   (a `leave`) when everyone it rang in a 1:1 declined or was busy.
 * - `leave` marks the signing device left; with `device`, that other device,
 *   left for it by a participant still in (`dropped`). Ignored `not_now` when
 *   the device is not in the call, or the one leaving for it is not.
 * - The call ends when no participant is left in it (at that leave's time),
 *   at start plus RING_MS when no one besides the caller's principal joined
 *   by then, or at its latest event when it was silent for MAX_SILENT_CALL_MS
 *   after it. Participants still in leave at the end.
 * - Outcome: `answered` when a principal other than the caller joined (its
 *   `durationMs` runs from that first join to the end); otherwise `declined`
 *   when any principal declined (in a 1:1: the other person did), else
 *   `busy` when any was busy, else `missed`.
 * - Events for a call not on the board are ignored `unknown_call`; bodies
 *   that break their schema, or come without a signing device, `invalid`.
 */
import type { FoldMessage } from "../gapless.js";
import { MAX_CALL_PARTICIPANTS, MAX_SILENT_CALL_MS, RING_MS } from "../protocol/calls/wire.js";
import type { CallOutcome, CallParticipant, CallRecord, CallsBoard, IgnoredCall, IgnoredCallReason } from "./api.js";
import { parseCallEvent, parseCallStart } from "./schemas.js";

/** A message as the calls fold reads it (a `ChatMessage` fits): its conversation and signing device too. */
export type CallMessage = FoldMessage & {
  /** The conversation. */
  convId: string;
  /** The device that signed it (a call's device and a join's come from here). */
  senderDevice?: string;
};

/** A record as the folder keeps it: the call and its latest event's time. */
interface Held {
  call: CallRecord;
  /** The latest applied event's time (the start's at first). */
  lastAt: number;
}

/** A copy of a record that shares nothing mutable with it. */
function copy(call: CallRecord): CallRecord {
  return {
    ...call,
    participants: call.participants.map((p) => ({ ...p })),
    declined: [...call.declined],
    busy: [...call.busy],
  };
}

/** How a call that ended without an answer reads. */
function outcomeOf(call: CallRecord): CallOutcome {
  if (call.answeredAt !== undefined) return "answered";
  if (call.declined.length > 0) return "declined";
  if (call.busy.length > 0) return "busy";
  return "missed";
}

/** Ends `call` at `at`: everyone still in leaves then. */
function end(call: CallRecord, at: number): void {
  call.state = "ended";
  call.endedAt = at;
  for (const p of call.participants) p.leftAt ??= at;
  call.outcome = outcomeOf(call);
  if (call.answeredAt !== undefined) call.durationMs = at - call.answeredAt;
}

/** When time alone ends `held`'s call (ring over unanswered, or silence), shared-clock ms. */
function endsBy(held: Held): { at: number; endedAt: number } {
  const silent = { at: held.lastAt + MAX_SILENT_CALL_MS, endedAt: held.lastAt };
  const { call } = held;
  if (call.answeredAt !== undefined) return silent;
  const ring = call.startedAt + RING_MS;
  return ring <= silent.at ? { at: ring, endedAt: ring } : silent;
}

/** Ends the call when time alone ended it by `t`; returns whether it is over. */
function settle(held: Held, t: number): boolean {
  if (held.call.state === "ended") return true;
  const by = endsBy(held);
  if (t < by.at) return false;
  end(held.call, by.endedAt);
  return true;
}

/** The participants still in the call. */
function inCall(call: CallRecord): CallParticipant[] {
  return call.participants.filter((p) => p.leftAt === undefined);
}

const EMPTY: CallsBoard = { calls: new Map(), ignored: new Map() };

/**
 * An incremental fold. Give it a conversation's messages in increasing `seq` with {@link apply};
 * {@link at} reads the board at a shared-clock instant. A message whose `seq` is not above every seq
 * applied before is refused (a duplicate, or an older message: fold again from the start with
 * {@link foldCalls}).
 */
export class CallsFolder {
  readonly #calls = new Map<string, Held>();
  readonly #ignored = new Map<string, IgnoredCall>();
  #lastSeq = Number.NEGATIVE_INFINITY;
  #dirty = true;
  #board: CallsBoard = EMPTY;
  /** The board read last holds for `now` in `from`..`until` (exclusive) while no message applies. */
  #from = 0;
  #until = 0;

  /** The highest seq applied so far (`-Infinity` before any). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Applies the next message. Returns whether it started a call or changed one; an ignored one is
   * recorded in `ignored` and changes nothing else. Returns `false` without reading it when its seq
   * is not above {@link lastSeq}, when it is of another kind, or when its msgId was folded before.
   */
  apply(message: CallMessage): boolean {
    if (!(message.seq > this.#lastSeq)) return false;
    this.#lastSeq = message.seq;
    const body = message.body as { type?: unknown; call?: unknown; event?: unknown } | undefined;
    if (body?.type !== "call" && body?.type !== "call-event") return false;
    if (this.#calls.has(message.msgId) || this.#ignored.has(message.msgId)) return false;
    this.#dirty = true;
    const device = message.senderDevice;
    if (body.type === "call") {
      const start = parseCallStart(body.call);
      if (!start || !device) return this.#ignore(message, "invalid");
      const startedAt = Math.min(start.at, message.ts);
      const fromTeam = !!message.fromTeam;
      const call: CallRecord = {
        id: message.msgId,
        seq: message.seq,
        convId: message.convId,
        media: start.media,
        caller: message.sender,
        callerDevice: device,
        fromTeam,
        startedAt,
        participants: [{ principalId: message.sender, device, fromTeam, joinedAt: startedAt }],
        declined: [],
        busy: [],
        state: "ringing",
      };
      this.#calls.set(message.msgId, { call, lastAt: startedAt });
      return true;
    }
    const event = parseCallEvent(body.event);
    if (!event || !device) return this.#ignore(message, "invalid");
    const held = this.#calls.get(event.call);
    if (!held) return this.#ignore(message, "unknown_call");
    const t = Math.max(held.lastAt, Math.min(event.at, message.ts));
    if (settle(held, t)) return this.#ignore(message, "not_now");
    const { call } = held;
    const sender = message.sender;
    if (event.op === "join") {
      const at = call.participants.findIndex((p) => p.device === device);
      const before = call.participants[at];
      if (before && before.principalId !== sender) return this.#ignore(message, "invalid");
      if (before && before.leftAt === undefined) return this.#ignore(message, "not_now");
      if (inCall(call).length >= MAX_CALL_PARTICIPANTS) return this.#ignore(message, "not_now");
      const stay: CallParticipant = { principalId: sender, device, fromTeam: !!message.fromTeam, joinedAt: t };
      if (before) call.participants[at] = stay;
      else call.participants.push(stay);
      if (sender !== call.caller && call.answeredAt === undefined) {
        call.answeredAt = t;
        call.state = "active";
      }
    } else if (event.op === "decline" || event.op === "busy") {
      if (sender === call.caller) return this.#ignore(message, "not_now");
      const list = event.op === "decline" ? call.declined : call.busy;
      if (!list.includes(sender)) list.push(sender);
    } else {
      const leaving = call.participants.find((p) => p.device === (event.device ?? device) && p.leftAt === undefined);
      if (!leaving) return this.#ignore(message, "not_now");
      const forOther = event.device !== undefined && event.device !== device;
      if (forOther) {
        const stays = call.participants.find((p) => p.device === device && p.leftAt === undefined);
        if (stays?.principalId !== sender) return this.#ignore(message, "not_now");
        leaving.dropped = true;
      } else if (leaving.principalId !== sender) return this.#ignore(message, "invalid");
      leaving.leftAt = t;
      if (inCall(call).length === 0) end(call, t);
    }
    held.lastAt = t;
    return true;
  }

  #ignore(message: CallMessage, reason: IgnoredCallReason): false {
    this.#ignored.set(message.msgId, { seq: message.seq, sender: message.sender, reason });
    return false;
  }

  /**
   * Every call and ignored message so far, as they read at shared-clock time `now` (a call that time
   * alone ended reads ended). The same object until a message applies or `now` reaches
   * {@link nextChange}.
   */
  at(now: number): CallsBoard {
    if (!this.#dirty && now >= this.#from && now < this.#until) return this.#board;
    const calls = new Map<string, CallRecord>();
    let until = Number.POSITIVE_INFINITY;
    for (const [id, held] of this.#calls) {
      const read: Held = { call: copy(held.call), lastAt: held.lastAt };
      if (!settle(read, now)) until = Math.min(until, endsBy(read).at);
      calls.set(id, read.call);
    }
    this.#board = { calls, ignored: new Map(this.#ignored) };
    this.#dirty = false;
    this.#from = now;
    this.#until = until;
    return this.#board;
  }

  /**
   * The first shared-clock instant after the last {@link at} when time alone changes the board (a
   * ring or a silence runs out), or `Infinity` when none will.
   */
  get nextChange(): number {
    return this.#until;
  }
}

/**
 * Folds a conversation's messages into its calls as they read at shared-clock time `now`: sorted by
 * `seq`, each seq counted once (of two different messages under one seq, the one with the smaller
 * `msgId`), messages of other kinds (or whose seq is not a safe integer) skipped. The same messages
 * in any order, repeated or not, give an equal board.
 */
export function foldCalls(messages: Iterable<CallMessage>, now: number): CallsBoard {
  const bySeq = new Map<number, CallMessage>();
  for (const message of messages) {
    if (!Number.isSafeInteger(message.seq)) continue;
    const held = bySeq.get(message.seq);
    if (!held || message.msgId < held.msgId) bySeq.set(message.seq, message);
  }
  const folder = new CallsFolder();
  for (const message of [...bySeq.values()].sort((a, b) => a.seq - b.seq)) folder.apply(message);
  return folder.at(now);
}

/**
 * Whether `call` rings on the devices of `principalId` at shared-clock time `now`: it has not ended,
 * it started less than RING_MS ago, someone else started it, and this principal has not joined it
 * (on any device), declined it, or answered busy. A group call already running still rings for those
 * who have not answered.
 */
export function ringsFor(call: CallRecord, principalId: string, now: number): boolean {
  return (
    call.state !== "ended" &&
    now < call.startedAt + RING_MS &&
    call.caller !== principalId &&
    !call.participants.some((p) => p.principalId === principalId) &&
    !call.declined.includes(principalId) &&
    !call.busy.includes(principalId)
  );
}
