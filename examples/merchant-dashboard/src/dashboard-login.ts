/**
 * `<dashboard-login>`: the agent's sign-in form (shop id prefilled from the
 * page's settings, login, password), inside the page's `<main>` landmark
 * (it is the whole page before sign-in, so everything sits in a landmark).
 *
 * @fires dashboard-sign-in - detail `{ shopId, login, password }`
 */
import { css, html, LitElement, nothing } from "lit";
import { t } from "./i18n.js";
import { shared } from "./styles.js";

export interface SignInDetail {
  shopId: string;
  login: string;
  password: string;
}

export class DashboardLogin extends LitElement {
  static override properties = {
    shopId: { attribute: "shop-id" },
    busy: { type: Boolean },
    error: {},
  };
  declare shopId: string;
  declare busy: boolean;
  declare error: string;

  constructor() {
    super();
    this.shopId = "";
    this.busy = false;
    this.error = "";
  }

  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        place-items: center;
        min-height: 100%;
      }
      main {
        display: grid;
        place-items: center;
      }
      form {
        display: grid;
        gap: 0.6rem;
        width: min(22rem, 90vw);
        padding: 1.5rem;
        border: 1px solid var(--dash-border);
        border-radius: 10px;
        background: #ffffff;
      }
      h1 {
        font-size: 1.25rem;
        margin: 0 0 0.5rem;
      }
      label {
        display: grid;
        gap: 0.2rem;
        font-size: 0.9rem;
      }
    `,
  ];

  #submit(e: SubmitEvent): void {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const detail: SignInDetail = {
      shopId: String(data.get("shop") ?? "").trim(),
      login: String(data.get("login") ?? "").trim(),
      password: String(data.get("password") ?? ""),
    };
    this.dispatchEvent(new CustomEvent("dashboard-sign-in", { detail, bubbles: true, composed: true }));
  }

  protected override render() {
    return html`<main><form @submit=${this.#submit} aria-busy=${this.busy ? "true" : "false"}>
      <h1>${t("login.title")}</h1>
      <label>${t("login.shop")}
        <input type="text" name="shop" required autocomplete="organization" .value=${this.shopId} />
      </label>
      <label>${t("login.login")}
        <input type="text" name="login" required autocomplete="username" />
      </label>
      <label>${t("login.password")}
        <input type="password" name="password" required autocomplete="current-password" />
      </label>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <button class="button primary" type="submit" ?disabled=${this.busy}>
        ${this.busy ? t("login.busy") : t("login.submit")}
      </button>
    </form></main>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "dashboard-login": DashboardLogin;
  }
}
