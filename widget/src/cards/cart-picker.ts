/**
 * The compact "add an item" form of an open cart: the item (grouped by the
 * menu's sections), its options as checkboxes, a quantity stepper and a note.
 * A native form: Tab moves through it, Enter adds.
 */
import type { CartState, MenuItem, MenuState } from "@parley/sdk";
import type { TemplateResult } from "lit";
import type { CardView } from "./view.js";

/** What the person chose so far (kept by the element between renders). */
export interface CartPick {
  item: string;
  options: Set<string>;
  quantity: number;
  note: string;
}

/** A fresh pick. */
export const emptyPick = (): CartPick => ({ item: "", options: new Set(), quantity: 1, note: "" });

const clampQuantity = (n: number) => Math.min(99, Math.max(1, Math.trunc(Number.isFinite(n) ? n : 1)));

/** The menu item `id`, when the menu has it. */
function itemOf(menu: MenuState, id: string): MenuItem | undefined {
  for (const section of menu.card.sections) for (const item of section.items) if (item.id === id) return item;
  return undefined;
}

/** Renders the picker of `cart` from `menu`. */
export function renderPicker(cart: CartState, menu: MenuState, pick: CartPick, v: CardView): TemplateResult {
  const { html, nothing } = v.kit;
  const first = menu.card.sections[0]?.items[0];
  if (!pick.item && first) pick.item = first.id;
  const item = itemOf(menu, pick.item);
  const cur = menu.card.currency;
  const setQuantity = (n: number) => {
    pick.quantity = clampQuantity(n);
    v.update();
  };
  const submit = (e: Event) => {
    e.preventDefault();
    if (!item || v.busy) return;
    const options = (item.options ?? []).filter((o) => pick.options.has(o.id)).map((o) => o.id);
    const note = pick.note.trim();
    v.add({
      item: item.id,
      quantity: pick.quantity,
      ...(options.length ? { options } : {}),
      ...(note ? { note } : {}),
    });
  };
  return html`<form class="picker" aria-label=${v.s.t("cart.adding")} @submit=${submit}>
    <label>${v.s.t("cart.item")}
      <select name="item" @change=${(e: Event) => {
        pick.item = (e.target as HTMLSelectElement).value;
        pick.options = new Set();
        v.update();
      }}>
        ${menu.card.sections.map(
          (section) => html`<optgroup label=${section.name}>
            ${section.items.map(
              (i) =>
                html`<option value=${i.id} ?selected=${i.id === pick.item}>${i.name} · ${v.money(i.price, cur)}</option>`,
            )}
          </optgroup>`,
        )}
      </select>
    </label>
    ${
      item?.options?.length
        ? html`<fieldset><legend>${v.s.t("cart.options")}</legend>
            ${item.options.map(
              (
                o,
              ) => html`<label class="check"><input type="checkbox" name="option" value=${o.id} .checked=${pick.options.has(o.id)}
                @change=${(e: Event) => {
                  if ((e.target as HTMLInputElement).checked) pick.options.add(o.id);
                  else pick.options.delete(o.id);
                }} />${v.s.t("menu.option", { name: o.name, price: v.money(o.price, cur) })}</label>`,
            )}
          </fieldset>`
        : nothing
    }
    <div class="row">
      <span class="stepper" role="group" aria-label=${v.s.t("cart.quantity")}>
        <button type="button" aria-label=${v.s.t("cart.less")} ?disabled=${pick.quantity <= 1}
          @click=${() => setQuantity(pick.quantity - 1)}>−</button>
        <input type="number" name="quantity" min="1" max="99" inputmode="numeric" aria-label=${v.s.t("cart.quantity")}
          .value=${String(pick.quantity)} @change=${(e: Event) => setQuantity(Number((e.target as HTMLInputElement).value))} />
        <button type="button" aria-label=${v.s.t("cart.more")} ?disabled=${pick.quantity >= 99}
          @click=${() => setQuantity(pick.quantity + 1)}>+</button>
      </span>
      <label class="grow">${v.s.t("cart.note")}
        <input type="text" name="note" maxlength="500" .value=${pick.note}
          @input=${(e: Event) => {
            pick.note = (e.target as HTMLInputElement).value;
          }} />
      </label>
    </div>
    <button type="submit" class="primary" data-action="add" ?disabled=${v.busy || !item || cart.status !== "open"}>${v.s.t("cart.add")}</button>
  </form>`;
}
