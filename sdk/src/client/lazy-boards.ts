/**
 * What the thin client modules of on-demand features (`client.cards`,
 * `client.listen`, `client.location`) share: their runtime comes in through
 * one dynamic import on first use (again after a failed load), and each
 * conversation's board is a store made empty at once and filled by the
 * runtime once it has loaded.
 */
import { StateStore } from "../state-store.js";

/** A feature's runtime as far as boards are concerned: it folds a conversation into its board store. */
export interface FollowingRuntime {
  /** Folds the conversation into its board store from now on (once per conversation). */
  follow(convId: string): unknown;
}

/** The runtime loaded once, and the board stores per conversation. */
export class LazyBoards<Runtime extends FollowingRuntime, Board> {
  readonly #import: () => Promise<Runtime>;
  readonly #empty: Board;
  readonly #report: (error: unknown) => void;
  readonly #boards = new Map<string, StateStore<Board>>();
  #runtime: Promise<Runtime> | undefined;

  /**
   * `load` makes the runtime (the dynamic import is inside it, so bundlers split it off); `empty` is
   * the board before anything is folded; `report` takes a failed load of a board (`core.report`).
   */
  constructor(load: () => Promise<Runtime>, empty: Board, report: (error: unknown) => void) {
    this.#import = load;
    this.#empty = empty;
    this.#report = report;
  }

  /** The runtime, loaded once (again after a failed load). */
  runtime(): Promise<Runtime> {
    this.#runtime ??= this.#import().catch((error: unknown) => {
      this.#runtime = undefined;
      throw error;
    });
    return this.#runtime;
  }

  /** The runtime if a load was started (for closing it), else undefined. */
  loaded(): Promise<Runtime> | undefined {
    return this.#runtime;
  }

  /** The conversation's board store: empty at first, filled once the runtime follows it. */
  board(convId: string): StateStore<Board> {
    let store = this.#boards.get(convId);
    if (!store) {
      store = new StateStore<Board>(this.#empty);
      this.#boards.set(convId, store);
      this.runtime().then(
        (runtime) => runtime.follow(convId),
        (error: unknown) => {
          // The next call for this conversation tries again.
          this.#boards.delete(convId);
          this.#report(error);
        },
      );
    }
    return store;
  }
}
