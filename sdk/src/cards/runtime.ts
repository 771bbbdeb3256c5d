/**
 * What `client.cards` loads on first use, through one dynamic import: the
 * card schemas (zod) and the fold. Nothing reachable from the SDK's entry
 * imports this module statically, so a chat that shows no card never
 * downloads either.
 */
import type { CardBoard, CardMessage } from "./state.js";
import { foldCards } from "./fold.js";

export { cardProblem, parseCard, parseCardEvent } from "../protocol/cards/schemas.js";
export { foldCards };

/**
 * Whether the fold of `messages` would apply `candidate` (a `card-event`
 * message placed after all of them), rather than ignore it.
 */
export function wouldApply(messages: readonly CardMessage[], candidate: CardMessage): boolean {
  return foldCards([...messages, candidate]).events.get(candidate.msgId)?.applied === true;
}

/**
 * A conversation's board, kept in step with its messages: new messages at
 * the end are folded on top of what was folded; anything else (older ones
 * prepended, one replaced) folds everything again.
 */
export class BoardFolder {
  #folded: readonly CardMessage[] = [];
  #board: CardBoard = foldCards([]);

  /** The board of the messages last passed to {@link update}. */
  get board(): CardBoard {
    return this.#board;
  }

  /** Folds `messages` (ascending seq); returns the board, a new object when it changed. */
  update(messages: readonly CardMessage[]): CardBoard {
    const prev = this.#folded;
    if (messages === prev) return this.#board;
    this.#folded = messages;
    this.#board = foldCards(messages);
    return this.#board;
  }
}
