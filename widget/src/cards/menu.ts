/**
 * The menu card: its sections and items with prices, descriptions and
 * options, and "Start a group order", which posts a cart card for this menu.
 */
import type { MenuState } from "@parley/sdk";
import type { TemplateResult } from "lit";
import { cardHeading } from "./parts.js";
import type { CardView } from "./view.js";

/** Renders a menu card. */
export function renderMenu(state: MenuState, v: CardView): TemplateResult {
  const { html, nothing } = v.kit;
  const { card } = state;
  const cur = card.currency;
  return html`${cardHeading(state, card.title, v)}
    ${card.sections.map(
      (section) => html`<section>
        <h4 dir="auto">${section.name}</h4>
        <ul class="lines">
          ${section.items.map(
            (item) => html`<li>
              <span class="what">
                <span class="name" dir="auto">${item.name}</span>
                ${item.description ? html`<span class="sub" dir="auto">${item.description}</span>` : nothing}
                ${
                  item.options?.length
                    ? html`<span class="sub" dir="auto">${item.options
                        .map((o) => v.s.t("menu.option", { name: o.name, price: v.money(o.price, cur) }))
                        .join(", ")}</span>`
                    : nothing
                }
              </span>
              <span class="amount">${v.money(item.price, cur)}</span>
            </li>`,
          )}
        </ul>
      </section>`,
    )}
    ${
      v.me && !v.team
        ? html`<div class="actions"><button type="button" class="primary" data-action="start" ?disabled=${v.busy}
            @click=${() => v.post({ kind: "cart", v: 1, menu: state.id })}>${v.s.t("menu.start")}</button></div>`
        : nothing
    }`;
}
