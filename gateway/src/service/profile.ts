/**
 * A principal's own profile: its display name and `@handle` (unique; a taken
 * one answers `handle_taken`), and the public view of a principal record.
 */
import type { PrincipalInfo, RpcResults, rpcRequestSchemas } from "@parley/sdk/protocol";
import type { z } from "zod";
import { GatewayError } from "../errors.js";
import type { PrincipalRecord, PrincipalStore } from "../store/port.js";

type Body<Op extends keyof typeof rpcRequestSchemas> = z.output<(typeof rpcRequestSchemas)[Op]>;

/** What others may know of a principal: never its external id or credentials. */
export function toPrincipalInfo(p: PrincipalRecord): PrincipalInfo {
  return {
    id: p.id,
    kind: p.kind,
    shopId: p.shopId,
    displayName: p.displayName,
    ...(p.handle ? { handle: p.handle } : {}),
  };
}

export interface ProfilesOptions {
  store: PrincipalStore;
}

export class Profiles {
  constructor(private readonly o: ProfilesOptions) {}

  /** The caller's profile, read afresh: the actor record may be a moment old (see RecentPrincipals). */
  async get(actor: PrincipalRecord): Promise<RpcResults["profile.get"]> {
    return { principal: toPrincipalInfo((await this.o.store.getPrincipal(actor.id)) ?? actor) };
  }

  async update(actor: PrincipalRecord, body: Body<"profile.update">): Promise<RpcResults["profile.update"]> {
    // The actor record may be a moment old (RecentPrincipals); the handle comparison needs the stored one.
    const current = (await this.o.store.getPrincipal(actor.id)) ?? actor;
    if (body.handle !== undefined && body.handle !== current.handle) {
      if (!(await this.o.store.setHandle(actor.id, body.handle))) throw new GatewayError("handle_taken");
    }
    if (body.displayName !== undefined) await this.o.store.setDisplayName(actor.id, body.displayName);
    const updated = await this.o.store.getPrincipal(actor.id);
    if (!updated) throw new GatewayError("not_found", "principal vanished");
    return { principal: toPrincipalInfo(updated) };
  }
}
