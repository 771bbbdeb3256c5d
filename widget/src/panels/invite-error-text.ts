/** Why an invite failed, in the panels' words (kept apart from the dialog so it can be tested without a DOM). */
import { ConnectionLostError, ParleyError } from "@parley/sdk";
import type { PanelKey, PanelStrings } from "./members-strings.js";

/** The words for why `client.invite` failed. */
export function inviteError(err: unknown, handle: string, s: PanelStrings): string {
  if (err instanceof ConnectionLostError) return s.t("invite.failed.offline");
  if (!(err instanceof ParleyError)) return s.t("invite.failed.other");
  const wait = err.retryAfter ?? 60;
  switch (err.code) {
    case "unknown_handle":
    case "already_member":
    case "forbidden":
    case "handle_invalid":
      return s.t(`invite.failed.${err.code}` as PanelKey, { handle });
    case "rate_limited":
      return s.t("invite.failed.rate_limited", { seconds: wait });
    case "invite_cooldown":
      return s.t("invite.failed.invite_cooldown", { handle, wait: s.wait(wait) });
    case "unavailable":
      return s.t("invite.failed.offline");
    default:
      return s.t("invite.failed.other");
  }
}

/**
 * The words for why `client.lookupHandle` failed, or `undefined` for a failure the UI does not word
 * (a gateway without `handle.lookup`): the dialog then opens without the name, and the invite says why.
 */
export function lookupError(err: unknown, handle: string, s: PanelStrings): string | undefined {
  if (err instanceof ConnectionLostError) return s.t("lookup.offline", { handle });
  if (!(err instanceof ParleyError)) return undefined;
  switch (err.code) {
    case "unknown_handle":
    case "forbidden":
    case "handle_invalid":
      return s.t(`lookup.${err.code}` as PanelKey, { handle });
    case "rate_limited":
      return s.t("lookup.rate_limited", { handle, seconds: err.retryAfter ?? 60 });
    case "unavailable":
      return s.t("lookup.offline", { handle });
    default:
      return undefined;
  }
}
