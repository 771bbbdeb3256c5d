/**
 * `<parley-card>`: one card of a conversation, drawn from the conversation's
 * card board (`client.cards.board(convId)`, the fold's state) and kept live as
 * its events arrive. Built from the chat's kit (ADR 0026) by `cardClass`.
 * Actions go through `client.cards`; a refusal (`card_rejected`,
 * `card_invalid`, `forbidden`, offline) is said in words in the card
 * (role=alert) and nothing else changes.
 */
import type { CardBoard, CardState, CardsApi, MenuState, OrderState, ParleyClient } from "@parley/sdk";
import type { TemplateResult } from "lit";
import { boardViewClass } from "../components/board-view.js";
import type { PanelKit } from "../components/panel-kit.js";
import { renderCart } from "./cart.js";
import { type CartPick, emptyPick } from "./cart-picker.js";
import { findUp, isTeam, principalOf } from "./dom.js";
import { renderMenu } from "./menu.js";
import { renderOrder } from "./order.js";
import { renderSplit } from "./split.js";
import { newSplitForm, renderSplitDialog, type SplitForm, splitCardOf } from "./split-dialog.js";
import { type CardKey, cardStrings } from "./strings.js";
import { cardStyles } from "./styles.js";
import type { TeamDraft } from "./team.js";
import { type CardView, moneyIn } from "./view.js";

/** What the card needs of its message. */
export interface CardMessageRef {
  convId: string;
  msgId: string;
}

/** The cards API of a client, when it has one. */
export const cardsOf = (client: ParleyClient | undefined) => (client as { cards?: CardsApi } | undefined)?.cards;

/** The words for a failed action. */
function failure(err: unknown): CardKey {
  const e = (err ?? {}) as { name?: unknown; code?: unknown };
  if (e.name === "ConnectionLostError" || e.name === "NotConnectedError" || e.code === "unavailable")
    return "error.offline";
  if (e.code === "card_rejected" || e.code === "card_invalid" || e.code === "forbidden") return `error.${e.code}`;
  return "error.other";
}

