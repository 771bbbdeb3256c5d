/**
 * What the shop's team does on cards, for team viewers only (an agent in the
 * dashboard, a bot): on an order that is not closed, move its status forward
 * or cancel it, and set its tracking link; on a split paid to the shop,
 * confirm every share not yet confirmed and put a payment link on every open
 * share. Customers never get these controls: those events are the team's
 * authority, and the fold ignores them from anyone else. A link is checked
 * before anything is sent (`https:`, at most 2,048 characters); a bad one is
 * said in words under its field, which gets the focus.
 */
import type { OrderState, OrderStatus, SplitShare, SplitState } from "@parley/sdk";
import type { TemplateResult } from "lit";
import { ORDER_PATH } from "./parts.js";
import type { CardKey } from "./strings.js";
import type { CardView } from "./view.js";

/** `MAX_URL_CHARS` of `@parley/sdk/cards` (the cards chunk imports no values from the SDK). */
const MAX_URL = 2048;

/**
 * While an action is on its way the team's buttons say so (`aria-disabled`) but keep the keyboard
 * focus, which a disabled button would drop; the element ignores a second action meanwhile.
 */
const busy = (v: CardView) => (v.busy ? "true" : v.kit.nothing);

/** The team forms' link errors, by field (`tracking`, or `link-` and the share's person); kept by the element. */
export type TeamDraft = Map<string, CardKey>;

/** Why `value` is not a link a card accepts, or undefined when it is one. */
export function urlProblem(value: string): CardKey | undefined {
  if (!value) return "team.url.empty";
  if (value.length > MAX_URL) return "team.url.long";
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.hostname ? undefined : "team.url.bad";
  } catch {
    return "team.url.bad";
  }
}

/** The statuses the team may move `order` to: the later steps of the usual path, then Cancelled. */
export function nextStatuses(order: OrderState): OrderStatus[] {
  if (order.status === "delivered" || order.status === "cancelled") return [];
  return [...ORDER_PATH.slice(ORDER_PATH.indexOf(order.status) + 1), "cancelled"];
}

/** A one-field form for an `https:` link; `send` resolves whether it was sent (the field is then cleared). */
function linkForm(
  v: CardView,
  draft: TeamDraft,
  key: string,
  label: string,
  button: string,
  send: (url: string) => Promise<boolean>,
): TemplateResult {
  const { html, nothing } = v.kit;
  const error = draft.get(key);
  const errorId = `${key}-error`;
  const submit = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const input = form.elements.namedItem("url") as HTMLInputElement;
    const url = input.value.trim();
    const problem = urlProblem(url);
    if (problem) {
      draft.set(key, problem);
      v.update();
      input.focus();
      return;
    }
    if (draft.delete(key)) v.update();
    if (await send(url)) form.reset();
  };
  return html`<form class="team-form" novalidate data-form=${key} @submit=${submit}>
    <label class="grow url">${label}
      <input type="url" name="url" inputmode="url" autocomplete="off" spellcheck="false" placeholder="https://…"
        aria-invalid=${error ? "true" : nothing} aria-describedby=${error ? errorId : nothing} />
    </label>
    <button type="submit" data-action=${key === "tracking" ? "tracking" : "link"} aria-disabled=${busy(v)}>${button}</button>
    ${error ? html`<p class="error" role="alert" id=${errorId}>${v.s.t(error)}</p>` : nothing}
  </form>`;
}

/** The team's controls under an order card: "Update status" and the tracking link (nothing once it is closed). */
export function renderOrderTeam(
  order: OrderState,
  v: CardView,
  draft: TeamDraft,
): TemplateResult | typeof v.kit.nothing {
  const { html, nothing } = v.kit;
  const next = nextStatuses(order);
  if (!v.team || !order.fromTeam || next.length === 0) return nothing;
  const update = async (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const chosen = (form.elements.namedItem("status") as HTMLSelectElement).value;
    const status = next.find((s) => s === chosen);
    // Back to the first (next) step, which the re-rendered list starts with.
    if (status && (await v.act({ op: "status", status }))) form.reset();
  };
  const track = order.trackingUrl ? "team.replaceTracking" : "team.addTracking";
  return html`<div class="team" data-team="order">
    <form class="team-form" data-form="status" @submit=${update}>
      <label class="grow">${v.s.t("team.status")}
        <select name="status">
          ${next.map((s, i) => html`<option value=${s} ?selected=${i === 0}>${v.s.t(`status.${s}`)}</option>`)}
        </select>
      </label>
      <button type="submit" class="primary" data-action="status" aria-disabled=${busy(v)}>${v.s.t("team.update")}</button>
    </form>
    ${linkForm(v, draft, "tracking", v.s.t("team.tracking"), v.s.t(track), (url) => v.act({ op: "tracking", url }))}
  </div>`;
}

/**
 * The team's controls on one share of a split paid to the shop: "Received from …" until it is
 * confirmed, and a payment link while it is open.
 */
export function renderShareTeam(
  split: SplitState,
  share: SplitShare,
  v: CardView,
  draft: TeamDraft,
): TemplateResult | typeof v.kit.nothing {
  const { html, nothing } = v.kit;
  if (!v.team || split.payee !== "shop" || share.status === "confirmed") return nothing;
  const who = v.name(share.person);
  const { person } = share;
  return html`<span class="actions">
      <button type="button" data-action="received" aria-disabled=${busy(v)}
        @click=${() => v.act({ op: "received", person })}>${v.s.t("share.received", { name: who })}</button>
    </span>
    ${
      share.status === "open"
        ? linkForm(
            v,
            draft,
            `link-${person}`,
            v.s.t("team.paymentLink", { name: who }),
            v.s.t(share.link ? "team.replaceLink" : "team.addLink"),
            (url) => v.act({ op: "link", person, url }),
          )
        : nothing
    }`;
}
