/**
 * `team.members` and `team.remove`: a shop's admin agents list the team's
 * logins and remove one from the dashboard, with their own session (the
 * gateway's admin API does the same with the admin token). Removal goes
 * through the shop admin, which revokes the removed login's sessions.
 */
import type { RpcResults } from "@parley/sdk/protocol";
import { GatewayError } from "../errors.js";
import type { AgentStore, PrincipalRecord, PrincipalStore } from "../store/port.js";
import { toPrincipalInfo } from "./profile.js";

/** Most logins `team.members` lists. */
const MAX_MEMBERS = 500;

export interface TeamAdminOptions {
  store: AgentStore & PrincipalStore;
  /**
   * Removes a login and revokes its sessions (ShopAdmin.removeAgent), in the request `requestId`; absent,
   * `team.remove` is `unavailable`.
   */
  removeAgent?: ((shopId: string, login: string, requestId?: string) => Promise<unknown>) | undefined;
}

export class TeamAdmin {
  readonly #o: TeamAdminOptions;

  constructor(options: TeamAdminOptions) {
    this.#o = options;
  }

  async members(actor: PrincipalRecord): Promise<RpcResults["team.members"]> {
    await this.#requireAdmin(actor);
    const team = (await this.#o.store.listTeam(actor.shopId)).slice(0, MAX_MEMBERS);
    const members: RpcResults["team.members"]["members"] = [];
    for (const p of team) {
      // A removed login's principal stays (its messages keep their author) but is no member.
      const agent = await this.#o.store.getAgent(actor.shopId, p.externalId);
      if (agent?.principalId === p.id)
        members.push({ login: agent.login, role: agent.role, principal: toPrincipalInfo(p) });
    }
    return { members };
  }

  /** Removes a login; the events that causes (its sessions' end, the team key's rotation) carry `requestId`. */
  async remove(actor: PrincipalRecord, login: string, requestId?: string): Promise<RpcResults["team.remove"]> {
    await this.#requireAdmin(actor);
    if (login === actor.externalId) throw new GatewayError("bad_request", "you cannot remove yourself");
    if (!this.#o.removeAgent) throw new GatewayError("unavailable", "team removal is not configured");
    await this.#o.removeAgent(actor.shopId, login, requestId);
    return { ok: true };
  }

  /** An agent (not a bot) whose own login record says admin and points back at it. */
  async #requireAdmin(actor: PrincipalRecord): Promise<void> {
    if (actor.kind === "agent") {
      const agent = await this.#o.store.getAgent(actor.shopId, actor.externalId);
      if (agent?.principalId === actor.id && agent.role === "admin") return;
    }
    throw new GatewayError("forbidden", "only the shop's admin agents manage its team");
  }
}
