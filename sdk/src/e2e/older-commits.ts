/**
 * Commits from before this session: a device keeps only the head of a
 * conversation's chain between sessions, but history grants need older ones
 * (which commit added a member, and when each epoch ended). They are fetched
 * from the gateway and taken only when they hash-chain back from a commit this
 * device already verified: commit e is accepted exactly when its hash is the
 * `prevHash` of the trusted commit e+1. The hash covers every field and the
 * signatures, so the gateway cannot alter or invent an older commit; it can
 * only withhold them (then fewer commits are known, and a grant carries or
 * keeps fewer keys). With `signedBy`, each must also carry its committer's
 * valid signature: a member that skipped an invalid commit (apply-commits.ts)
 * and committed over it made it part of the hash chain without vouching for it.
 */
import { commitHash, commitShapeProblem, commitSignedBy } from "../crypto/commits.js";
import type { DeviceDirectory } from "../crypto/device-directory.js";
import type { EpochCommit } from "../protocol/models.js";
import type { Rpc } from "./rpc.js";

/** Commits per `epoch.list` page (the op's maximum). */
const PAGE = 500;

/**
 * The commits of epochs `lowest` to `trusted.epoch - 1` that chain back from
 * `trusted`, newest first. Stops at the first one missing or not matching (so
 * the result is always a verified run ending just below `trusted`).
 */
export async function fetchOlderCommits(
  request: Rpc,
  convId: string,
  trusted: EpochCommit,
  lowest: number,
  signedBy?: (commit: EpochCommit) => Promise<boolean>,
): Promise<EpochCommit[]> {
  const fetched = new Map<number, EpochCommit>();
  let after = Math.max(0, lowest - 1);
  while (after < trusted.epoch - 1) {
    const { commits } = await request("epoch.list", {
      convId,
      after,
      limit: Math.min(PAGE, trusted.epoch - 1 - after),
    });
    let top = after;
    for (const c of commits) {
      if (Number.isSafeInteger(c.epoch) && c.epoch > after && c.epoch < trusted.epoch) {
        fetched.set(c.epoch, c);
        top = Math.max(top, c.epoch);
      }
    }
    if (top === after) break; // nothing new on this page: a lying gateway cannot keep us asking
    after = top;
  }
  const verified: EpochCommit[] = [];
  let next = trusted;
  for (let epoch = trusted.epoch - 1; epoch >= lowest; epoch--) {
    const commit = fetched.get(epoch);
    if (!commit || commitShapeProblem(commit) || commit.convId !== convId || commit.epoch !== epoch) break;
    if ((await commitHash(commit)) !== next.prevHash) break;
    if (signedBy && !(await signedBy(commit))) break;
    verified.push(commit);
    next = commit;
  }
  return verified;
}

/**
 * The `signedBy` check of {@link fetchOlderCommits}: the commit's committer
 * device pinned (active or retired; fetched once per principal with
 * `device.list` when not) and its signature valid, and not one of the epochs
 * this session skipped as invalid.
 */
export function signedByPinned(
  request: Rpc,
  directory: DeviceDirectory,
  skipped: ReadonlySet<number>,
): (commit: EpochCommit) => Promise<boolean> {
  const asked = new Set<string>();
  return async (commit) => {
    if (skipped.has(commit.epoch)) return false;
    const { principalId, deviceId } = commit.committer;
    if (!directory.pinned(principalId, deviceId) && !asked.has(principalId)) {
      asked.add(principalId);
      const { devices } = await request("device.list", { principalIds: [principalId] });
      await directory.learn(devices, { complete: [principalId] });
    }
    const device = directory.pinned(principalId, deviceId);
    return device !== undefined && (await commitSignedBy(commit, device));
  };
}
