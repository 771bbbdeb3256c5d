/**
 * The gateway's HTTP session endpoints. Bots also hold their NATS key pair here:
 * made once per client, its public half goes with every session request and its
 * seed signs the server's nonce on each (re)connect.
 */
import { nkeys } from "@nats-io/nats-core";
import { ConnectionLostError, ParleyError } from "./errors.js";
import type { ResolvedOptions } from "./options.js";
import type { SessionResponse } from "./protocol/index.js";

export class SessionApi {
  readonly #botKey: ReturnType<typeof nkeys.createUser> | undefined;

  constructor(private readonly options: ResolvedOptions) {
    this.#botKey = options.auth.kind === "bot" ? nkeys.createUser() : undefined;
  }

  /** The seed that signs the server nonce (bots only). */
  get natsSeed(): (() => Uint8Array) | undefined {
    const key = this.#botKey;
    return key ? () => key.getSeed() : undefined;
  }

  #natsUserKey(): { natsUserKey: string } | Record<string, never> {
    return this.#botKey ? { natsUserKey: this.#botKey.getPublicKey() } : {};
  }

  async #post<T = SessionResponse>(path: string, body: unknown): Promise<T> {
    let res: Response;
    try {
      res = await this.options.fetch(`${this.options.gatewayUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    } catch (err) {
      throw new ConnectionLostError(`gateway unreachable: ${(err as Error).message}`, { cause: err });
    }
    const json = (await res.json().catch(() => undefined)) as { error?: unknown } | undefined;
    if (!res.ok) throw ParleyError.from(json?.error ?? { code: res.status >= 500 ? "unavailable" : "bad_request" });
    return json as unknown as T;
  }

  /** A new session from the configured auth (a fresh customer token, a guest, or an agent or bot login). */
  async open(): Promise<SessionResponse> {
    const { auth, device } = this.options;
    const withDevice = device ? { device } : {};
    switch (auth.kind) {
      case "customer":
        return this.#post("/v1/session", { shopId: auth.shopId, token: await auth.getToken(), ...withDevice });
      case "guest":
        return this.#post("/v1/session", {
          shopId: auth.shopId,
          guest: true,
          ...(auth.displayName ? { displayName: auth.displayName } : {}),
          ...withDevice,
        });
      case "agent":
      case "bot":
        if (!auth.password) throw new ParleyError("unauthorized", "no password and no saved session: sign in again");
        return this.#post("/v1/agent/session", {
          shopId: auth.shopId,
          login: auth.login,
          password: auth.password,
          ...withDevice,
          ...this.#natsUserKey(),
        });
    }
  }

  /** Spends a refresh token for new credentials (the gateway rotates it: it is good once). */
  refresh(refreshToken: string): Promise<SessionResponse> {
    return this.#post("/v1/session/refresh", { refreshToken, ...this.#natsUserKey() });
  }

  /** Ends the session the refresh token belongs to at the gateway (every tab sharing it). */
  async logout(refreshToken: string): Promise<void> {
    await this.#post<{ ok: true }>("/v1/session/logout", { refreshToken });
  }
}