/** The `<parley-card>` class built from `kit`. */
export function cardClass(kit: PanelKit): CustomElementConstructor {
  const { html, nothing } = kit;
  const Base = boardViewClass<CardBoard, CardMessageRef>(kit, (client, convId) => cardsOf(client)?.board(convId));
  return class ParleyCard extends Base {
    /** @internal Lit's reactive property declarations. */
    static override properties = {
      ...Base.properties,
      state: { attribute: false },
      busy: { state: true },
      error: { state: true },
    };
    /** @internal */
    static override styles = cardStyles(kit);

    /** The card's state, when given directly instead of read from the board. */
    declare state: CardState | undefined;
    /** @internal */
    declare busy: boolean;
    /** @internal */
    declare error: CardKey | undefined;
    #pick: CartPick = emptyPick();
    #split: SplitForm | undefined;
    #opener: HTMLElement | undefined;
    readonly #team: TeamDraft = new Map();

    constructor() {
      super();
      this.busy = false;
    }

    /** The card shown: the given state, or the board's. */
    get card(): CardState | undefined {
      return this.state ?? (this.message ? this.shownBoard?.cards.get(this.message.msgId) : undefined);
    }

    #other(id: string): CardState | undefined {
      return this.shownBoard?.cards.get(id);
    }

    /** Runs an action; resolves whether it went through (otherwise its refusal is shown). */
    async #run(work: (cards: CardsApi, convId: string) => Promise<unknown>): Promise<boolean> {
      const cards = cardsOf(this.client);
      const convId = this.message?.convId;
      if (!cards || !convId || this.busy) return false;
      // The control pressed: disabled while the action runs, it drops the keyboard focus (to the page's body).
      const pressed = (this.renderRoot as ShadowRoot).activeElement as HTMLElement | null;
      this.busy = true;
      this.error = undefined;
      try {
        await work(cards, convId);
        return true;
      } catch (err) {
        this.error = failure(err);
        return false;
      } finally {
        this.busy = false;
        if (pressed) void this.updateComplete.then(() => this.#refocus(pressed));
      }
    }

    /**
     * Gives the focus back to the control that had it (or, when the action replaced that control,
     * to the card), unless something else took it meanwhile.
     */
    #refocus(pressed: HTMLElement): void {
      const lost = !document.activeElement || document.activeElement === document.body;
      if (!lost) return;
      if (pressed.isConnected) pressed.focus();
      else this.renderRoot.querySelector<HTMLElement>("article")?.focus();
    }

    #view(): CardView {
      const s = cardStrings(this.locale);
      const me = principalOf(this.client);
      const id = this.card?.id ?? "";
      return {
        kit,
        s,
        me,
        team: isTeam(this.client),
        name: (p) => (p === me ? s.t("card.you") : (this.names[p] ?? s.t("card.someone"))),
        money: moneyIn(this.locale),
        busy: this.busy,
        act: (op) => this.#run((c, conv) => c.act(conv, { v: 1, card: id, ...op })),
        post: (card) => void this.#run((c, conv) => c.post(conv, card)),
        add: (addition) =>
          void this.#run(async (c, conv) => {
            await c.addToCart(conv, id, addition);
            this.#pick = emptyPick();
          }),
        say: (text) =>
          void this.#run(async (_c, conv) => {
            await this.client?.send(conv, text);
          }),
        compose: (text) => {
          const composer = findUp(this, "parley-composer") as
            | (HTMLElement & { text: string; updateComplete: Promise<unknown> })
            | undefined;
          if (!composer) return;
          composer.text = text;
          void composer.updateComplete.then(() => composer.shadowRoot?.querySelector("textarea")?.focus());
        },
        reveal: (cardId) => {
          const row = findUp(this, `[data-key="${CSS.escape(cardId)}"]`);
          row?.scrollIntoView({ block: "nearest" });
          (row?.shadowRoot?.querySelector("parley-card") as HTMLElement | null)?.shadowRoot
            ?.querySelector("article")
            ?.focus();
        },
        update: () => this.requestUpdate(),
      };
    }

    #openSplit(order: OrderState, opener: HTMLElement, me: string | undefined): void {
      // Who pays: the people in the chat, never the shop's team (agents `a_`, bots `b_`), who are named too.
      const people = [...new Set([...(me ? [me] : []), ...Object.keys(this.names)])].filter((p) => !/^[ab]_/.test(p));
      this.#split = newSplitForm(order, people);
      this.#opener = opener;
      this.requestUpdate();
      void this.updateComplete.then(() => this.renderRoot.querySelector("dialog")?.showModal());
    }

    #closeSplit = () => {
      this.renderRoot.querySelector("dialog")?.close();
    };

    /** Keeps Tab inside the dialog: from its last control to its first (the chosen method) and back. */
    #onDialogKey = (e: KeyboardEvent) => {
      if (e.key !== "Tab") return;
      const dialog = e.currentTarget as HTMLElement;
      const first = dialog.querySelector<HTMLElement>("input[name=method]:checked");
      const controls = [...dialog.querySelectorAll<HTMLElement>("button:not([disabled])")];
      const last = controls.at(-1);
      const at = (this.renderRoot as ShadowRoot).activeElement;
      const to = e.shiftKey ? (at === first ? last : undefined) : at === last ? first : undefined;
      if (!to) return;
      e.preventDefault();
      to.focus();
    };

    #onDialogClose = () => {
      this.#split = undefined;
      this.requestUpdate();
      this.#opener?.focus();
    };

    #body(card: CardState, v: CardView): TemplateResult {
      switch (card.kind) {
        case "order":
          return renderOrder(card, v, (opener) => this.#openSplit(card, opener, v.me), this.#team);
        case "menu":
          return renderMenu(card, v);
        case "cart":
          return renderCart(card, this.#other(card.menu) as MenuState | undefined, this.#pick, v);
        case "split":
          return renderSplit(card, v, this.#team);
        default:
          return html`<header><h3>${card.named ? v.s.t("unknown.named", { kind: card.named }) : v.s.t("unknown.title")}</h3></header>
            ${card.reason === "invalid" ? html`<p class="sub">${v.s.t("unknown.invalid")}</p>` : nothing}
            <p class="by">${v.s.t("card.postedBy", { name: v.name(card.by) })}</p>`;
      }
    }

    protected override render(): TemplateResult {
      const card = this.card;
      const v = this.#view();
      if (!card) return html`<article aria-busy="true"><p class="sub">${v.s.t("card.loading")}</p></article>`;
      const split = this.#split;
      const postSplit = () => {
        if (!split || card.kind !== "order" || !v.me) return;
        const next = splitCardOf(card, split, v.me);
        if (!next) return this.requestUpdate();
        void this.#run((c, conv) => c.post(conv, next)).then(() => {
          if (!this.error) this.#closeSplit();
        });
      };
      return html`<article tabindex="-1" data-kind=${card.kind}>
        ${this.#body(card, v)}
        ${this.error && !split ? html`<p role="alert" class="error">${v.s.t(this.error)}</p>` : nothing}
      </article>
      ${
        split && card.kind === "order"
          ? html`<dialog aria-labelledby="split-title" @close=${this.#onDialogClose} @keydown=${this.#onDialogKey}>
              ${renderSplitDialog(card, split, v, postSplit, this.#closeSplit)}
              ${this.error ? html`<p role="alert" class="error">${v.s.t(this.error)}</p>` : nothing}
            </dialog>`
          : nothing
      }`;
    }
  };
}
