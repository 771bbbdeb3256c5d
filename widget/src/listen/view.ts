/** What the listen elements share: names in the viewer's words, and refusals in words. */
import type { ListenKey, ListenStrings } from "./strings.js";

/** The words for a failed action of `client.listen`. */
export function failure(err: unknown): ListenKey {
  const e = (err ?? {}) as { name?: unknown; code?: unknown };
  if (e.name === "ConnectionLostError" || e.name === "NotConnectedError" || e.code === "unavailable")
    return "error.offline";
  if (e.code === "live_rejected" || e.code === "live_invalid") return `error.${e.code}`;
  return "error.other";
}

/** A person's name for the viewer: "You" for `me`, the display name, or "Someone". */
export function nameOf(
  s: ListenStrings,
  names: Readonly<Record<string, string>> | undefined,
  me: string | undefined,
): (principal: string) => string {
  return (p) => (p === me ? s.t("you") : (names?.[p] ?? s.t("someone")));
}

/** A list of names in the locale ("Mia, Noah and You"). */
export function listOf(locale: string, names: readonly string[]): string {
  try {
    return new Intl.ListFormat(locale, { style: "long", type: "conjunction" }).format(names);
  } catch {
    return names.join(", ");
  }
}
