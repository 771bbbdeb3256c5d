/**
 * Who does what in a call's full mesh, from the board alone, so that every
 * device decides alike without asking: which devices a joining device offers
 * to (the one that joined later offers, so two devices never offer to each
 * other at once), whether a signal's sender is in the call, and which survivor
 * posts the `leave` for a device that dropped.
 */
import type { CallParticipant, CallQuality, CallRecord } from "../api.js";

/** The participants still in the call (joined, not left). */
export function inCall(record: CallRecord): CallParticipant[] {
  return record.participants.filter((p) => p.leftAt === undefined);
}

/**
 * The devices `self` offers to once its join is on the board: those still in
 * the call that joined before it (participants are in seq order). Undefined
 * while `self` is not in the call per the board (its join not folded yet).
 */
export function offerTargets(record: CallRecord, self: string): CallParticipant[] | undefined {
  const present = inCall(record);
  const at = present.findIndex((p) => p.device === self);
  if (at < 0) return undefined;
  return present.slice(0, at);
}

/** The participant that is this principal's device, still in the call; undefined when there is none. */
export function participantOf(record: CallRecord, principalId: string, device: string): CallParticipant | undefined {
  return inCall(record).find((p) => p.principalId === principalId && p.device === device);
}

/**
 * Whether `self` is the device that posts the `leave` for a dropped one: the
 * first, in device-id order, of the survivors (the devices still in the call
 * per the board, less those this device sees dropped), so that one message,
 * not one per survivor, says it.
 */
export function postsDropLeave(self: string, survivors: readonly string[]): boolean {
  const first = [...new Set([...survivors, self])].sort()[0];
  return first === self;
}

/** What one `getStats` sample says of a connection. */
export interface LinkSample {
  /** Round-trip time of the selected candidate pair, seconds. */
  rtt?: number;
  /** Packets lost since the previous sample, all inbound streams. */
  lost: number;
  /** Packets received since the previous sample. */
  received: number;
}

/** Good under 250 ms round trip and 2 % loss, fair under 600 ms and 8 %, else poor. */
export function qualityOf(sample: LinkSample): CallQuality {
  const total = sample.lost + sample.received;
  const loss = total > 0 ? sample.lost / total : 0;
  const rtt = sample.rtt ?? 0;
  if (rtt < 0.25 && loss < 0.02) return "good";
  if (rtt < 0.6 && loss < 0.08) return "fair";
  return "poor";
}

/**
 * How a ringing call that nobody joined ends for its caller: `declined` or
 * `busy` once every member it rang (`rung`: the conversation's members but
 * the caller) declined or was busy, `declined` when any declined; undefined
 * while someone may still answer. With nobody known to ring (a customer's
 * conversation with the shop's team), the first answer decides.
 */
export function refusedBy(record: CallRecord, rung: readonly string[]): "declined" | "busy" | undefined {
  const answered = new Set([...record.declined, ...record.busy]);
  if (answered.size === 0) return undefined;
  if (rung.some((principal) => !answered.has(principal))) return undefined;
  return record.declined.length > 0 ? "declined" : "busy";
}
