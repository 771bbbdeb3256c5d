/**
 * Which of a conversation's messages the message list shows as bubbles: not those this device
 * holds no key for (a notice explains them), and not the key transport between devices.
 */
import type { ChatMessage } from "@parley/sdk";

/** A message this device holds no key for: explained by a notice instead of a bubble. */
export function noKey(m: ChatMessage): m is ChatMessage & { unreadable: "no_key" | "before_joined" } {
  return m.unreadable === "no_key" || m.unreadable === "before_joined";
}

/**
 * A message that leaves nothing in the timeline: key transport between devices (a history grant
 * for an invited member, which the SDK takes as it arrives), a cart edit (its cart shows it live),
 * a listening session's join, leave and change of what plays (its card and player show them), a
 * call's events (its one line shows them), and
 * a stored `live` body (a live signal's payload is never a message: one stored anyway, say a
 * signal a gateway replayed into the history, shows nothing and changes nothing).
 */
export function keyTransport(m: ChatMessage): boolean {
  const b = m.body;
  return (
    b?.type === "history-grant" ||
    b?.type === "live" ||
    b?.type === "call-event" ||
    (b?.type === "card-event" && /^(add|set|remove)$/.test(b.event.op)) ||
    (b?.type === "listen-event" && b.event.op !== "end")
  );
}

/** How many of `messages` can count as arrived for the reader (key transport and cart edits never do). */
export function countShown(messages: readonly ChatMessage[]): number {
  let n = 0;
  for (const m of messages) if (!keyTransport(m)) n++;
  return n;
}

/**
 * The seq to mark read when the newest row read is `seq`: past the messages right after it that
 * have no row (key transport, cart edits), so they never stay unread behind the last visible one.
 */
export function readThrough(messages: readonly ChatMessage[], seq: number): number {
  let i = messages.findIndex((m) => m.seq === seq);
  if (i < 0) return seq;
  let read = seq;
  for (let next = messages[++i]; next && keyTransport(next); next = messages[++i]) read = next.seq;
  return read;
}
