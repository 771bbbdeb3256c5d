/** The gateway's HTTP session endpoints. */
import { ConnectionLostError, ParleyError } from "./errors.js";
import type { ResolvedOptions } from "./options.js";
import type { SessionResponse } from "./protocol/index.js";

export class SessionApi {
  constructor(private readonly options: ResolvedOptions) {}

  async #post(path: string, body: unknown): Promise<SessionResponse> {
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
    return json as unknown as SessionResponse;
  }

  /** A new session from the configured auth (a fresh customer token, a guest, or an agent login). */
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
        return this.#post("/v1/agent/session", {
          shopId: auth.shopId,
          login: auth.login,
          password: auth.password,
          ...withDevice,
        });
    }
  }

  refresh(refreshToken: string): Promise<SessionResponse> {
    return this.#post("/v1/session/refresh", { refreshToken });
  }
}
