/**
 * Typing and read markers as the client wires them: outgoing typing throttled
 * per conversation, incoming typing timed out, read markers coalesced into one
 * request per conversation, each reflected in the conversation's state.
 */
import { ParleyError } from "../errors.js";
import { ReadCoalescer, TypingSender, TypingWatch } from "../signals.js";
import type { ClientCore } from "./core.js";

export class ConversationSignals {
  readonly #core: ClientCore;
  readonly #typingOut = new TypingSender((convId, active) => this.#sendTyping(convId, active));
  readonly #typingIn = new TypingWatch((convId, principalId, active) => {
    this.#core.tracker(convId).setTyping(this.#typingIn.typing(convId));
    this.#core.events.emit("typing", { conversationId: convId, principalId, active });
  });
  readonly #reads = new ReadCoalescer(async (convId, seq) => {
    const result = await this.#core.request("signal.read", { convId, seq });
    this.#core.tracker(convId).setReadUpTo(result.seq);
  });

  constructor(core: ClientCore) {
    this.#core = core;
  }

  /** This principal is typing (or stopped) in `convId`. */
  typing(convId: string, active: boolean): void {
    this.#typingOut.set(convId, active);
  }

  /** Another principal's typing signal. */
  typingSignal(convId: string, principalId: string, active: boolean): void {
    this.#typingIn.signal(convId, principalId, active);
  }

  /** Moves this principal's read marker (shown at once, sent coalesced). */
  markRead(convId: string, seq: number): Promise<void> {
    if (!Number.isSafeInteger(seq) || seq < 0) {
      return Promise.reject(new ParleyError("bad_request", "seq must be a whole number >= 0"));
    }
    const tracker = this.#core.tracker(convId);
    const { messages, info } = tracker.state.value;
    // Shown read at once, up to what this client knows exists; the gateway has the last word.
    tracker.setReadUpTo(Math.min(seq, Math.max(messages.at(-1)?.seq ?? 0, info?.lastSeq ?? 0)));
    return this.#reads.mark(convId, seq);
  }

  /** Sends the read markers still waiting. */
  flushReads(): Promise<void> {
    return this.#reads.flush();
  }

  /** Stops the typing timers. */
  clearTyping(): void {
    this.#typingIn.clear();
    this.#typingOut.clear();
  }

  /** Refuses the read markers still waiting (the client closed). */
  refuseReads(): void {
    this.#reads.clear(new ParleyError("unavailable", "client closed"));
  }

  #sendTyping(convId: string, active: boolean): void {
    if (this.#core.status.value.state !== "connected") return;
    this.#core.request("signal.typing", { convId, active }).catch(this.#core.report);
  }
}
