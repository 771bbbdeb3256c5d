/**
 * The client side of ephemeral signals, kept apart from the client so the
 * timing rules can be tested alone:
 *
 * - {@link TypingSender}: at most one "typing" per conversation every 3 s while
 *   typing, and one "stopped" when it stops.
 * - {@link ReadCoalescer}: read markers only move forward, and the calls of
 *   one ~500 ms window become one request with the highest seq.
 * - {@link TypingWatch}: who is typing where, with the 6 s timeout that clears
 *   a typist whose "stopped" never came.
 */

/** Options of {@link TypingSender}. */
export interface TypingSenderOptions {
  /** Least time between two "typing" signals for one conversation, ms. @default 3000 */
  intervalMs?: number;
  now?: () => number;
}

/** Throttles this client's own typing signals; `send` is fire and forget. */
export class TypingSender {
  readonly #send: (convId: string, active: boolean) => void;
  readonly #intervalMs: number;
  readonly #now: () => number;
  /** Conversations this client is typing in, with when "typing" was last sent. */
  readonly #active = new Map<string, number>();

  constructor(send: (convId: string, active: boolean) => void, options: TypingSenderOptions = {}) {
    this.#send = send;
    this.#intervalMs = options.intervalMs ?? 3000;
    this.#now = options.now ?? Date.now;
  }

  /** Says whether this client is typing in `convId`; sends only what the throttle lets through. */
  set(convId: string, active: boolean): void {
    const last = this.#active.get(convId);
    if (active) {
      const now = this.#now();
      if (last !== undefined && now - last < this.#intervalMs) return;
      this.#active.set(convId, now);
      this.#send(convId, true);
    } else if (last !== undefined) {
      this.#active.delete(convId);
      this.#send(convId, false);
    }
  }

  /** Whether a "typing" is standing for the conversation (no "stopped" sent since). */
  isActive(convId: string): boolean {
    return this.#active.has(convId);
  }

  /** Forgets every standing signal without sending anything (the connection is going). */
  clear(): void {
    this.#active.clear();
  }
}

export interface ReadCoalescerOptions {
  /** The window whose calls share one request, ms. @default 500 */
  delayMs?: number;
}

interface PendingRead {
  seq: number;
  timer: ReturnType<typeof setTimeout>;
  done: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * Coalesces read markers per conversation. A call with a seq at or below what
 * was already sent (or is waiting to be) changes nothing and resolves with the
 * request that covers it; the first call of a window starts a timer, and when
 * it fires one request goes out with the highest seq of the window.
 */
export class ReadCoalescer {
  readonly #send: (convId: string, seq: number) => Promise<void>;
  readonly #delayMs: number;
  /** Highest seq sent (or in flight) per conversation. */
  readonly #sent = new Map<string, number>();
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #pending = new Map<string, PendingRead>();

  constructor(send: (convId: string, seq: number) => Promise<void>, options: ReadCoalescerOptions = {}) {
    this.#send = send;
    this.#delayMs = options.delayMs ?? 500;
  }

  /** The highest seq asked for so far (sent or waiting), 0 when none. */
  marked(convId: string): number {
    return Math.max(this.#sent.get(convId) ?? 0, this.#pending.get(convId)?.seq ?? 0);
  }

  /** Marks `seq` read in `convId`: resolves (or rejects) with the one request that carries it. */
  mark(convId: string, seq: number): Promise<void> {
    const pending = this.#pending.get(convId);
    if (pending) {
      pending.seq = Math.max(pending.seq, seq);
      return pending.done;
    }
    if (seq <= (this.#sent.get(convId) ?? 0)) return this.#inFlight.get(convId) ?? Promise.resolve();
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const done = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const timer = setTimeout(() => this.#fire(convId), this.#delayMs);
    this.#pending.set(convId, { seq, timer, done, resolve, reject });
    return done;
  }

  /** Sends every waiting marker now (a client closing), resolving when they are all answered. */
  async flush(): Promise<void> {
    const ids = [...this.#pending.keys()];
    for (const convId of ids) this.#fire(convId);
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  /** Drops waiting markers: their callers get `error`. */
  clear(error: Error): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }

  #fire(convId: string): void {
    const pending = this.#pending.get(convId);
    if (!pending) return;
    this.#pending.delete(convId);
    clearTimeout(pending.timer);
    const before = this.#sent.get(convId) ?? 0;
    if (pending.seq <= before) {
      pending.resolve();
      return;
    }
    this.#sent.set(convId, pending.seq);
    const request = this.#send(convId, pending.seq).then(
      () => pending.resolve(),
      (error: Error) => {
        // Not sent after all: a later call with the same seq may try again.
        if (this.#sent.get(convId) === pending.seq) this.#sent.set(convId, before);
        pending.reject(error);
      },
    );
    this.#inFlight.set(convId, pending.done);
    void request.finally(() => {
      if (this.#inFlight.get(convId) === pending.done) this.#inFlight.delete(convId);
    });
  }
}

export interface TypingWatchOptions {
  /** A typist not heard from for this long stops typing, ms. @default 6000 */
  timeoutMs?: number;
}

/** Other principals' typing, per conversation, with a timeout for the "stopped" that never came. */
export class TypingWatch {
  readonly #onChange: (convId: string, principalId: string, active: boolean) => void;
  readonly #timeoutMs: number;
  readonly #timers = new Map<string, Map<string, ReturnType<typeof setTimeout>>>();

  constructor(
    onChange: (convId: string, principalId: string, active: boolean) => void,
    options: TypingWatchOptions = {},
  ) {
    this.#onChange = onChange;
    this.#timeoutMs = options.timeoutMs ?? 6000;
  }

  /**
   * A signal from the gateway. Every "typing" is passed on (and restarts the
   * timeout); a "stopped" only when that principal was typing.
   */
  signal(convId: string, principalId: string, active: boolean): void {
    let conv = this.#timers.get(convId);
    const running = conv?.get(principalId);
    if (running !== undefined) clearTimeout(running);
    if (active) {
      if (!conv) {
        conv = new Map();
        this.#timers.set(convId, conv);
      }
      conv.set(
        principalId,
        setTimeout(() => this.signal(convId, principalId, false), this.#timeoutMs),
      );
      this.#onChange(convId, principalId, true);
    } else if (running !== undefined && conv) {
      conv.delete(principalId);
      if (conv.size === 0) this.#timers.delete(convId);
      this.#onChange(convId, principalId, false);
    }
  }

  /** Principals typing in the conversation now. */
  typing(convId: string): string[] {
    return [...(this.#timers.get(convId)?.keys() ?? [])];
  }

  /** Stops every timeout without reporting anything. */
  clear(): void {
    for (const conv of this.#timers.values()) for (const timer of conv.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
