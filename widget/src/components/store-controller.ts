/**
 * Binds a Lit element to an SDK `StateStore`: subscribes while the element is
 * connected and re-renders on every change. The store can be swapped (a new
 * client or conversation) with `set`.
 */
import type { StateStore } from "@parley/sdk";
import type { ReactiveController, ReactiveControllerHost } from "lit";

/** Re-renders its host whenever the SDK state store it follows changes. */
export class StoreController<T> implements ReactiveController {
  /** The store's current value (undefined while it follows none). */
  value: T | undefined;
  #store: StateStore<T> | undefined;
  #unsubscribe: (() => void) | undefined;
  #connected = false;
  readonly #host: ReactiveControllerHost;
  readonly #onChange: ((next: T, prev: T | undefined) => void) | undefined;

  constructor(host: ReactiveControllerHost, onChange?: (next: T, prev: T | undefined) => void) {
    this.#host = host;
    this.#onChange = onChange;
    host.addController(this);
  }

  /** Follows another store (or none). */
  set(store: StateStore<T> | undefined): void {
    if (store === this.#store) return;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    this.#store = store;
    this.value = store?.value;
    if (this.#connected) this.#follow();
    this.#host.requestUpdate();
  }

  hostConnected(): void {
    this.#connected = true;
    this.#follow();
  }

  hostDisconnected(): void {
    this.#connected = false;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #follow(): void {
    if (!this.#store || this.#unsubscribe) return;
    this.#unsubscribe = this.#store.subscribe((next, prev) => {
      this.value = next;
      this.#onChange?.(next, prev);
      this.#host.requestUpdate();
    });
  }
}
