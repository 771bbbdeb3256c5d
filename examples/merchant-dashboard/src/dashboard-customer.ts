/**
 * `<dashboard-customer>`: who the agent is talking to, from the customer's
 * token claims as the gateway shows them to the shop's team: display name,
 * the shop's own customer id (`externalId`, the token's `sub`), handle, and
 * first seen (when the conversation was opened). Inviting people is the
 * conversation's "Invite…" action; the members panel lists who is in it.
 */
import type { ConversationState } from "@parley/sdk";
import { StoreController, stripBidiControls } from "@parley/widget/components";
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import type { Dashboard } from "./dashboard.js";
import { dateTime, t } from "./i18n.js";
import { shared } from "./styles.js";

type Member = Awaited<ReturnType<Dashboard["client"]["members"]>>[number];

export class DashboardCustomer extends LitElement {
  static override properties = {
    dash: { attribute: false },
    conversationId: { attribute: "conversation-id" },
  };
  declare dash: Dashboard | undefined;
  declare conversationId: string | undefined;
  readonly #state = new StoreController<ConversationState>(this);
  readonly #members = new StoreController<ReadonlyMap<string, readonly Member[]>>(this);

  static override styles = [
    shared,
    css`
      :host {
        display: block;
        padding: 0.8rem;
      }
      dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.25rem 0.6rem;
        margin: 0 0 1rem;
        font-size: 0.9rem;
      }
      dt {
        color: var(--dash-muted);
      }
      dd {
        margin: 0;
        overflow-wrap: anywhere;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("dash") || changed.has("conversationId")) {
      const { dash, conversationId } = this;
      this.#state.set(dash && conversationId ? dash.client.conversation(conversationId) : undefined);
      this.#members.set(dash?.members);
    }
  }

  protected override render() {
    const info = this.#state.value?.info;
    const convId = this.conversationId;
    if (!info || !convId) return nothing;
    const customer = this.#members.value?.get(convId)?.find((m) => m.principalId === info.createdBy);
    const none = t("customer.none");
    return html`<section aria-labelledby="customer-title">
        <h2 id="customer-title">${t("customer.title")}</h2>
        <dl>
          <dt>${t("customer.name")}</dt><dd data-field="name" dir="auto">${customer ? stripBidiControls(customer.displayName) : none}</dd>
          <dt>${t("customer.externalId")}</dt><dd data-field="external-id">${customer?.externalId ?? none}</dd>
          <dt>${t("customer.handle")}</dt><dd data-field="handle">${customer?.handle ? `@${customer.handle}` : none}</dd>
          <dt>${t("customer.firstSeen")}</dt><dd data-field="first-seen">${dateTime(info.createdAt)}</dd>
        </dl>
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dashboard-customer": DashboardCustomer;
  }
}
