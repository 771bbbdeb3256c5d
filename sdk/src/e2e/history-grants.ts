/**
 * History grants carried out per invite (ADR 0025). The inviter chooses, per
 * invite, how much of the conversation the invitee may read from before it
 * joined: `none` (the default), `7d` or `all`. The gateway keeps the choice on
 * the invite record; the device whose commit added the invitee reads it there
 * and seals exactly the keys the choice allows, and the invitee's device reads
 * its own accepted invite and keeps only those keys, whatever the grant
 * carries.
 *
 * The rule, by epoch (the unit a key covers), for the epochs before the one
 * that added the invitee (`joined`):
 * - `none`: no key.
 * - `all`: every key.
 * - `7d`: the keys of the epochs that were current at some moment at or after
 *   the window's start, `settledAt - 7 days` (when the invite was accepted).
 *   Epoch e is current from its commit until the commit of e + 1, so it
 *   qualifies when the signed `ts` of commit e + 1 is at or after the start;
 *   the epoch right before `joined` always does (it was current when the
 *   invite was accepted). An epoch whose next commit this device cannot see
 *   (the gateway withheld it) does not qualify.
 *
 * Granularity is the epoch: a `7d` grant opens a whole epoch even when only its
 * last days fall in the window. The gateway's own floor (it serves an invited
 * member no message older than the choice allows) covers that remainder.
 *
 * `settledAt` is the gateway's word. So that a gateway backdating it cannot
 * widen the window by more than a day, the window is measured from the latest
 * of `settledAt`, the invite's `createdAt`, and the add commit's signed `ts`
 * less {@link SETTLE_SKEW_MS} (the add commit follows the acceptance within
 * seconds, by the clock of the member who made it).
 */
import type { DeviceDirectory } from "../crypto/device-directory.js";
import type { DeviceIdentity } from "../crypto/device-keys.js";
import {
  type HistoryGrantBody,
  MAX_GRANTED_EPOCHS,
  openHistoryGrant,
  sealHistoryGrant,
} from "../crypto/history-grant.js";
import type { StoredMessage } from "../protocol/envelope.js";
import { type EpochCommit, INVITE_HISTORY_WINDOW_MS, type InviteInfo } from "../protocol/models.js";
import type { ConversationEpochs } from "./conversation-epochs.js";
import type { Rpc } from "./rpc.js";

/** How far before the add commit's own time an invite's `settledAt` may lie and still count, ms (one day). */
export const SETTLE_SKEW_MS = 24 * 60 * 60 * 1000;

/** What making or taking a grant needs from the session. */
export interface GrantContext {
  /** Requests to the gateway (`invite.history`, `epoch.list`). */
  request: Rpc;
  /** This device. */
  identity: DeviceIdentity;
  /** This principal. */
  principalId: string;
  /** The pinned devices of every principal (a grant is sealed to the grantee's). */
  directory: DeviceDirectory;
}

const finite = (n: unknown): n is number => typeof n === "number" && Number.isFinite(n);

/**
 * The invite that brought `invitee` into the conversation: the newest accepted
 * one for it among the conversation's invite records, or undefined (added
 * without an invite, or the gateway does not say).
 */
export async function acceptedInvite(request: Rpc, convId: string, invitee: string): Promise<InviteInfo | undefined> {
  // Only the grantee's invites: in a busy conversation the newest 200 of all may not hold it.
  const { invites } = await request("invite.history", { convId, invitee });
  const when = (i: InviteInfo) => (finite(i.settledAt) ? i.settledAt : finite(i.createdAt) ? i.createdAt : 0);
  let found: InviteInfo | undefined;
  for (const invite of invites) {
    if (invite.convId !== convId || invite.invitee !== invitee || invite.status !== "accepted") continue;
    if (!found || when(invite) >= when(found)) found = invite;
  }
  return found;
}

/** Whether the invite offers any history (an unknown value offers none). */
export function offersHistory(invite: InviteInfo | undefined): invite is InviteInfo {
  return invite?.history === "7d" || invite?.history === "all";
}

/** The start of a `7d` invite's window, ms: see the module comment for why it is bounded by the add commit. */
export function windowStart(invite: InviteInfo, added: EpochCommit): number {
  const settled = finite(invite.settledAt) ? invite.settledAt : added.ts;
  const created = finite(invite.createdAt) ? invite.createdAt : settled;
  return Math.max(settled, created, added.ts - SETTLE_SKEW_MS) - INVITE_HISTORY_WINDOW_MS;
}

