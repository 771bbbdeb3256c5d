/** Epochs: each conversation's chain of signed key commits. */
import type { EpochCommit } from "@parley/sdk/protocol";

export interface AppendCommitResult {
  /** True when this commit became the new head. */
  accepted: boolean;
  /** The head epoch after the call (the new one, or the one that won). */
  head: number;
}

export interface EpochStore {
  /**
   * Appends a commit to a conversation's epoch chain: accepted only when its
   * epoch is the conversation's head + 1 (compare-and-set; of two concurrent
   * commits for the same epoch exactly one is accepted, across processes too).
   * On acceptance the conversation's `epoch` becomes `commit.epoch`. A commit
   * stored whose conversation head was not yet moved (a crash between the two
   * writes) is repaired by the next call, so the head never lags forever.
   * Rejects with StoreNotFoundError for an unknown conversation.
   */
  appendCommit(commit: EpochCommit): Promise<AppendCommitResult>;
  /**
   * The conversation's head epoch by its commits: the highest stored commit's
   * epoch, at least `cached` (the `epoch` the caller read with the
   * conversation). When the conversation's cached head lags its commits (a
   * crash between the two writes, or, on FerretDB, another process's update of
   * the conversation crossing the head's move) it is moved up here. For a
   * request that names a newer epoch than the conversation read says: the head
   * is checked against the commits before the request is refused.
   * Rejects with StoreNotFoundError for an unknown conversation.
   */
  epochHead(convId: string, cached: number): Promise<number>;
  /** Commits with epoch > `after`, oldest first, at most `limit`. */
  listCommits(convId: string, after: number, limit: number): Promise<EpochCommit[]>;
}
