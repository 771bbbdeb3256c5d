/**
 * The listen fold: every client turns a conversation's confirmed `listen` and
 * `listen-event` messages into the same sessions by applying them in `seq`
 * order under these rules (anything a rule does not allow, and anything
 * malformed, is ignored alike on every client):
 *
 * - `listen` starts a session whose id is the message's msgId; the sender is
 *   its starter and its first listener. Ignored while another session of the
 *   conversation is active (one at a time).
 * - `join` adds the sender to the listeners (ignored when already listening).
 * - `leave` removes the sender (ignored when not listening); when nobody is
 *   left, the session ends.
 * - `state` sets what plays; only from a current listener, and only when it
 *   fits the queue (index within it, position within that track).
 * - `end` ends the session; only from its starter (listening or not).
 * - Every event of a session that has ended, or that names no session, is ignored.
 *
 * Pure and deterministic (no clock, no randomness), and incremental: a
 * {@link ListenFolder} takes messages one by one.
 */
import type { FoldMessage } from "../gapless.js";
import type { ListenBoard, ListenSession } from "./api.js";
import { parseListenEvent, parseListenStart, stateMisfit } from "./schemas.js";

/** A message as the listen fold reads it (a `ChatMessage` fits): `listen` and `listen-event` bodies are folded. */
export type ListenMessage = Pick<FoldMessage, "seq" | "msgId" | "sender" | "body">;

/** What `message` makes of its session (a new or changed one); `undefined` when it is ignored or not a listen message. */
function effectOf(
  sessions: ReadonlyMap<string, ListenSession>,
  active: ListenSession | undefined,
  message: ListenMessage,
): ListenSession | undefined {
  const body = message.body as { type?: unknown; listen?: unknown; event?: unknown } | undefined;
  if (body?.type === "listen") {
    if (active || sessions.has(message.msgId)) return undefined;
    const start = parseListenStart(body.listen);
    if (!start) return undefined;
    return {
      id: message.msgId,
      seq: message.seq,
      starter: message.sender,
      queue: start.queue,
      state: start.state,
      listeners: [message.sender],
      changedBy: message.sender,
    };
  }
  if (body?.type !== "listen-event") return undefined;
  const event = parseListenEvent(body.event);
  const session = event ? sessions.get(event.session) : undefined;
  if (!event || !session || session.endedAt !== undefined) return undefined;
  const { sender } = message;
  const listening = session.listeners.includes(sender);
  switch (event.op) {
    case "join":
      return listening ? undefined : { ...session, listeners: [...session.listeners, sender] };
    case "leave": {
      if (!listening) return undefined;
      const listeners = session.listeners.filter((l) => l !== sender);
      return listeners.length > 0 ? { ...session, listeners } : { ...session, listeners, endedAt: message.seq };
    }
    case "state":
      if (!listening || stateMisfit(session.queue, event.state) !== undefined) return undefined;
      return { ...session, state: event.state, changedBy: sender };
    case "end":
      return sender === session.starter ? { ...session, endedAt: message.seq } : undefined;
  }
}

const EMPTY: ListenBoard = { sessions: new Map() };

/**
 * An incremental fold. Give it a conversation's messages in increasing `seq` with {@link apply};
 * {@link board} is the result so far. A message whose `seq` is not above every seq applied before is
 * refused (a duplicate, or an older message: fold again from the start with {@link foldListen}).
 */
export class ListenFolder {
  readonly #sessions = new Map<string, ListenSession>();
  #active: ListenSession | undefined;
  #lastSeq = Number.NEGATIVE_INFINITY;
  #board: ListenBoard = EMPTY;
  #dirty = false;

  /** The highest seq applied so far (`-Infinity` before any). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** Applies the next message; returns whether it changed a session. Not read when its seq is not above {@link lastSeq}. */
  apply(message: ListenMessage): boolean {
    if (!(message.seq > this.#lastSeq)) return false;
    this.#lastSeq = message.seq;
    const next = effectOf(this.#sessions, this.#active, message);
    if (!next) return false;
    this.#sessions.set(next.id, next);
    this.#active = next.endedAt === undefined ? next : undefined;
    this.#dirty = true;
    return true;
  }

  /** Every session so far and the active one; the same object until a message changes something. */
  get board(): ListenBoard {
    if (this.#dirty) {
      this.#board = this.#active
        ? { sessions: new Map(this.#sessions), active: this.#active }
        : { sessions: new Map(this.#sessions) };
      this.#dirty = false;
    }
    return this.#board;
  }
}

/**
 * Folds a conversation's messages into its sessions: sorted by `seq`, each seq counted once (of two
 * different messages under one seq, the one with the smaller `msgId`), messages whose seq is not a
 * safe integer skipped. The same messages in any order, repeated or not, give an equal board.
 */
export function foldListen(messages: Iterable<ListenMessage>): ListenBoard {
  const bySeq = new Map<number, ListenMessage>();
  for (const message of messages) {
    if (!Number.isSafeInteger(message.seq)) continue;
    const held = bySeq.get(message.seq);
    if (!held || message.msgId < held.msgId) bySeq.set(message.seq, message);
  }
  const folder = new ListenFolder();
  for (const message of [...bySeq.values()].sort((a, b) => a.seq - b.seq)) folder.apply(message);
  return folder.board;
}

/**
 * Whether `next` would change a session if it came next on top of `board` (its seq is not read): the
 * client's check before sending (`live_rejected` otherwise).
 */
export function wouldApply(board: ListenBoard, next: ListenMessage): boolean {
  return effectOf(board.sessions, board.active, next) !== undefined;
}
