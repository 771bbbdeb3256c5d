/** Principals: customers, agents and bots, each with a display name and an optional handle. */
import type { PrincipalKind } from "@parley/sdk/protocol";

export interface PrincipalRecord {
  id: string;
  kind: PrincipalKind;
  shopId: string;
  /** The id the principal has outside Parley: the token `sub` for customers, the login for agents; unique per (shopId, kind). */
  externalId: string;
  displayName: string;
  handle?: string;
  createdAt: number;
}

export interface PrincipalStore {
  /** Returns the principal for (shopId, kind, externalId), creating it with `init` when absent. */
  ensurePrincipal(init: PrincipalRecord): Promise<PrincipalRecord>;
  getPrincipal(id: string): Promise<PrincipalRecord | undefined>;
  getPrincipals(ids: string[]): Promise<PrincipalRecord[]>;
  /** Exact match only. */
  findPrincipalByHandle(handle: string): Promise<PrincipalRecord | undefined>;
  /** Sets or changes a handle; resolves false when another principal holds it. */
  setHandle(principalId: string, handle: string): Promise<boolean>;
  setDisplayName(principalId: string, displayName: string): Promise<void>;
  /** Every agent and bot principal of a shop. */
  listTeam(shopId: string): Promise<PrincipalRecord[]>;
}
