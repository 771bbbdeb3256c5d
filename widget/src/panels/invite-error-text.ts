/** Why an invite failed, in the panels' words (kept apart from the dialog so it can be tested without a DOM). */
import { errorOf } from "./kit.js";
import type { PanelKey, PanelStrings } from "./members-strings.js";

/** The words for why `client.invite` failed. */
export function inviteError(err: unknown, handle: string, s: PanelStrings): string {
  const { offline, code, retryAfter } = errorOf(err);
  if (offline) return s.t("invite.failed.offline");
  const wait = retryAfter ?? 60;
  switch (code) {
    case "unknown_handle":
    case "already_member":
    case "forbidden":
    case "handle_invalid":
      return s.t(`invite.failed.${code}` as PanelKey, { handle });
    case "rate_limited":
      return s.t("invite.failed.rate_limited", { seconds: wait });
    case "invite_cooldown":
      return s.t("invite.failed.invite_cooldown", { handle, wait: s.wait(wait) });
    default:
      return s.t("invite.failed.other");
  }
}

/**
 * The words for why `client.lookupHandle` failed, or `undefined` for a failure the UI does not word
 * (a gateway without `handle.lookup`): the dialog then opens without the name, and the invite says why.
 */
export function lookupError(err: unknown, handle: string, s: PanelStrings): string | undefined {
  const { offline, code, retryAfter } = errorOf(err);
  if (offline) return s.t("lookup.offline", { handle });
  switch (code) {
    case "unknown_handle":
    case "forbidden":
    case "handle_invalid":
      return s.t(`lookup.${code}` as PanelKey, { handle });
    case "rate_limited":
      return s.t("lookup.rate_limited", { handle, seconds: retryAfter ?? 60 });
    default:
      return undefined;
  }
}
