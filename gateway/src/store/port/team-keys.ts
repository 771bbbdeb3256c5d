/** Team keys: a shop team's versioned key pair and its wraps to each team device. */
import type { TeamKeyRecord, TeamKeyWrap } from "@parley/sdk/protocol";

export interface TeamKeyStore {
  /** The shop's current team key record, or version `version` when given. */
  getTeamKey(shopId: string, version?: number): Promise<TeamKeyRecord | undefined>;
  /**
   * Stores a team key record: accepted only when its version is the current
   * version + 1 (1 for the first), compare-and-set like `appendCommit` (exactly
   * one of concurrent puts for a version wins, across processes too).
   */
  putTeamKey(record: TeamKeyRecord): Promise<{ accepted: boolean; version: number }>;
  /** Inserts or replaces the wrap for (shopId, version, deviceId). */
  putTeamWrap(wrap: TeamKeyWrap): Promise<void>;
  /** Wraps of one team key version, optionally only those of one principal's devices. */
  listTeamWraps(shopId: string, version: number, principalId?: string): Promise<TeamKeyWrap[]>;
}
