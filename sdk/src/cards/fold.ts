/**
 * The fold: every client turns a conversation's confirmed messages into the
 * same cards by applying them in `seq` order under the rules of `wire.ts`.
 * It is pure and deterministic (no clock, no randomness, nothing that depends
 * on the order the messages arrive in), and incremental: a {@link CardFolder}
 * takes messages one by one, so a live conversation never folds twice.
 */
import { parseCardEvent } from "../protocol/cards/schemas.js";
import type { CardEvent, CardEventOp } from "../protocol/cards/wire.js";
import { type CardMap, postCard } from "./card-states.js";
import { applyCardEvent } from "./event-rules.js";
import type { CardBoard, CardEventNote, CardMessage, CardState } from "./state.js";

/** What one message does: the states it adds or replaces, and the note of a card-event message. */
interface Effect {
  states: CardState[];
  note?: CardEventNote;
}

/** The event's operation without its envelope fields (`v`, `card`). */
function opOf(event: CardEvent): CardEventOp {
  const { v: _v, card: _card, ...op } = event;
  return op as CardEventOp;
}

/** What `message` does to `cards`; `undefined` when it is not a card or card-event message. */
function effectOf(cards: CardMap, message: CardMessage): Effect | undefined {
  const body = message.body as { type?: unknown; card?: unknown; event?: unknown } | undefined;
  if (body?.type === "card") return { states: postCard(cards, message, body.card) };
  if (body?.type !== "card-event") return undefined;
  const event = parseCardEvent(body.event);
  const named = (body.event as { card?: unknown } | null | undefined)?.card;
  const cardId = event?.card ?? (typeof named === "string" ? named : "");
  const note: CardEventNote = {
    card: cardId,
    kind: cards.get(cardId)?.kind ?? "unknown",
    by: message.sender,
    applied: false,
  };
  if (!event) return { states: [], note };
  note.event = opOf(event);
  const next = applyCardEvent(cards, message, event);
  if (!next) return { states: [], note };
  note.applied = true;
  return { states: [next], note };
}

/** Whether an effect counts as applied: a valid card posted, or an event that changed its card. */
function applied(effect: Effect | undefined): boolean {
  if (!effect) return false;
  if (effect.note) return effect.note.applied;
  return effect.states.length > 0 && effect.states[0]?.kind !== "unknown";
}

const EMPTY: CardBoard = { cards: new Map(), events: new Map() };

/**
 * An incremental fold. Give it a conversation's messages in increasing `seq` with {@link apply};
 * {@link board} is the result so far. A message whose `seq` is not above every seq applied before is
 * refused (a duplicate, or an older message: fold again from the start with {@link foldCards}).
 */
export class CardFolder {
  readonly #cards = new Map<string, CardState>();
  readonly #events = new Map<string, CardEventNote>();
  #lastSeq = Number.NEGATIVE_INFINITY;
  #board: CardBoard = EMPTY;
  #dirty = false;

  /** The highest seq applied so far (`-Infinity` before any). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /**
   * Applies the next message. Returns whether it posted a valid card or applied an event; an
   * ignored event is still recorded in `board.events` (with `applied: false`) and changes nothing else.
   * Returns `false` without reading it when its seq is not above {@link lastSeq}.
   */
  apply(message: CardMessage): boolean {
    if (!(message.seq > this.#lastSeq)) return false;
    this.#lastSeq = message.seq;
    if (this.#events.has(message.msgId)) return false;
    const effect = effectOf(this.#cards, message);
    if (!effect) return false;
    for (const state of effect.states) this.#cards.set(state.id, state);
    if (effect.note) this.#events.set(message.msgId, effect.note);
    this.#dirty ||= effect.states.length > 0 || effect.note !== undefined;
    return applied(effect);
  }

  /**
   * Whether `message` would apply if it came next, without applying it (its seq is not read).
   * Cheap: it looks at the one card the message names (and a cart's menu, a split's order).
   */
  wouldApply(message: CardMessage): boolean {
    return applied(effectOf(this.#cards, message));
  }

  /** Every card and event note so far; the same object until a message changes something. */
  get board(): CardBoard {
    if (this.#dirty) {
      this.#board = { cards: new Map(this.#cards), events: new Map(this.#events) };
      this.#dirty = false;
    }
    return this.#board;
  }
}

/**
 * Folds a conversation's messages into its cards: sorted by `seq`, each seq counted once (of two
 * different messages under one seq, the one with the smaller `msgId`), messages that are neither
 * `card` nor `card-event` (or whose seq is not a safe integer) skipped. The same messages in any order, repeated or not, give an equal board.
 */
export function foldCards(messages: Iterable<CardMessage>): CardBoard {
  const bySeq = new Map<number, CardMessage>();
  for (const message of messages) {
    if (!Number.isSafeInteger(message.seq)) continue;
    const held = bySeq.get(message.seq);
    if (!held || message.msgId < held.msgId) bySeq.set(message.seq, message);
  }
  const folder = new CardFolder();
  for (const message of [...bySeq.values()].sort((a, b) => a.seq - b.seq)) folder.apply(message);
  return folder.board;
}

/**
 * Whether `next` would apply on top of `board` (a card that is valid and new, or an event its
 * sender may do now): the client's pre-check before sending (`card_rejected` otherwise). It reads
 * only the card `next` names (and a cart's menu or a split's order), never refolds.
 */
export function wouldApply(board: CardBoard, next: CardMessage): boolean {
  return applied(effectOf(board.cards, next));
}
