/**
 * The group cart: lines grouped by person with each person's subtotal, the
 * total and where the cart is. While it is open everyone adds items from its
 * menu (cart-picker.ts) and changes or removes their own lines; the starter
 * locks, unlocks, submits or cancels it. Buttons that cannot act now are
 * disabled with the reason beside them.
 */
import type { CartLine, CartState, MenuState } from "@parley/sdk";
import type { TemplateResult } from "lit";
import { type CartPick, renderPicker } from "./cart-picker.js";
import { cardHeading, moneyRow } from "./parts.js";
import type { CardView } from "./view.js";

/** Renders a cart card; `menu` is its menu's state when loaded, `pick` the picker's form state. */
export function renderCart(state: CartState, menu: MenuState | undefined, pick: CartPick, v: CardView): TemplateResult {
  const { html, nothing } = v.kit;
  const cur = state.currency;
  const open = state.status === "open";
  const starter = v.me === state.by;
  const line = (l: CartLine) => {
    const mine = open && l.by === v.me;
    return html`<li data-line=${l.line}>
      <span class="what">
        <span class="name" dir="auto">${v.s.t("order.line", { quantity: l.quantity, name: l.item.name })}</span>
        ${l.options.length ? html`<span class="sub" dir="auto">${l.options.map((o) => o.name).join(", ")}</span>` : nothing}
        ${l.note ? html`<span class="sub" dir="auto">${l.note}</span>` : nothing}
      </span>
      ${
        mine
          ? html`<span class="stepper" role="group" aria-label=${v.s.t("cart.qtyOf", { item: l.item.name })}>
              <button type="button" aria-label=${v.s.t("cart.less")} ?disabled=${v.busy || l.quantity <= 1}
                @click=${() => v.act({ op: "set", line: l.line, quantity: l.quantity - 1 })}>−</button>
              <span aria-live="polite">${l.quantity}</span>
              <button type="button" aria-label=${v.s.t("cart.more")} ?disabled=${v.busy || l.quantity >= 99}
                @click=${() => v.act({ op: "set", line: l.line, quantity: l.quantity + 1 })}>+</button>
              <button type="button" data-action="remove" aria-label=${v.s.t("cart.remove", { item: l.item.name })} ?disabled=${v.busy}
                @click=${() => v.act({ op: "remove", line: l.line })}>✕</button>
            </span>`
          : nothing
      }
      <span class="amount">${v.money(l.total, cur)}</span>
    </li>`;
  };
  const submitReason = state.lines.length === 0 ? "cart.why.empty" : undefined;
  const controls =
    starter && (open || state.status === "locked")
      ? html`<div class="actions">
          ${
            open
              ? html`<button type="button" data-action="lock" ?disabled=${v.busy} @click=${() => v.act({ op: "lock" })}>${v.s.t("cart.lock")}</button>`
              : html`<button type="button" data-action="unlock" ?disabled=${v.busy} @click=${() => v.act({ op: "unlock" })}>${v.s.t("cart.unlock")}</button>`
          }
          <button type="button" class="primary" data-action="submit" ?disabled=${v.busy || !!submitReason}
            aria-describedby=${submitReason ? "why" : nothing} @click=${() => v.act({ op: "submit" })}>${v.s.t("cart.submit")}</button>
          <button type="button" data-action="cancel" ?disabled=${v.busy} @click=${() => v.act({ op: "cancel" })}>${v.s.t("cart.cancel")}</button>
        </div>
        ${submitReason ? html`<p class="why" id="why">${v.s.t(submitReason)}</p>` : nothing}`
      : !starter && (open || state.status === "locked")
        ? html`<p class="why">${v.s.t(open ? "cart.why.starter" : "cart.why.locked", { name: v.name(state.by) })}</p>`
        : nothing;
  return html`${cardHeading(state, state.title ?? v.s.t("cart.title"), v)}
    <p class="sub">${v.s.t(starter ? "cart.fromYou" : "cart.from", { menu: state.menuTitle, name: v.name(state.by) })}</p>
    <p class="status" data-status=${state.status}>${v.s.t(`cart.status.${state.status}`)}</p>
    ${
      state.lines.length === 0
        ? html`<p class="sub">${v.s.t("cart.empty")}</p>`
        : state.people.map(
            (p) => html`<section class="person" data-person=${p.principal}>
              <h4>${v.name(p.principal)}</h4>
              <ul class="lines">${state.lines.filter((l) => l.by === p.principal).map(line)}</ul>
              <dl class="totals">${moneyRow(v, p.principal === v.me ? v.s.t("cart.subtotalYou") : v.s.t("cart.subtotal", { name: v.name(p.principal) }), p.subtotal, cur)}</dl>
            </section>`,
          )
    }
    <dl class="totals">${moneyRow(v, v.s.t("cart.total"), state.total, cur, "total")}</dl>
    ${open && v.me && !v.team ? (menu ? renderPicker(state, menu, pick, v) : html`<p class="sub">${v.s.t("cart.noMenu")}</p>`) : nothing}
    ${controls}
    ${
      state.status === "ordered" && state.order
        ? html`<div class="actions"><button type="button" data-action="see-order" @click=${() => v.reveal(state.order as string)}>${v.s.t("cart.ordered")}</button></div>`
        : nothing
    }`;
}
