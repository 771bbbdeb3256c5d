/** A typed event emitter over an event map `{ name: payload }`. */
export class Emitter<Events extends object> {
  readonly #handlers = new Map<keyof Events, Set<(payload: never) => void>>();

  /** Returns an unsubscribe function. */
  on<K extends keyof Events>(event: K, handler: (payload: Events[K]) => void): () => void {
    let set = this.#handlers.get(event);
    if (!set) {
      set = new Set();
      this.#handlers.set(event, set);
    }
    set.add(handler as (payload: never) => void);
    return () => set.delete(handler as (payload: never) => void);
  }

  emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#handlers.get(event);
    if (!set) return;
    for (const handler of [...set]) {
      try {
        (handler as (payload: Events[K]) => void)(payload);
      } catch (err) {
        // A failing listener must not break delivery to the others or the client itself:
        // report it the way the platform reports uncaught errors, without throwing.
        const report = (globalThis as { reportError?: (e: unknown) => void }).reportError;
        if (report) report(err);
        else console.error(err);
      }
    }
  }

  clear(): void {
    this.#handlers.clear();
  }
}
