/**
 * `<dashboard-webhooks>`: the shop's webhook delivery log for an admin agent
 * (`webhook.log`): where events go, and the newest attempts with their event,
 * HTTP status, duration, outcome and next retry. Content-free like the
 * webhooks themselves. Keyboard: Refresh is a button; the table is read in
 * order by screen readers with its caption.
 */
import type { WebhookAttemptInfo, WebhookInfo } from "@parley/sdk/protocol";
import { css, html, LitElement, nothing, type PropertyValues } from "lit";
import type { Dashboard } from "./dashboard.js";
import { dateTime, type MessageKey, t } from "./i18n.js";
import { failure } from "./people.js";
import { shared } from "./styles.js";

/** The delivery log panel (inside the Team panel, for admins). */
export class DashboardWebhooks extends LitElement {
  static override properties = {
    dash: { attribute: false },
    webhook: { state: true },
    attempts: { state: true },
    error: { state: true },
  };
  declare dash: Dashboard | undefined;
  declare webhook: WebhookInfo | null | undefined;
  declare attempts: WebhookAttemptInfo[] | undefined;
  declare error: string;

  constructor() {
    super();
    this.error = "";
  }

  static override styles = [
    shared,
    css`
      :host {
        display: block;
        margin-top: 1rem;
      }
      header {
        display: flex;
        align-items: center;
        gap: 0.6rem;
      }
      h3 {
        margin: 0;
        flex: 1;
        font-size: 1rem;
      }
      table {
        width: 100%;
        border-collapse: collapse;
        font-size: 0.85rem;
      }
      caption {
        text-align: start;
        padding: 0.3rem 0;
      }
      th,
      td {
        text-align: start;
        padding: 0.25rem 0.4rem;
        border-bottom: 1px solid var(--dash-border);
      }
      td[data-outcome="failed"] {
        color: var(--dash-danger);
      }
    `,
  ];

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("dash")) void this.load();
  }

  /** Reads the log again. */
  async load(): Promise<void> {
    const client = this.dash?.client;
    if (!client) return;
    try {
      const log = await client.request("webhook.log", {});
      this.webhook = log.webhook;
      this.attempts = log.attempts;
      this.error = "";
    } catch (err) {
      this.error = t("webhooks.failed", { reason: failure(err).code });
    }
  }

  #row(a: WebhookAttemptInfo) {
    return html`<tr data-event=${a.eventId}>
      <td>${dateTime(a.at)}</td>
      <td><code>${a.type}</code></td>
      <td>${a.attempt}</td>
      <td>${a.status === 0 ? t("webhooks.noStatus") : a.status}</td>
      <td>${t("webhooks.ms", { ms: a.durationMs })}</td>
      <td data-outcome=${a.outcome}>${t(`webhooks.outcome.${a.outcome}` as MessageKey)}</td>
      <td>${a.nextAt === undefined ? "" : dateTime(a.nextAt)}</td>
    </tr>`;
  }

  protected override render() {
    const { webhook, attempts } = this;
    return html`<section aria-labelledby="webhooks-title">
      <header>
        <h3 id="webhooks-title">${t("webhooks.title")}</h3>
        <button class="button" type="button" data-action="refresh-webhooks" @click=${() => this.load()}>
          ${t("webhooks.refresh")}
        </button>
      </header>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${
        webhook === undefined
          ? html`<p class="muted">${t("webhooks.loading")}</p>`
          : webhook === null
            ? html`<p class="muted">${t("webhooks.none")}</p>`
            : html`<p>${t("webhooks.url")} <bdi><code>${webhook.url}</code></bdi></p>`
      }
      ${
        attempts && attempts.length > 0
          ? html`<table>
              <caption class="muted">${t("webhooks.caption")}</caption>
              <thead><tr>
                <th scope="col">${t("webhooks.col.at")}</th>
                <th scope="col">${t("webhooks.col.event")}</th>
                <th scope="col">${t("webhooks.col.attempt")}</th>
                <th scope="col">${t("webhooks.col.status")}</th>
                <th scope="col">${t("webhooks.col.duration")}</th>
                <th scope="col">${t("webhooks.col.outcome")}</th>
                <th scope="col">${t("webhooks.col.next")}</th>
              </tr></thead>
              <tbody>${attempts.map((a) => this.#row(a))}</tbody>
            </table>`
          : attempts
            ? html`<p class="muted">${t("webhooks.empty")}</p>`
            : nothing
      }
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dashboard-webhooks": DashboardWebhooks;
  }
}
