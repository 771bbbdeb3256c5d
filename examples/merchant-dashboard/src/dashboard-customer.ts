/**
 * `<dashboard-customer>`: who the agent is talking to, from the customer's
 * token claims as the gateway shows them to the shop's team: display name,
 * the shop's own customer id (`externalId`, the token's `sub`), handle, and
 * first seen (when the conversation was opened). Below, a form to @-invite a
 * colleague by handle into the conversation; a refused invite says why (from
 * the gateway's stable error code). Sent, accepted and declined invites show
 * as lines in the conversation's message list.
 */
import type { ConversationState } from "@parley/sdk";
import { inviteFailure, StoreController } from "@parley/widget/components";
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import type { Dashboard } from "./dashboard.js";
import { dateTime, t } from "./i18n.js";
import { shared } from "./styles.js";

type Member = Awaited<ReturnType<Dashboard["client"]["members"]>>[number];

export class DashboardCustomer extends LitElement {
  static override properties = {
    dash: { attribute: false },
    conversationId: { attribute: "conversation-id" },
    message: { state: true },
    error: { state: true },
  };
  declare dash: Dashboard | undefined;
  declare conversationId: string | undefined;
  declare message: string;
  declare error: string;
  readonly #state = new StoreController<ConversationState>(this);
  readonly #members = new StoreController<ReadonlyMap<string, readonly Member[]>>(this);

  constructor() {
    super();
    this.message = "";
    this.error = "";
  }

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
      form {
        display: flex;
        gap: 0.4rem;
        flex-wrap: wrap;
      }
      form input {
        flex: 1;
        min-width: 8rem;
      }
      p {
        font-size: 0.85rem;
        margin: 0.4rem 0 0;
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("dash") || changed.has("conversationId")) {
      const { dash, conversationId } = this;
      this.message = "";
      this.error = "";
      this.#state.set(dash && conversationId ? dash.client.conversation(conversationId) : undefined);
      this.#members.set(dash?.members);
    }
  }

  async #invite(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const { dash, conversationId } = this;
    const input = (e.target as HTMLFormElement).elements.namedItem("handle") as HTMLInputElement;
    const raw = input.value.trim();
    if (!dash || !conversationId || !raw) return;
    const handle = raw.startsWith("@") ? raw : `@${raw}`;
    this.message = "";
    this.error = "";
    try {
      await dash.client.invite(conversationId, handle);
      this.message = t("invite.done", { handle });
      input.value = "";
    } catch (err) {
      const why = inviteFailure(err);
      this.error = t(`invite.failed.${why.kind}`, { handle, seconds: why.retryAfter ?? 60 });
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
          <dt>${t("customer.name")}</dt><dd data-field="name">${customer?.displayName ?? none}</dd>
          <dt>${t("customer.externalId")}</dt><dd data-field="external-id">${customer?.externalId ?? none}</dd>
          <dt>${t("customer.handle")}</dt><dd data-field="handle">${customer?.handle ? `@${customer.handle}` : none}</dd>
          <dt>${t("customer.firstSeen")}</dt><dd data-field="first-seen">${dateTime(info.createdAt)}</dd>
        </dl>
      </section>
      <section aria-labelledby="invite-title">
        <h2 id="invite-title">${t("invite.title")}</h2>
        <form @submit=${this.#invite}>
          <label class="sr-only" for="invite-handle">${t("invite.handle")}</label>
          <input id="invite-handle" name="handle" type="text" placeholder="@handle" autocomplete="off" />
          <button class="button" type="submit">${t("invite.submit")}</button>
        </form>
        ${this.message ? html`<p role="status">${this.message}</p>` : nothing}
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dashboard-customer": DashboardCustomer;
  }
}
