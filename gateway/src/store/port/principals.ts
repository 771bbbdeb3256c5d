/** Principals: customers, agents and bots, each with a display name and an optional handle (unique per shop). */
import type { PrincipalKind } from "@parley/sdk/protocol";

export interface PrincipalRecord {
  id: string;
  kind: PrincipalKind;
  shopId: string;
  /** The id the principal has outside Parley: the token `sub` for customers, the login for agents; unique per (shopId, kind). */
  externalId: string;
  displayName: string;
  /** The handle in its stored (normalised) form; unique per shop. */
  handle?: string;
  /**
   * The UTS #39 skeleton of `handle` (rules/skeleton.ts), unique per shop, so no two handles of a
   * shop look alike. Absent on a handle set before skeletons were kept whose skeleton another
   * handle of the shop already had when the store was migrated.
   */
  handleSkeleton?: string;
  /** The client IP the principal's latest session was minted for (the per-IP rate limits of every gateway). */
  lastIp?: string;
  createdAt: number;
}

/** What `setHandle` did: set, or refused because another principal of the shop holds the handle or its skeleton, or no such principal. */
export type SetHandleResult = "set" | "taken" | "confusable" | "not_found";

export interface PrincipalStore {
  /** Returns the principal for (shopId, kind, externalId), creating it with `init` when absent. */
  ensurePrincipal(init: PrincipalRecord): Promise<PrincipalRecord>;
  getPrincipal(id: string): Promise<PrincipalRecord | undefined>;
  getPrincipals(ids: string[]): Promise<PrincipalRecord[]>;
  /** The principal of `shopId` holding `handle` (exact match on the stored form); never one of another shop. */
  findPrincipalByHandle(shopId: string, handle: string): Promise<PrincipalRecord | undefined>;
  /** The principal of `shopId` whose handle has this skeleton. */
  findPrincipalBySkeleton(shopId: string, skeleton: string): Promise<PrincipalRecord | undefined>;
  /**
   * Sets or changes a handle with its skeleton. `taken` when another principal of the same shop
   * holds the handle, `confusable` when one holds the skeleton; unique per shop across processes.
   */
  setHandle(principalId: string, handle: string, skeleton: string): Promise<SetHandleResult>;
  setDisplayName(principalId: string, displayName: string): Promise<void>;
  /** Records the client IP of the principal's newest session. */
  setLastIp(principalId: string, ip: string): Promise<void>;
  /** Every agent and bot principal of a shop. */
  listTeam(shopId: string): Promise<PrincipalRecord[]>;
}
