/**
 * A conversation's listen board, folded incrementally from its confirmed
 * messages as they change (what `client.listen.board` follows).
 */
import type { ListenBoard } from "./api.js";
import { ListenFolder, type ListenMessage } from "./fold.js";

/**
 * A conversation's listen board kept in step with its confirmed messages: messages added at the end
 * are folded on top of what was folded; anything else (older ones prepended, one replaced once
 * readable) folds everything again. Pass it the `gapless` prefix (`../gapless.ts`), so an event is
 * never folded over a hole.
 */
export class ListenBoardFolder {
  #folder = new ListenFolder();
  #folded: readonly ListenMessage[] = [];

  /** The board of the messages last passed to {@link update}. */
  get board(): ListenBoard {
    return this.#folder.board;
  }

  /** Folds `messages` (ascending seq, each seq once); returns the board, a new object only when it changed. */
  update(messages: readonly ListenMessage[]): ListenBoard {
    const prev = this.#folded;
    if (messages === prev) return this.#folder.board;
    this.#folded = messages;
    let from = prev.length;
    if (!startsWith(messages, prev)) {
      this.#folder = new ListenFolder();
      from = 0;
    }
    for (let i = from; i < messages.length; i++) this.#folder.apply(messages[i] as ListenMessage);
    return this.#folder.board;
  }
}

/** Whether `next` starts with exactly the message objects of `prev` (only appended to). */
function startsWith(next: readonly ListenMessage[], prev: readonly ListenMessage[]): boolean {
  if (next.length < prev.length) return false;
  for (let i = 0; i < prev.length; i++) if (prev[i] !== next[i]) return false;
  return true;
}
