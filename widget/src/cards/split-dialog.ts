/**
 * "Split the bill" from an order card: a modal `<dialog>` (the browser traps
 * focus in it and closes it on Escape; the element puts focus back on the
 * button that opened it). The person picks how (equally, by who ordered what,
 * custom amounts, shares), who pays (the conversation's people) and who is
 * paid (the shop for a team's order, or themselves), and posts a split card.
 */
import type { OrderState, SplitCard, SplitMethod } from "@parley/sdk";
import type { TemplateResult } from "lit";
import { parseAmount } from "./money.js";
import type { CardKey } from "./strings.js";
import type { CardView } from "./view.js";

/** The dialog's form state (kept by the element). */
export interface SplitForm {
  method: SplitMethod;
  people: string[];
  chosen: Set<string>;
  amounts: Record<string, string>;
  weights: Record<string, string>;
  payee: "shop" | "me";
  error: CardKey | undefined;
  sum: number;
}

/** A fresh form for `order`: everyone in `people` pays, the shop is paid for a team's order. */
export function newSplitForm(order: OrderState, people: string[]): SplitForm {
  return {
    method: "equal",
    people,
    chosen: new Set(people),
    amounts: {},
    weights: {},
    payee: order.fromTeam ? "shop" : "me",
    error: undefined,
    sum: 0,
  };
}

/** Who ordered the order's lines, in the order they first appear. */
const orderers = (order: OrderState) => [...new Set(order.card.items.map((i) => i.by).filter((b): b is string => !!b))];

/** The split card the form describes, or sets `form.error` and answers undefined. */
export function splitCardOf(order: OrderState, form: SplitForm, me: string): SplitCard | undefined {
  const currency = order.card.currency;
  const base = { kind: "split" as const, v: 1 as const, currency, total: order.total, order: order.id };
  const payee = form.payee === "shop" ? "shop" : me;
  form.error = undefined;
  if (form.method === "items") return { ...base, method: "items", people: orderers(order), payee };
  const people = form.people.filter((p) => form.chosen.has(p));
  if (people.length === 0) {
    form.error = "dialog.none";
    return undefined;
  }
  if (form.method === "equal") return { ...base, method: "equal", people, payee };
  if (form.method === "custom") {
    const amounts = people.map((p) => parseAmount(form.amounts[p] ?? "", currency));
    if (amounts.some((a) => a === undefined)) {
      form.error = "dialog.bad";
      return undefined;
    }
    const sum = (amounts as number[]).reduce((a, b) => a + b, 0);
    if (sum !== order.total) {
      form.error = "dialog.sum";
      form.sum = sum;
      return undefined;
    }
    return { ...base, method: "custom", people, payee, amounts: amounts as number[] };
  }
  const shares = people.map((p) => Number(form.weights[p] ?? "1"));
  if (shares.some((w) => !Number.isInteger(w) || w < 1 || w > 1000)) {
    form.error = "dialog.bad";
    return undefined;
  }
  return { ...base, method: "shares", people, payee, shares };
}

/** Renders the dialog's content; `post` posts, `close` closes. */
export function renderSplitDialog(
  order: OrderState,
  form: SplitForm,
  v: CardView,
  post: () => void,
  close: () => void,
): TemplateResult {
  const { html, nothing } = v.kit;
  const methods: SplitMethod[] = orderers(order).length
    ? ["equal", "items", "custom", "shares"]
    : ["equal", "custom", "shares"];
  const set = (patch: Partial<SplitForm>) => {
    Object.assign(form, patch);
    v.update();
  };
  const cur = order.card.currency;
  return html`<form method="dialog" @submit=${(e: Event) => {
    e.preventDefault();
    post();
  }}>
    <h3 id="split-title">${v.s.t("dialog.title", { number: order.card.number })}</h3>
    <p class="sub">${v.s.t("order.total")}: ${v.money(order.total, cur)}</p>
    <fieldset><legend>${v.s.t("dialog.method")}</legend>
      ${methods.map(
        (m) => html`<label class="check"><input type="radio" name="method" value=${m} .checked=${form.method === m}
          @change=${() => set({ method: m })} />${v.s.t(`split.method.${m}`)}</label>`,
      )}
    </fieldset>
    ${
      form.method === "items"
        ? nothing
        : html`<fieldset><legend>${v.s.t("dialog.people")}</legend>
          ${form.people.map((p) => {
            const name = v.name(p);
            return html`<div class="row person-row">
              <label class="check grow"><input type="checkbox" name="person" value=${p} .checked=${form.chosen.has(p)}
                @change=${(e: Event) => {
                  if ((e.target as HTMLInputElement).checked) form.chosen.add(p);
                  else form.chosen.delete(p);
                  v.update();
                }} />${name}</label>
              ${
                form.method === "custom" && form.chosen.has(p)
                  ? html`<input class="amount-input" type="text" inputmode="decimal" aria-label=${v.s.t("dialog.amount", { name })}
                      .value=${form.amounts[p] ?? ""} @input=${(e: Event) => {
                        form.amounts[p] = (e.target as HTMLInputElement).value;
                      }} />`
                  : nothing
              }
              ${
                form.method === "shares" && form.chosen.has(p)
                  ? html`<input class="amount-input" type="number" min="1" max="1000" aria-label=${v.s.t("dialog.weight", { name })}
                      .value=${form.weights[p] ?? "1"} @input=${(e: Event) => {
                        form.weights[p] = (e.target as HTMLInputElement).value;
                      }} />`
                  : nothing
              }
            </div>`;
          })}
        </fieldset>`
    }
    <fieldset><legend>${v.s.t("dialog.payee")}</legend>
      ${order.fromTeam ? html`<label class="check"><input type="radio" name="payee" value="shop" .checked=${form.payee === "shop"} @change=${() => set({ payee: "shop" })} />${v.s.t("dialog.payee.shop")}</label>` : nothing}
      <label class="check"><input type="radio" name="payee" value="me" .checked=${form.payee === "me"} @change=${() => set({ payee: "me" })} />${v.s.t("dialog.payee.me")}</label>
    </fieldset>
    ${form.error ? html`<p role="alert" class="error">${v.s.t(form.error, { sum: v.money(form.sum, cur), total: v.money(order.total, cur) })}</p>` : nothing}
    <div class="actions">
      <button type="submit" class="primary" data-action="post-split" ?disabled=${v.busy}>${v.s.t("dialog.post")}</button>
      <button type="button" data-action="close-split" @click=${close}>${v.s.t("dialog.cancel")}</button>
    </div>
  </form>`;
}