/**
 * The part of `keys` (epoch to key) the invite lets its invitee hold, given
 * `added`, the commit that added the invitee, and the verified commits this
 * device holds (`commitAt`). The newest {@link MAX_GRANTED_EPOCHS} at most.
 */
export function keysTheInviteAllows(
  keys: ReadonlyMap<number, Uint8Array>,
  invite: InviteInfo,
  added: EpochCommit,
  commitAt: (epoch: number) => EpochCommit | undefined,
): Map<number, Uint8Array> {
  const allowed = new Map<number, Uint8Array>();
  if (!offersHistory(invite)) return allowed;
  const from = invite.history === "7d" ? windowStart(invite, added) : undefined;
  const epochs = [...keys.keys()].filter((e) => e < added.epoch).sort((a, b) => b - a);
  for (const epoch of epochs) {
    if (allowed.size >= MAX_GRANTED_EPOCHS) break;
    if (from !== undefined && epoch !== added.epoch - 1) {
      const next = commitAt(epoch + 1);
      if (!next || !finite(next.ts) || next.ts < from) continue; // ended before the window, or cannot tell
    }
    allowed.set(epoch, keys.get(epoch) as Uint8Array);
  }
  return allowed;
}

/**
 * The grant this device sends after committing the epoch that added
 * `grantee`: the keys it holds that the grantee's accepted invite allows,
 * sealed to the grantee's devices. Undefined when the grantee is on the team
 * (the team key already reads everything), when another device made the add
 * commit (one grant per invitation), when there is no accepted invite or it
 * offers `none`, or when there is nothing to give.
 */
export async function makeGrant(
  ctx: GrantContext,
  conv: ConversationEpochs,
  grantee: string,
): Promise<HistoryGrantBody | undefined> {
  const head = conv.head;
  if (!head?.members.some((m) => m.principalId === grantee)) return undefined; // nothing sealed to it would be readable
  if (await conv.listedAsTeam(grantee)) return undefined;
  const added = await conv.commitAdding(grantee);
  if (!added || added.committer.deviceId !== ctx.identity.deviceId) return undefined;
  const invite = await acceptedInvite(ctx.request, conv.convId, grantee);
  if (!offersHistory(invite)) return undefined;
  const held = await conv.heldKeys(added.epoch);
  const keys = keysTheInviteAllows(held, invite, added, (e) => conv.commitAt(e));
  const devices = ctx.directory.devicesOf(grantee);
  if (keys.size === 0 || devices.length === 0) return undefined;
  return sealHistoryGrant(grantee, keys, devices);
}

/**
 * Takes a grant addressed to this principal: only from the device whose
 * commit added it or from a principal proven to be on the shop's team, only
 * when its own accepted invite offers history, and only the keys that choice
 * allows (the rest are dropped). Resolves how many keys were new; rejects
 * with the reason when the grant is refused.
 */
export async function takeGrant(
  ctx: GrantContext,
  conv: ConversationEpochs,
  message: StoredMessage,
  body: HistoryGrantBody,
): Promise<number> {
  const { sender, envelope } = message;
  // Keys of the grant's own epoch or later come from commits, never from a grant.
  const offered = new Map([...(await openHistoryGrant(body, ctx.identity))].filter(([e]) => e < envelope.epoch));
  if ([...offered.keys()].every((e) => conv.keyFor(e))) return 0; // nothing new (read again after a reload)
  const added = await conv.commitAdding(ctx.principalId);
  const fromAdder = added?.committer.principalId === sender && added.committer.deviceId === envelope.senderDevice;
  if (!added || !(fromAdder || conv.provenTeam(sender))) {
    throw new Error(
      `history grant from ${sender} refused: it comes neither from the device that added this member nor from the shop's team`,
    );
  }
  const invite = await acceptedInvite(ctx.request, conv.convId, ctx.principalId);
  if (!offersHistory(invite)) throw new Error(`history grant from ${sender} refused: the invite offered no history`);
  return conv.acceptGrant(
    keysTheInviteAllows(offered, invite, added, (e) => conv.commitAt(e)),
    sender,
  );
}
