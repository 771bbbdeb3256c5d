/**
 * The compare-and-set rules of the epoch chain (`appendCommit`) and of team
 * key versions (`putTeamKey`): each adapter reads the current head its own way
 * (under SQLite's write lock; from MongoDB's highest stored document, with a
 * unique index picking one winner), then decides here.
 */
import type { AppendCommitResult } from "../port/epochs.js";

/** Accepted only as the very next one: head + 1 (1 for the first). */
export const isNext = (current: number, proposed: number): boolean => proposed === current + 1;

/**
 * An epoch chain's real head: the conversation's cached head, or the highest
 * stored commit when the cache lags it (a crash between the commit's insert and
 * the head's move, or two processes' updates crossing).
 */
export const chainHead = (cached: number, highestStored: number | null | undefined): number =>
  Math.max(cached, highestStored ?? 0);

/** The answer to a commit that lost: the head it would have had to follow. */
export const refusedCommit = (head: number): AppendCommitResult => ({ accepted: false, head });

/** The answer to a commit that became the head. */
export const acceptedCommit = (epoch: number): AppendCommitResult => ({ accepted: true, head: epoch });

/** The answer of `putTeamKey`: the version is the new one when accepted, else the current one. */
export const teamKeyResult = (accepted: boolean, version: number): { accepted: boolean; version: number } => ({
  accepted,
  version,
});
