/**
 * Which of the team key versions a device holds may open a commit's team wrap
 * (`EpochCommit.teamWrap`): after a rotation an agent device holds several.
 */
import type { EpochCommit } from "../protocol/models.js";

/** The shop team's X25519 pair, for opening `teamWrap`. */
export interface TeamBoxKey {
  /** The X25519 public key. */
  boxPk: Uint8Array;
  /** The X25519 secret key. */
  boxSk: Uint8Array;
  /** The team key version, when known: a format-2 commit's team wrap opens only with its `teamWrapVersion`. */
  version?: number;
}

/**
 * The held team keys to try on `commit`'s team wrap: for a format-2 commit the one of its
 * `teamWrapVersion` (none when not held), for a format-1 commit every one, newest first.
 */
export function teamKeysFor(commit: EpochCommit, teamKeys: TeamBoxKey | readonly TeamBoxKey[]): TeamBoxKey[] {
  const all = Array.isArray(teamKeys) ? [...teamKeys] : [teamKeys as TeamBoxKey];
  if (commit.teamWrapVersion === undefined) return all.sort((a, b) => (b.version ?? 0) - (a.version ?? 0));
  return all.filter((k) => k.version === undefined || k.version === commit.teamWrapVersion);
}
