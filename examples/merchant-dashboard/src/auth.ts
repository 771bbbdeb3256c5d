/**
 * Signing in and staying signed in across reloads. The SDK signs an agent in
 * with login and password on every `connect()`; the dashboard must not keep
 * the password, so it hands the client a `fetch` that, while a refresh token
 * is saved, answers the agent sign-in request with `POST /v1/session/refresh`
 * instead. Every session the gateway issues (sign-in or refresh) has its
 * refresh token saved, in the login's own IndexedDB database next to the
 * device keys. Which login was last used (shop id and login, no secret) is in
 * `localStorage`.
 */
import type { KeyValueStorage } from "@parley/sdk";

const REFRESH_KEY = "dashboard:refresh";
const LAST_LOGIN = "parley-dashboard:last-login";

export interface SavedLogin {
  shopId: string;
  login: string;
}

/** The IndexedDB database that holds one login's device keys, outbox and refresh token. */
export function databaseName(who: SavedLogin): string {
  return `parley-dashboard:${who.shopId}:${who.login}`;
}

export function lastLogin(): SavedLogin | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(LAST_LOGIN) ?? "null") as Partial<SavedLogin> | null;
    return typeof value?.shopId === "string" && typeof value.login === "string"
      ? { shopId: value.shopId, login: value.login }
      : undefined;
  } catch {
    return undefined;
  }
}

export function rememberLogin(who: SavedLogin | undefined): void {
  if (who) localStorage.setItem(LAST_LOGIN, JSON.stringify(who));
  else localStorage.removeItem(LAST_LOGIN);
}

export async function hasSavedSession(storage: KeyValueStorage): Promise<boolean> {
  return (await storage.get(REFRESH_KEY)) !== undefined;
}

export async function forgetSession(storage: KeyValueStorage): Promise<void> {
  await storage.delete(REFRESH_KEY);
}

const isSessionPath = (path: string) => path.endsWith("/v1/agent/session") || path.endsWith("/v1/session/refresh");

/** Keeps the refresh token of a session response, and passes the response on unread. */
async function keepToken(res: Response, storage: KeyValueStorage): Promise<Response> {
  const text = await res.text();
  if (res.ok) {
    try {
      const token = (JSON.parse(text) as { refreshToken?: unknown }).refreshToken;
      if (typeof token === "string") await storage.set(REFRESH_KEY, token);
    } catch {
      // Not JSON: the client reports it.
    }
  } else if (res.status === 401) {
    await storage.delete(REFRESH_KEY);
  }
  return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
}

/**
 * A `fetch` for the SDK client. Every session response's refresh token is
 * saved. With `resume`, the agent sign-in request goes to the refresh endpoint
 * with the saved token instead (the client then holds no password at all); a
 * sign-in with a password always checks the password.
 */
export function sessionFetch(storage: KeyValueStorage, resume: boolean, base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!isSessionPath(url.pathname)) return base(input, init);
    const saved = resume && url.pathname.endsWith("/v1/agent/session") ? await storage.get(REFRESH_KEY) : undefined;
    if (!saved) return keepToken(await base(input, init), storage);
    const refresh = new URL(url.pathname.replace(/\/v1\/agent\/session$/, "/v1/session/refresh"), url);
    return keepToken(
      await base(refresh, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ refreshToken: saved }),
      }),
      storage,
    );
  };
}
