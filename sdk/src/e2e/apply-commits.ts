/**
 * Applying a batch of commits to a conversation's keyring: a commit that
 * fails because this device lacks something (the committer's devices, a team
 * key version) is retried after learning it (bounded); a commit that continues
 * the chain but still fails its checks is skipped: treated as absent (no key,
 * no members, never trusted, not even by hash), reported through `onError`,
 * and the next commit follows it by hash (`EpochKeyring.skip`). A commit that
 * breaks the chain (`bad_chain`, `bad_shape`) is still refused: the gateway
 * stores none (its commit checks), so only a lying one serves it.
 */
import type { DeviceDirectory } from "../crypto/device-directory.js";
import type { ApplyContext, EpochKeyring } from "../crypto/keyring.js";
import { CommitError, type CommitFailure } from "../errors.js";
import type { EpochCommit } from "../protocol/models.js";
import type { Rpc } from "./rpc.js";

/** Retries of one batch of commits after learning a committer's devices or the team's principals. */
const MAX_APPLY_RETRIES = 3;
/** Failures that make a commit which continues the chain count as absent rather than stop the conversation. */
const SKIPPABLE: ReadonlySet<CommitFailure> = new Set([
  "unknown_committer",
  "bad_signature",
  "not_a_member",
  "bad_wraps",
]);

/** What {@link applyCommits} works with: one conversation's keyring and what it learns from. */
export interface ApplyCommitsHost {
  /** The conversation's keyring. */
  keyring: EpochKeyring;
  /** The conversation. */
  convId: string;
  /** Epochs skipped in this session (added to). */
  skipped: Set<number>;
  /** The team keys to verify and open team commits with. */
  context(): ApplyContext;
  /** Where a failed commit's missing pieces are learned from. */
  learn: {
    /** The gateway. */
    request: Rpc;
    /** The device pins committers resolve through. */
    directory: DeviceDirectory;
    /** Whether this device verified team key `version` already. */
    knowsTeamVersion(version: number): boolean;
    /** Verifies and pins team key `version`; false when no record of it verifies. */
    learnTeamVersion(version: number): Promise<boolean>;
  };
  /** A commit of the batch that was verified and applied. */
  applied(commit: EpochCommit): void;
  /** A commit was skipped. */
  onError?: (error: Error) => void;
}

/** Applies `commits` in order (see the module comment). */
export async function applyCommits(commits: readonly EpochCommit[], host: ApplyCommitsHost): Promise<void> {
  const { keyring } = host;
  let attempt = 0;
  for (;;) {
    try {
      await keyring.apply(commits, host.context());
      const head = keyring.head?.epoch ?? 0;
      for (const c of commits) if (c.epoch <= head && !host.skipped.has(c.epoch)) host.applied(c);
      return;
    } catch (err) {
      if (!(err instanceof CommitError)) throw err;
      const failed = commits.find((c) => c.epoch === keyring.epoch + 1);
      if (!failed) throw err;
      if (attempt < MAX_APPLY_RETRIES && (await learnFor(host.learn, err, failed))) {
        attempt++;
        continue;
      }
      if (!SKIPPABLE.has(err.reason)) throw err;
      await keyring.skip(failed);
      host.skipped.add(failed.epoch);
      attempt = 0;
      host.onError?.(
        new Error(`epoch ${failed.epoch} of ${host.convId} does not verify (${err.reason}); skipped`, { cause: err }),
      );
    }
  }
}

/** Learns what a commit that failed may need; false when there is nothing to learn. */
async function learnFor(learn: ApplyCommitsHost["learn"], err: CommitError, failed: EpochCommit): Promise<boolean> {
  if (err.reason === "unknown_committer") {
    const principalId = failed.committer.principalId;
    const { devices } = await learn.request("device.list", { principalIds: [principalId] });
    await learn.directory.learn(devices, { complete: [principalId] });
    return true;
  }
  // A team commit signed with a team key version this device has not verified yet.
  if (err.reason === "not_a_member" && failed.teamVersion > 0 && !learn.knowsTeamVersion(failed.teamVersion)) {
    return learn.learnTeamVersion(failed.teamVersion);
  }
  return false;
}
