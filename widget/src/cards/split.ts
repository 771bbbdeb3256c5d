/**
 * The bill split card: how it divides, the total, who is paid, every share
 * with its person, amount and state (open, marked paid, confirmed), and what
 * is still open. The person a share belongs to marks it paid (in cash, or
 * after paying through the shop's link, which opens in a new tab); the payee
 * confirms it received. For a split paid to the shop, the shop's team confirms
 * and attaches payment links (team.ts).
 */
import type { SplitShare, SplitState } from "@parley/sdk";
import type { TemplateResult } from "lit";
import { cardHeading, moneyRow } from "./parts.js";
import { renderShareTeam, type TeamDraft } from "./team.js";
import { type CardView, safeUrl } from "./view.js";

/** Renders a split card; `draft` holds the team forms' errors. */
export function renderSplit(state: SplitState, v: CardView, draft: TeamDraft): TemplateResult {
  const { html, nothing } = v.kit;
  const cur = state.currency;
  const payee = state.payee === "shop" ? v.s.t("split.shop") : v.name(state.payee);
  const isPayee = state.payee !== "shop" && state.payee === v.me;
  const share = (sh: SplitShare) => {
    const who = v.name(sh.person);
    const amount = v.money(sh.amount, cur);
    const status = v.s.t(`share.${sh.status}`);
    const link = safeUrl(sh.link);
    // The payee's own share is not paid to anyone: one button settles it (no "I paid", no "Received from You").
    const own = isPayee && sh.person === v.me;
    const mine = !own && sh.person === v.me && sh.status === "open";
    return html`<li data-person=${sh.person} data-share=${sh.status}>
      <span class="what">
        <span class="name">${who}</span>
        <span class="sub state-${sh.status}">${status}</span>
      </span>
      <span class="amount">${amount}</span>
      ${
        mine || (isPayee && sh.status !== "confirmed")
          ? html`<span class="actions">
              ${
                mine && link
                  ? html`<a class="button primary" href=${link} target="_blank" rel="noopener noreferrer">${v.s.t("share.pay")}</a>
                    <button type="button" data-action="paid-link" ?disabled=${v.busy}
                      @click=${() => v.act({ op: "paid", person: sh.person, via: "link" })}>${v.s.t("share.paidLink")}</button>`
                  : nothing
              }
              ${
                mine && !link
                  ? html`<button type="button" data-action="paid-cash" ?disabled=${v.busy}
                      @click=${() => v.act({ op: "paid", person: sh.person, via: "cash" })}>${v.s.t("share.cash")}</button>`
                  : nothing
              }
              ${
                isPayee && sh.status !== "confirmed"
                  ? html`<button type="button" data-action="received" ?disabled=${v.busy}
                      @click=${() => v.act({ op: "received", person: sh.person })}>${own ? v.s.t("share.settleOwn") : v.s.t("share.received", { name: who })}</button>`
                  : nothing
              }
            </span>`
          : nothing
      }
      ${renderShareTeam(state, sh, v, draft)}
    </li>`;
  };
  return html`${cardHeading(state, v.s.t("split.title"), v)}
    <p class="sub">${v.s.t(`split.method.${state.method}`)} · ${isPayee ? v.s.t("split.payeeYou") : v.s.t("split.payee", { name: payee })}</p>
    <ul class="lines shares">${state.shares.map(share)}</ul>
    <dl class="totals">
      ${moneyRow(v, v.s.t("split.total"), state.total, cur, "total")}
      ${state.open > 0 ? moneyRow(v, v.s.t("split.open"), state.open, cur, "open") : nothing}
    </dl>
    ${state.open === 0 ? html`<p class="status" data-status="done">${v.s.t("split.done")}</p>` : nothing}`;
}
