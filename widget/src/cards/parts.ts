/** Pieces every card kind shows: its heading with who posted it, and money rows; the order's usual path. */
import type { CardStateBase, OrderStatus } from "@parley/sdk";
import type { TemplateResult } from "lit";
import type { CardView } from "./view.js";

/** The statuses an order normally moves through (`OrderStatuses` without `cancelled`), in order. */
export const ORDER_PATH: readonly OrderStatus[] = ["placed", "confirmed", "preparing", "out_for_delivery", "delivered"];

/**
 * The card's heading: its title, then "From the shop" only when a verified team device
 * posted it, otherwise who posted it.
 */
export function cardHeading(state: CardStateBase, title: string, v: CardView): TemplateResult {
  const { html } = v.kit;
  return html`<header>
    <h3 dir="auto">${title}</h3>
    ${
      state.fromTeam
        ? html`<span class="mark" data-mark="shop">${v.s.t("card.fromShop")}</span>`
        : html`<span class="by">${
            state.by === v.me ? v.s.t("card.postedByYou") : v.s.t("card.postedBy", { name: v.name(state.by) })
          }</span>`
    }
  </header>`;
}

/** A label and an amount, as one row of a totals list. */
export function moneyRow(v: CardView, label: string, amount: number, currency: string, cls = ""): TemplateResult {
  const { html } = v.kit;
  return html`<div class=${cls}><dt>${label}</dt><dd>${v.money(amount, currency)}</dd></div>`;
}
