/** A subscriber of a {@link StateStore}: `prev` is undefined on the first call (the current value). */
export type StateListener<T> = (next: T, prev: T | undefined) => void;

/**
 * A small framework-free state container. `subscribe` calls the handler with
 * the current value at once and then with `(next, prev)` on every change, so a
 * UI binding never misses the initial state.
 */
export class StateStore<T> {
  #value: T;
  readonly #listeners = new Set<StateListener<T>>();

  constructor(initial: T) {
    this.#value = initial;
  }

  /** The current value. */
  get value(): T {
    return this.#value;
  }

  /** Replaces the value (or derives it from the previous one) and notifies subscribers when it changed. */
  set(next: T | ((prev: T) => T)): void {
    const prev = this.#value;
    const value = typeof next === "function" ? (next as (prev: T) => T)(prev) : next;
    if (Object.is(value, prev)) return;
    this.#value = value;
    for (const listener of [...this.#listeners]) listener(value, prev);
  }

  /** Returns an unsubscribe function. */
  subscribe(listener: StateListener<T>): () => void {
    this.#listeners.add(listener);
    listener(this.#value, undefined);
    return () => this.#listeners.delete(listener);
  }
}
