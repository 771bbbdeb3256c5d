/**
 * The client's session: opens it (resuming a saved guest or agent session when
 * it can), keeps the refresh token in storage, refreshes it ahead of expiry
 * (signing in again when the refresh token expired and the app gave the
 * credentials), and ends it at the gateway and forgets it on sign-out.
 *
 * The gateway rotates refresh tokens: each is good for one refresh, and a
 * reused one ends the session. Tabs of one browser share the saved token
 * (guests, agents), so a refresh starts from the newest saved one rather than
 * this tab's own copy; two tabs refreshing at the same moment are covered by
 * the gateway's short grace window for the previous token.
 */
import { ParleyError } from "../errors.js";
import type { SessionResponse } from "../protocol/rpc.js";
import type { ClientCore } from "./core.js";

/** Wait before trying a failed refresh again, ms. */
const REFRESH_RETRY_MS = 2000;

export class SessionKeeper {
  readonly #core: ClientCore;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(core: ClientCore) {
    this.#core = core;
  }

  /** Where a resumable session's refresh token is kept: guests, and agents (per login). */
  get storageKey(): string | undefined {
    const auth = this.#core.o.auth;
    if (auth.kind === "guest") return `parley:session:${auth.shopId}:guest`;
    if (auth.kind === "agent") return `parley:session:${auth.shopId}:agent:${auth.login}`;
    return undefined;
  }

  /** Opens (or resumes) a session and keeps its refresh token. */
  async open(): Promise<SessionResponse> {
    const { o, api } = this.#core;
    const key = this.storageKey;
    const auth = o.auth;
    // Guests always resume; agents resume only when the app gave no password.
    const resume = auth.kind === "guest" || (auth.kind === "agent" && !auth.password);
    if (key && resume) {
      const saved = await o.storage.get(key);
      if (saved) {
        try {
          const session = await api.refresh(saved);
          await o.storage.set(key, session.refreshToken);
          return session;
        } catch (err) {
          if (!(err instanceof ParleyError)) throw err;
          if (auth.kind === "agent") await o.storage.delete(key);
        }
      }
    }
    const session = await api.open();
    if (key) await o.storage.set(key, session.refreshToken);
    return session;
  }

  /** Sets the timer that refreshes the session before its NATS credentials expire. */
  schedule(): void {
    const session = this.#core.session;
    if (!session || this.#core.closed) return;
    const lifetime = session.nats.expiresAt - Date.now();
    const ahead = Math.min(this.#core.o.refreshAhead, lifetime / 5);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#refresh(), Math.max(0, lifetime - ahead));
  }

  /** Stops refreshing. */
  stop(): void {
    clearTimeout(this.#timer);
  }

  /** The newest refresh token: the saved one (another tab may have moved it on), else this client's. */
  async #newestToken(): Promise<string | undefined> {
    const key = this.storageKey;
    const saved = key ? await this.#core.o.storage.get(key) : undefined;
    return saved ?? this.#core.session?.refreshToken;
  }

  /**
   * Ends the session at the gateway (best effort: offline, it ends at its expiry) and forgets a
   * saved agent or guest session: the next client must sign in again.
   */
  async forget(): Promise<void> {
    const token = await this.#newestToken().catch(() => undefined);
    if (token) await this.#core.api.logout(token).catch(() => undefined);
    const key = this.storageKey;
    if (key) await this.#core.o.storage.delete(key);
  }

  async #refresh(): Promise<void> {
    const core = this.#core;
    const session = core.session;
    if (!session || core.closed) return;
    try {
      let next: SessionResponse;
      try {
        next = await core.api.refresh((await this.#newestToken()) ?? session.refreshToken);
      } catch (err) {
        const auth = core.o.auth;
        if (!(err instanceof ParleyError) || auth.kind === "guest" || (auth.kind === "agent" && !auth.password)) {
          throw err;
        }
        next = await core.api.open(); // the refresh token expired: sign in again
      }
      core.session = { ...next, principal: next.principal };
      const key = this.storageKey;
      if (key) await core.o.storage.set(key, next.refreshToken);
      this.schedule();
    } catch (err) {
      clearTimeout(this.#timer);
      if (err instanceof ParleyError && err.code === "unauthorized") {
        // The session ended (logged out elsewhere, revoked, past its lifetime, the password changed) and
        // no sign-in replaced it: trying again would only spend the login's failed sign-in budget.
        return this.ended(err);
      }
      core.events.emit("error", err as Error);
      this.#timer = setTimeout(() => void this.#refresh(), REFRESH_RETRY_MS);
    }
  }

  /**
   * The session ended at the gateway: reports `err` (`unauthorized`) as an `error` event, stops
   * refreshing, forgets the saved session, closes the NATS connection (its credentials are refused
   * from now on, so reconnecting would only spin) and closes the status with `err`, so the app shows
   * its sign-in again.
   */
  async ended(err: ParleyError): Promise<void> {
    const core = this.#core;
    clearTimeout(this.#timer);
    if (core.closed || core.status.value.state === "closed") return;
    core.events.emit("error", err);
    const key = this.storageKey;
    if (key) await core.o.storage.delete(key).catch(() => undefined);
    await core.nc?.close().catch(() => undefined);
    core.status.set({ state: "closed", error: err });
  }
}
