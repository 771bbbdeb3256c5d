/**
 * What an invite looks like to whom, filled in when the gateway answers (never
 * stored): members see who was invited (`inviteeName`, `inviteeHandle`) and by
 * whom (`inviterKind`, `inviterHandle`); the invitee also sees the shop's name
 * and, while the invite is pending, the conversation's members as they are now.
 */
import type { InviteInfo, InviteMemberPreview } from "@parley/sdk/protocol";
import type { InviteRecord, MemberStore, PrincipalRecord, PrincipalStore, ShopStore } from "../store/port.js";
import { toInfo } from "./invite-rules.js";

/**
 * The most members an invite's preview lists, so that one invite into a crowded conversation still
 * fits a reply (docs/protocol.md).
 */
export const INVITE_PREVIEW_MEMBERS = 100;

export interface InviteViewsOptions {
  store: PrincipalStore & MemberStore & ShopStore;
  now: () => number;
}

export class InviteViews {
  readonly #o: InviteViewsOptions;

  constructor(options: InviteViewsOptions) {
    this.#o = options;
  }

  /** The invites as the conversation's members and the shop's team see them. */
  async forMembers(invites: readonly InviteRecord[]): Promise<InviteInfo[]> {
    const people = await this.#people(invites.flatMap((i) => [i.invitee, i.inviter]));
    const now = this.#o.now();
    return invites.map((i) => withPeople(toInfo(i, now), people));
  }

  /** The invites as their invitee sees them: with the shop's name and, while pending, the members now. */
  async forInvitee(invites: readonly InviteRecord[]): Promise<InviteInfo[]> {
    const shown = await this.forMembers(invites);
    const shopNames = new Map<string, string | undefined>();
    const previews = new Map<string, InviteMemberPreview[]>();
    for (const invite of shown) {
      if (!shopNames.has(invite.shopId))
        shopNames.set(invite.shopId, (await this.#o.store.getShop(invite.shopId))?.name);
      if (invite.status === "pending" && !previews.has(invite.convId)) {
        previews.set(invite.convId, await this.#members(invite.convId));
      }
    }
    return shown.map((invite) => {
      const shopName = shopNames.get(invite.shopId);
      const members = invite.status === "pending" ? previews.get(invite.convId) : undefined;
      return { ...invite, ...(shopName ? { shopName } : {}), ...(members ? { members } : {}) };
    });
  }

  /** The conversation's members as the invitee's preview shows them: the first INVITE_PREVIEW_MEMBERS. */
  async #members(convId: string): Promise<InviteMemberPreview[]> {
    const members = (await this.#o.store.listMembers(convId)).slice(0, INVITE_PREVIEW_MEMBERS);
    const people = await this.#people(members.map((m) => m.principalId));
    return members.map((m) => {
      const p = people.get(m.principalId);
      return { displayName: p?.displayName ?? "", role: m.role, ...(p?.handle ? { handle: p.handle } : {}) };
    });
  }

  async #people(ids: readonly string[]): Promise<Map<string, PrincipalRecord>> {
    const found = await this.#o.store.getPrincipals([...new Set(ids)]);
    return new Map(found.map((p) => [p.id, p]));
  }
}

/** The invite with its invitee's display name and handle and its inviter's kind and handle. */
function withPeople(invite: InviteInfo, people: ReadonlyMap<string, PrincipalRecord>): InviteInfo {
  const invitee = people.get(invite.invitee);
  const inviter = people.get(invite.inviter);
  return {
    ...invite,
    ...(invitee ? { inviteeName: invitee.displayName } : {}),
    ...(invitee?.handle ? { inviteeHandle: invitee.handle } : {}),
    ...(inviter ? { inviterKind: inviter.kind } : {}),
    ...(inviter?.handle ? { inviterHandle: inviter.handle } : {}),
  };
}
