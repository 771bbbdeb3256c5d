/**
 * `client.cards`: a board per conversation (its cards folded from its
 * confirmed messages) and the checked ways to post cards and act on them.
 * The schemas and the fold come in through one dynamic import of
 * `cards/runtime.ts` on first use, so the chat's first load carries neither.
 */
import type { CardsApi, CartAddition } from "../cards/api.js";
import type { CardBoard, CardMessage } from "../cards/state.js";
import type { MessageBody } from "../codec.js";
import type { ChatMessage } from "../conversation-tracker.js";
import { ParleyError } from "../errors.js";
import type { Card, CardEvent } from "../protocol/cards/wire.js";
import { randomId } from "../protocol/ids.js";
import { StateStore } from "../state-store.js";
import type { ClientCore } from "./core.js";

type Runtime = typeof import("../cards/runtime.js");

/** Card kinds only the shop's team (agents, bots) may post. */
const TEAM_KINDS: ReadonlySet<string> = new Set(["order", "menu"]);

/** The board of a conversation whose cards have not been folded yet. */
const EMPTY_BOARD: CardBoard = { cards: new Map(), events: new Map() };

export class ClientCards implements CardsApi {
  readonly #core: ClientCore;
  readonly #send: (convId: string, body: MessageBody) => Promise<ChatMessage>;
  readonly #boards = new Map<string, StateStore<CardBoard>>();
  #runtime: Promise<Runtime> | undefined;

  constructor(core: ClientCore, send: (convId: string, body: MessageBody) => Promise<ChatMessage>) {
    this.#core = core;
    this.#send = send;
  }

  /** The schemas and the fold, loaded once (again after a failed load). */
  load(): Promise<Runtime> {
    this.#runtime ??= import("../cards/runtime.js").catch((error: unknown) => {
      this.#runtime = undefined;
      throw error;
    });
    return this.#runtime;
  }

  board(convId: string): StateStore<CardBoard> {
    let store = this.#boards.get(convId);
    if (store) return store;
    const board = new StateStore<CardBoard>(EMPTY_BOARD);
    store = board;
    this.#boards.set(convId, board);
    this.load().then(
      (runtime) => {
        const folder = new runtime.BoardFolder();
        this.#core.tracker(convId).state.subscribe((s) => board.set(folder.update(s.messages)));
      },
      (error: unknown) => {
        // Another call to board() for this conversation tries again.
        this.#boards.delete(convId);
        this.#core.report(error);
      },
    );
    return board;
  }

  async post(convId: string, card: Card): Promise<ChatMessage> {
    const kind = this.#core.requireSession().principal.kind;
    if (TEAM_KINDS.has(card?.kind) && kind !== "agent" && kind !== "bot") {
      throw new ParleyError("forbidden", `only the shop's team may post ${card.kind} cards`);
    }
    const runtime = await this.load();
    const problem = runtime.cardProblem(card);
    if (problem !== undefined) throw new ParleyError("card_invalid", problem);
    return this.#send(convId, { type: "card", card });
  }

  async act(convId: string, event: CardEvent): Promise<ChatMessage> {
    const principal = this.#core.requireSession().principal;
    const runtime = await this.load();
    if (runtime.parseCardEvent(event) === undefined) {
      throw new ParleyError("card_invalid", runtime.cardProblem(event, "event") ?? "the card event is malformed");
    }
    const messages = this.#core.tracker(convId).state.value.messages;
    const last = messages.at(-1);
    const candidate: CardMessage = {
      seq: (last?.seq ?? 0) + 1,
      msgId: randomId("probe_"),
      sender: principal.id,
      ts: Math.max(Date.now(), last?.ts ?? 0),
      fromTeam: principal.kind === "agent" || principal.kind === "bot",
      body: { type: "card-event", event } as CardMessage["body"],
    };
    if (!runtime.wouldApply(messages, candidate)) {
      throw new ParleyError("card_rejected", `the ${event.op} event on card ${event.card} would be ignored`);
    }
    return this.#send(convId, { type: "card-event", event });
  }

  async addToCart(convId: string, cart: string, addition: CartAddition): Promise<string> {
    const line = randomId("l");
    const event: CardEvent = {
      v: 1,
      card: cart,
      op: "add",
      line,
      item: addition.item,
      quantity: addition.quantity,
      ...(addition.options ? { options: addition.options } : {}),
      ...(addition.note !== undefined ? { note: addition.note } : {}),
    };
    await this.act(convId, event);
    return line;
  }
}
