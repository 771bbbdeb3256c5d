/**
 * Commits from before this session: a device keeps only the head of a
 * conversation's chain between sessions, but history grants need older ones
 * (which commit added a member, and when each epoch ended). They are fetched
 * from the gateway and taken only when they hash-chain back from a commit this
 * device already verified: commit e is accepted exactly when its hash is the
 * `prevHash` of the trusted commit e+1. The hash covers every field and the
 * signatures, so the gateway cannot alter or invent an older commit; it can
 * only withhold them (then fewer commits are known, and a grant carries or
 * keeps fewer keys).
 */
import { commitHash, commitShapeProblem } from "../crypto/commits.js";
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
    verified.push(commit);
    next = commit;
  }
  return verified;
}
