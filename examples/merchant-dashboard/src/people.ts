/**
 * Small pieces the invites list, the invite dialog and the members panel
 * share: the role and history labels, the verified-team badge, and the stable
 * error code of a failed request read for the dashboard's own strings (the
 * gateway's messages never reach the screen).
 */
import { ConnectionLostError, type InviteHistory, NotConnectedError, ParleyError } from "@parley/sdk";
import { css, html } from "lit";
import { type MessageKey, t } from "./i18n.js";

/** The history choices an invite offers, in the order the dialog lists them (the first is the default). */
export const HISTORY_CHOICES: readonly InviteHistory[] = ["none", "7d", "all"];

/** "From now on", "Last 7 days" or "Everything". */
export function historyLabel(history: InviteHistory): string {
  return t(`invite.history.${history}` as MessageKey);
}

/** A member role (owner, member, agent, bot) or principal kind (customer, guest, agent, bot) in words. */
export function roleLabel(role: string): string {
  const key = `role.${role}` as MessageKey;
  const text = t(key);
  return text === key ? role : text;
}

/** Whether a role or kind belongs to the shop's team (agents and bots). */
export function isTeam(roleOrKind: string | undefined): boolean {
  return roleOrKind === "agent" || roleOrKind === "bot";
}

/** The verified-team badge: a visible "Team ✓" with its meaning for screen readers. */
export function teamBadge() {
  return html`<span class="badge team" data-badge="team" role="img" aria-label=${t("team.badgeLabel")}
    title=${t("team.badgeLabel")}>${t("team.badge")} ✓</span>`;
}

/** A role badge (the team badge for agents and bots). */
export function roleBadge(role: string) {
  return isTeam(role)
    ? html`<span class="badge" data-role=${role}>${roleLabel(role)}</span> ${teamBadge()}`
    : html`<span class="badge" data-role=${role}>${roleLabel(role)}</span>`;
}

/** Why a request failed: the gateway's stable code, `offline`, or `other`; and for `rate_limited` the wait in seconds. */
export function failure(err: unknown): { code: string; seconds: number } {
  if (err instanceof ConnectionLostError || err instanceof NotConnectedError) return { code: "offline", seconds: 0 };
  if (!(err instanceof ParleyError)) return { code: "other", seconds: 0 };
  if (err.code === "unavailable") return { code: "offline", seconds: 0 };
  return { code: err.code, seconds: err.retryAfter ?? 60 };
}

/** Badge styles for the elements that show {@link roleBadge}. */
export const badgeStyles = css`
  .badge {
    display: inline-block;
    font-size: 0.72rem;
    line-height: 1.3;
    padding: 0 0.4rem;
    border-radius: 999px;
    background: var(--dash-surface);
    color: #1f2937;
    border: 1px solid var(--dash-border);
    white-space: nowrap;
  }
  .badge.team {
    background: #dbeafe;
    border-color: #93c5fd;
    color: #1e3a8a;
  }
`;
