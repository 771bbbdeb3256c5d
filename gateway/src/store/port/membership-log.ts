/**
 * The membership log: every join, leave and removal of a conversation's
 * members, appended when it happens and never changed, so the timeline can
 * tell "Leo left" after the member row is gone. Only metadata the gateway
 * holds anyway (who, by whom, what, when).
 */
import type { MembershipEvent } from "@parley/sdk/protocol";

/** One recorded change: the same facts as the live `membership` event. */
export type MembershipRecord = MembershipEvent;

/** The conversations' membership changes, kept in the order they were appended. */
export interface MembershipLogStore {
  /** Records one change (appended, never merged with another). */
  appendMembershipEvent(event: MembershipRecord): Promise<void>;
  /** The conversation's newest `limit` changes (clamped as every limit), oldest first; equal times keep their append order. */
  listMembershipEvents(convId: string, limit: number): Promise<MembershipRecord[]>;
  /**
   * Those of `principalIds` who are members of one of `convIds` now, or whom the membership log of
   * one of them names (joined, left or removed): past and present members, each once, in no order.
   * Two indexed queries whatever the lists hold; callers bound the lists (`device.list`: 500
   * conversations, 32 principals). Empty when either list is.
   */
  pastOrPresentMembers(convIds: readonly string[], principalIds: readonly string[]): Promise<string[]>;
}
