/**
 * A principal's own profile: its display name and `@handle` (unique per shop,
 * claimed through handles.ts), and the public view of a principal record.
 */
import type { PrincipalInfo, RpcResults, rpcRequestSchemas } from "@parley/sdk/protocol";
import type { z } from "zod";
import { GatewayError } from "../errors.js";
import type { PrincipalRecord, PrincipalStore } from "../store/port.js";
import type { Handles } from "./handles.js";

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
  /** Claims handles (handles.ts): normalised, scoped to the shop, rate-limited as a handle probe. */
  handles: Handles;
}

export class Profiles {
  constructor(private readonly o: ProfilesOptions) {}

  /** The caller's profile, read afresh: the actor record may be a moment old (see RecentPrincipals). */
  async get(actor: PrincipalRecord): Promise<RpcResults["profile.get"]> {
    return { principal: toPrincipalInfo((await this.o.store.getPrincipal(actor.id)) ?? actor) };
  }

  /**
   * Sets the caller's handle (`Handles.claim`: `forbidden` for guests, `handle_invalid`,
   * `handle_reserved`, `handle_confusable`, `handle_taken`, `rate_limited`) and display name
   * (already checked by the schema: `display_name_invalid`). The handle is claimed first: a
   * refused one changes nothing.
   */
  async update(actor: PrincipalRecord, body: Body<"profile.update">): Promise<RpcResults["profile.update"]> {
    if (body.handle !== undefined) await this.o.handles.claim(actor, body.handle);
    if (body.displayName !== undefined) await this.o.store.setDisplayName(actor.id, body.displayName);
    const updated = await this.o.store.getPrincipal(actor.id);
    if (!updated) throw new GatewayError("not_found", "principal vanished");
    return { principal: toPrincipalInfo(updated) };
  }
}
