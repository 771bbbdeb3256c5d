/**
 * Staying signed in across reloads. The SDK keeps an agent's session in the
 * login's own IndexedDB database (next to the device keys) and resumes it when
 * the client is made without a password; `signOut()` forgets it. What is kept
 * here is only which login was last used (shop id and login, no secret), in
 * `localStorage`.
 */
const LAST_LOGIN = "parley-dashboard:last-login";

export interface SavedLogin {
  shopId: string;
  login: string;
}

/** The IndexedDB database that holds one login's device keys, outbox and saved session. */
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
