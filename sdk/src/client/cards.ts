/**
 * `client.cards`: a board per conversation (its cards folded from its
 * confirmed messages) and the checked ways to post cards and act on them.
 * Only this thin part loads with the chat: the schemas, the fold and the
 * checks (`cards-runtime.ts`) come in through one dynamic import on first use.
 */
import type { CardsApi, CartAddition } from "../cards/api.js";
import type { CardBoard } from "../cards/state.js";
import type { MessageBody } from "../codec.js";
import type { ChatMessage } from "../conversation-tracker.js";
import { ParleyError } from "../errors.js";
import type { Card, CardEvent } from "../protocol/cards/wire.js";
import type { StateStore } from "../state-store.js";
import type { CardsRuntime } from "./cards-runtime.js";
import type { ClientCore } from "./core.js";
import { LazyBoards } from "./lazy-boards.js";

/** What the cards module uses of the client. */
export interface CardsHost {
  core: ClientCore;
  send: (convId: string, body: MessageBody) => Promise<ChatMessage>;
  /** The conversation's board store (made empty on first use). */
  board: (convId: string) => StateStore<CardBoard>;
}

/** Why a card or card event is refused before it is queued. */
export interface Refusal {
  code: "forbidden" | "card_invalid" | "card_rejected";
  message: string;
}

/** The board of a conversation whose cards have not been folded yet. */
const EMPTY_BOARD: CardBoard = { cards: new Map(), events: new Map() };

/** `client.cards` (see {@link CardsApi}): the board stores, and the runtime loaded on first use. */
export class ClientCards implements CardsApi {
  readonly #host: CardsHost;
  readonly #lazy: LazyBoards<CardsRuntime, CardBoard>;

  constructor(core: ClientCore, send: (convId: string, body: MessageBody) => Promise<ChatMessage>) {
    this.#host = { core, send, board: (convId) => this.board(convId) };
    this.#lazy = new LazyBoards(
      () => import("./cards-runtime.js").then((m) => new m.CardsRuntime(this.#host)),
      EMPTY_BOARD,
      (error) => core.report(error),
    );
  }

  board(convId: string): StateStore<CardBoard> {
    return this.#lazy.board(convId);
  }

  async post(convId: string, card: Card): Promise<ChatMessage> {
    refuse(await (await this.#lazy.runtime()).postRefusal(card));
    return this.#host.send(convId, { type: "card", card: { ...card } });
  }

  async act(convId: string, event: CardEvent): Promise<ChatMessage> {
    refuse(await (await this.#lazy.runtime()).actRefusal(convId, event));
    return this.#host.send(convId, { type: "card-event", event });
  }

  async addToCart(convId: string, cart: string, addition: CartAddition): Promise<string> {
    const event = (await this.#lazy.runtime()).addition(cart, addition);
    await this.act(convId, event);
    return event.line;
  }
}

/** Throws the refusal, if there is one. */
function refuse(refusal: Refusal | undefined): void {
  if (refusal) throw new ParleyError(refusal.code, refusal.message);
}
