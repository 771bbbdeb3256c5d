/**
 * The order card: number, lines (quantity, name, options, unit price, picture),
 * totals, the status timeline with the current step marked, the tracking link
 * and the actions the shop offers. "Reorder" sends a text ("Reorder PX-1001")
 * the shop's bot answers; "Ask about this order" puts "About order PX-1001: "
 * in the composer. Any member can start a bill split from it; the shop's
 * team gets its own controls instead (team.ts).
 */
import type { OrderState, OrderStatus } from "@parley/sdk";
import type { TemplateResult } from "lit";
import { cardHeading, moneyRow, ORDER_PATH as PATH } from "./parts.js";
import { renderOrderTeam, type TeamDraft } from "./team.js";
import { type CardView, safeUrl } from "./view.js";

/** The statuses the timeline lists: the usual path, or what happened up to a cancellation. */
function timeline(state: OrderState): readonly OrderStatus[] {
  if (state.status !== "cancelled") return PATH;
  const reached = state.steps.map((s) => s.status).filter((s, i, all) => s !== "cancelled" && all.indexOf(s) === i);
  return [...reached, "cancelled"];
}

/** Renders an order card; `split` opens the split dialog (from the clicked button), `draft` holds the team forms' errors. */
export function renderOrder(
  state: OrderState,
  v: CardView,
  split: (opener: HTMLElement) => void,
  draft: TeamDraft,
): TemplateResult {
  const { html, nothing } = v.kit;
  const { card } = state;
  const cur = card.currency;
  const reached = new Set(state.steps.map((s) => s.status));
  // A step before the current one on the usual path is done even when the shop skipped it (an order posted as
  // "confirmed" was placed).
  const at = PATH.indexOf(state.status);
  const done = (status: OrderStatus) => reached.has(status) || (PATH.includes(status) && PATH.indexOf(status) < at);
  const tracking = safeUrl(state.trackingUrl);
  const actions = card.actions ?? [];
  return html`${cardHeading(state, v.s.t("order.title", { number: card.number }), v)}
    <ul class="lines">
      ${card.items.map((item) => {
        const image = safeUrl(item.image);
        return html`<li>
          ${image ? html`<img src=${image} alt=${v.s.t("order.imageAlt", { name: item.name })} width="40" height="40" loading="lazy" referrerpolicy="no-referrer" />` : nothing}
          <span class="what">
            <span class="name" dir="auto">${v.s.t("order.line", { quantity: item.quantity, name: item.name })}</span>
            ${item.options?.length ? html`<span class="sub" dir="auto">${item.options.join(", ")}</span>` : nothing}
            ${item.note ? html`<span class="sub" dir="auto">${item.note}</span>` : nothing}
            <span class="sub">${v.s.t("order.each", { price: v.money(item.unitPrice, cur) })}</span>
          </span>
          <span class="amount">${v.money(item.unitPrice * item.quantity, cur)}</span>
        </li>`;
      })}
    </ul>
    <dl class="totals">
      ${moneyRow(v, v.s.t("order.subtotal"), state.subtotal, cur)}
      ${card.tax ? moneyRow(v, v.s.t("order.tax"), card.tax, cur) : nothing}
      ${card.delivery ? moneyRow(v, v.s.t("order.delivery"), card.delivery, cur) : nothing}
      ${moneyRow(v, v.s.t("order.total"), state.total, cur, "total")}
    </dl>
    <ol class="steps" aria-label=${v.s.t("order.timeline")}>
      ${timeline(state).map(
        (status) =>
          html`<li class=${status === state.status ? "current" : done(status) ? "done" : "todo"}
            data-status=${status} aria-current=${status === state.status ? "step" : nothing}>${v.s.t(`status.${status}`)}</li>`,
      )}
    </ol>
    <div class="actions">
      ${tracking ? html`<a class="button" href=${tracking} target="_blank" rel="noopener noreferrer nofollow">${v.s.t("order.track")}</a>` : nothing}
      ${
        actions.includes("reorder") && !v.team
          ? html`<button type="button" ?disabled=${v.busy} @click=${() => v.say(v.s.t("order.reorder.text", { number: card.number }))}>${v.s.t("order.reorder")}</button>`
          : nothing
      }
      ${
        actions.includes("contact") && !v.team
          ? html`<button type="button" @click=${() => v.compose(v.s.t("order.contact.text", { number: card.number }))}>${v.s.t("order.contact")}</button>`
          : nothing
      }
      ${
        v.me && !v.team && state.status !== "cancelled"
          ? html`<button type="button" data-action="split" ?disabled=${v.busy}
              @click=${(e: Event) => split(e.currentTarget as HTMLElement)}>${v.s.t("order.split")}</button>`
          : nothing
      }
    </div>
    ${renderOrderTeam(state, v, draft)}`;
}
