/**
 * A conversation's board, folded incrementally from its confirmed messages as
 * they change (what `client.cards.board` follows).
 */
import { CardFolder } from "./fold.js";
import type { CardBoard, CardMessage } from "./state.js";

/**
 * A conversation's board kept in step with its confirmed messages: messages
 * added at the end are folded on top of what was folded; anything else (older
 * ones prepended, one replaced once readable) folds everything again.
 */
export class BoardFolder {
  #folder = new CardFolder();
  #folded: readonly CardMessage[] = [];

  /** The board of the messages last passed to {@link update}. */
  get board(): CardBoard {
    return this.#folder.board;
  }

  /** Folds `messages` (ascending seq, each seq once); returns the board, a new object only when it changed. */
  update(messages: readonly CardMessage[]): CardBoard {
    const prev = this.#folded;
    if (messages === prev) return this.#folder.board;
    this.#folded = messages;
    let from = prev.length;
    if (!extends_(prev, messages)) {
      this.#folder = new CardFolder();
      from = 0;
    }
    for (let i = from; i < messages.length; i++) this.#folder.apply(messages[i] as CardMessage);
    return this.#folder.board;
  }
}

/** Whether `next` starts with exactly the message objects of `prev` (only appended to). */
function extends_(prev: readonly CardMessage[], next: readonly CardMessage[]): boolean {
  if (next.length < prev.length) return false;
  for (let i = 0; i < prev.length; i++) if (prev[i] !== next[i]) return false;
  return true;
}

/** `gapless` lives in `../gapless.ts`, shared with the listen fold; re-exported here for the cards runtime. */
export { gapless } from "../gapless.js";
