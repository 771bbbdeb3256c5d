/**
 * The part of `client.cards` that loads on first use, through the one dynamic
 * import in `cards.ts`: the card schemas (zod), the fold, and the checks made
 * before a card or event is queued. Nothing reachable from the SDK's entry
 * imports this module statically, so a chat that shows no card never
 * downloads any of it.
 */
import type { CartAddition } from "../cards/api.js";
import { BoardFolder } from "../cards/board-folder.js";
import { wouldApply } from "../cards/fold.js";
import type { CardBoard, CardMessage } from "../cards/state.js";
import { gapless } from "../gapless.js";
import { cardProblem, parseCardEvent } from "../protocol/cards/schemas.js";
import type { Card, CardEvent } from "../protocol/cards/wire.js";
import { randomId } from "../protocol/ids.js";
import type { StateStore } from "../state-store.js";
import type { CardsHost, Refusal } from "./cards.js";

/** Card kinds only the shop's team (agents, bots) may post. */
const TEAM_KINDS: ReadonlySet<string> = new Set(["order", "menu"]);

/** `client.cards` once loaded: a folder per followed conversation, and the checked sends. */
export class CardsRuntime {
  readonly #host: CardsHost;
  readonly #folders = new Map<string, BoardFolder>();

  constructor(host: CardsHost) {
    this.#host = host;
  }

  /** Folds the conversation into its board store from now on (once per conversation); returns its folder. */
  follow(convId: string): BoardFolder {
    let folder = this.#folders.get(convId);
    if (folder) return folder;
    const made = new BoardFolder();
    folder = made;
    this.#folders.set(convId, made);
    const store: StateStore<CardBoard> = this.#host.board(convId);
    this.#host.core.tracker(convId).state.subscribe((s) => store.set(made.update(gapless(s.messages, s.lastSeq))));
    return made;
  }

  /** Why this principal may not post `card`, if it may not. */
  async postRefusal(card: Card): Promise<Refusal | undefined> {
    const { core } = this.#host;
    const kind = core.requireSession().principal.kind;
    if (TEAM_KINDS.has(card?.kind)) {
      if (kind !== "agent" && kind !== "bot") {
        return { code: "forbidden", message: `only the shop's team may post ${card.kind} cards` };
      }
      if (!(await this.#vouches())) {
        return { code: "forbidden", message: "this device does not hold the shop's team key yet" };
      }
    }
    const problem = cardProblem(card);
    return problem === undefined ? undefined : { code: "card_invalid", message: problem };
  }

  /** Whether readers will take this device's messages as the team's: with end-to-end encryption, only when vouched. */
  async #vouches(): Promise<boolean> {
    const { core } = this.#host;
    const kind = core.requireSession().principal.kind;
    if (kind !== "agent" && kind !== "bot") return false;
    return core.e2e === undefined || (await core.e2e.team.signer()) !== undefined;
  }

  /** Why `event` would not be applied if this principal sent it now, if it would not. */
  async actRefusal(convId: string, event: CardEvent): Promise<Refusal | undefined> {
    const { core } = this.#host;
    const principal = core.requireSession().principal;
    if (parseCardEvent(event) === undefined) {
      return { code: "card_invalid", message: cardProblem(event, "event") ?? "the card event is malformed" };
    }
    const fromTeam = await this.#vouches();
    const folder = this.follow(convId);
    const last = core.tracker(convId).state.value.messages.at(-1);
    // The event as the fold would read it once stored: after everything this client holds.
    const next: CardMessage = {
      seq: (last?.seq ?? 0) + 1,
      msgId: randomId(),
      sender: principal.id,
      ts: Math.max(Date.now(), last?.ts ?? 0),
      fromTeam,
      body: { type: "card-event", event } as CardMessage["body"],
    };
    if (wouldApply(folder.board, next)) return undefined;
    return { code: "card_rejected", message: `the ${event.op} event on card ${event.card} would be ignored` };
  }

  /** An `add` event for a new line (a random id matching `CARD_LOCAL_ID_PATTERN`). */
  addition(cart: string, { item, quantity, options, note }: CartAddition): CardEvent & { op: "add" } {
    return {
      v: 1,
      card: cart,
      op: "add",
      line: randomId("l"),
      item,
      quantity,
      ...(options ? { options } : {}),
      ...(note !== undefined ? { note } : {}),
    };
  }
}
