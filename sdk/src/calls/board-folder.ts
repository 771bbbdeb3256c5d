/**
 * A conversation's calls kept in step with its confirmed messages (what
 * `client.calls.board` follows): messages added at the end are folded on top
 * of what was folded; anything else (older ones prepended, one replaced once
 * readable) folds everything again.
 */
import type { CallsBoard } from "./api.js";
import { type CallMessage, CallsFolder } from "./fold.js";

/** The calls of one conversation, folded incrementally and read at a shared-clock instant. */
export class CallsBoardFolder {
  #folder = new CallsFolder();
  #folded: readonly CallMessage[] = [];

  /** Folds `messages` (ascending seq, each seq once) and reads the board at `now`; a new object only when it changed. */
  update(messages: readonly CallMessage[], now: number): CallsBoard {
    const prev = this.#folded;
    if (messages !== prev) {
      this.#folded = messages;
      let from = prev.length;
      if (!extends_(prev, messages)) {
        this.#folder = new CallsFolder();
        from = 0;
      }
      for (let i = from; i < messages.length; i++) this.#folder.apply(messages[i] as CallMessage);
    }
    return this.#folder.at(now);
  }

  /** The board of the messages folded so far, read at `now`. */
  at(now: number): CallsBoard {
    return this.#folder.at(now);
  }

  /** When time alone next changes the board read last (see `CallsFolder.nextChange`). */
  get nextChange(): number {
    return this.#folder.nextChange;
  }
}

/** Whether `next` starts with exactly the message objects of `prev` (only appended to). */
function extends_(prev: readonly CallMessage[], next: readonly CallMessage[]): boolean {
  if (next.length < prev.length) return false;
  for (let i = 0; i < prev.length; i++) if (prev[i] !== next[i]) return false;
  return true;
}
