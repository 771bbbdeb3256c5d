/**
 * The rules of an invite's life that need no store: when a pending invite has
 * expired, which stored status answers which error code, how long the decline
 * cooldown has left, and from when an invited member may read (the history
 * floor). invites.ts applies them; ADR 0024 explains them.
 */
import { INVITE_HISTORY_WINDOW_MS, type InviteHistory, type InviteInfo, type InviteStatus } from "@parley/sdk/protocol";
import { GatewayError } from "../errors.js";
import type { InviteRecord } from "../store/port.js";

/** How long an invite stays answerable unless the gateway is configured otherwise: 7 days. */
export const DEFAULT_INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/** How long an inviter must wait after the invitee declined before inviting them into that conversation again. */
export const DECLINE_COOLDOWN_MS = 24 * 60 * 60 * 1000;

/** The invite's status at `now`: a pending invite at or past its `expiresAt` is `expired` (never stored as such). */
export function statusAt(invite: InviteInfo, now: number): InviteStatus {
  return invite.status === "pending" && now >= invite.expiresAt ? "expired" : invite.status;
}

/** The invite as a client may see it at `now`: its status then, without the stored `dropped` flag. */
export function toInfo(invite: InviteRecord, now: number): InviteInfo {
  const { dropped: _dropped, ...info } = invite;
  return { ...info, status: statusAt(invite, now) };
}

/**
 * Throws unless the invite can still be answered at `now`: `invite_revoked`, `invite_expired`,
 * or `conflict` for one already accepted or declined.
 */
export function assertAnswerable(invite: InviteInfo, now: number): void {
  const status = statusAt(invite, now);
  if (status === "pending") return;
  if (status === "revoked") throw new GatewayError("invite_revoked");
  if (status === "expired") throw new GatewayError("invite_expired");
  throw new GatewayError("conflict", `invite already ${status}`);
}

/** Whole seconds the inviter must still wait after `declined` (the last invite the invitee declined), 0 when none. */
export function cooldownLeft(declined: InviteInfo | undefined, now: number): number {
  if (!declined) return 0;
  const until = (declined.settledAt ?? declined.createdAt) + DECLINE_COOLDOWN_MS;
  return until > now ? Math.ceil((until - now) / 1000) : 0;
}

/**
 * The earliest stored message time a member who accepted at `acceptedAt` may read, for the invite's
 * history choice: `none` from the acceptance, `7d` from a week before it, `all` no floor (undefined).
 */
export function historyFloor(history: InviteHistory, acceptedAt: number): number | undefined {
  if (history === "all") return undefined;
  return history === "7d" ? acceptedAt - INVITE_HISTORY_WINDOW_MS : acceptedAt;
}
