/**
 * The zod schemas of calls (`call` and `call-event` bodies, version 1, and
 * the `call` live signals), written with `zod/mini` so they stay small: they
 * load with the calls runtime, not with the chat. Objects are strict (unknown
 * keys refused), times are safe integers of shared-clock ms, ids are
 * subject-safe, a session description is bounded by MAX_SDP_CHARS and its
 * signed DTLS fingerprint must be a hash WebRTC uses (`sha-1`, `sha-224`,
 * `sha-256`, `sha-384`, `sha-512`) with the hash's length in hex pairs.
 */
import * as z from "zod/mini";
import {
  type CallEvent,
  type CallStart,
  type LiveCall,
  MAX_FINGERPRINT_CHARS,
  MAX_SDP_CHARS,
} from "../protocol/calls/wire.js";
import { ID_PATTERN, MSG_ID_PATTERN } from "../protocol/ids.js";
import { checked, firstProblem, type Same } from "../protocol/schema-checks.js";

/** The latest instant a time field may name, ms (the end of ECMAScript dates). */
const MAX_TIME_MS = 8.64e15;

/** Hex pairs in the digest of each hash function a DTLS fingerprint may use (RFC 8122; md5 and md2 are refused). */
export const FINGERPRINT_HASH_BYTES: Readonly<Record<string, number>> = {
  "sha-1": 20,
  "sha-224": 28,
  "sha-256": 32,
  "sha-384": 48,
  "sha-512": 64,
};

/** `alg HEX:HEX:…`: a hash name and colon-separated hex pairs. */
const FINGERPRINT_SHAPE = /^([A-Za-z0-9-]+) ((?:[0-9A-Fa-f]{2}:)*[0-9A-Fa-f]{2})$/;

/**
 * Whether `value` is a DTLS fingerprint as `a=fingerprint` names it: a hash of
 * {@link FINGERPRINT_HASH_BYTES} (any case) and exactly its digest's length in hex pairs.
 */
export function isFingerprint(value: string): boolean {
  if (value.length > MAX_FINGERPRINT_CHARS) return false;
  const match = FINGERPRINT_SHAPE.exec(value);
  if (!match) return false;
  const bytes = FINGERPRINT_HASH_BYTES[(match[1] as string).toLowerCase()];
  return bytes !== undefined && (match[2] as string).length === bytes * 3 - 1;
}

const time = z.int({ error: "must be an integer of ms" }).check(z.minimum(0), z.maximum(MAX_TIME_MS));
const callId = z.string().check(z.regex(MSG_ID_PATTERN, "must be a call id (16-64 of [A-Za-z0-9_-])"));
const deviceId = z.string().check(z.regex(ID_PATTERN, "must be a device id (1-64 of [A-Za-z0-9_-])"));

/** The body of a `call` message. */
export const callStartSchema = z.strictObject({ media: z.enum(["audio", "video"]), at: time });

/** The body of a `call-event` message. */
export const callEventSchema = z.discriminatedUnion("op", [
  z.strictObject({ call: callId, op: z.literal("join"), at: time }),
  z.strictObject({ call: callId, op: z.literal("decline"), at: time }),
  z.strictObject({ call: callId, op: z.literal("busy"), at: time }),
  z.strictObject({ call: callId, op: z.literal("leave"), at: time, device: z.optional(deviceId) }),
]);

/** A call's live signal: a session description (offer or answer) or a media state. */
export const liveCallSchema = z.discriminatedUnion("op", [
  z.strictObject({
    kind: z.literal("call"),
    call: callId,
    op: z.enum(["offer", "answer"]),
    to: deviceId,
    sdp: z.string().check(z.minLength(1), z.maxLength(MAX_SDP_CHARS)),
    fingerprint: z
      .string()
      .check(
        z.maxLength(MAX_FINGERPRINT_CHARS),
        z.refine(isFingerprint, "must be a DTLS fingerprint (sha-256 and 32 hex pairs, or another WebRTC hash)"),
      ),
  }),
  z.strictObject({
    kind: z.literal("call"),
    call: callId,
    op: z.literal("media"),
    audio: z.boolean(),
    video: z.boolean(),
    screen: z.boolean(),
  }),
]);

// Compile-time checks of the schemas against wire.ts.
const startsMatch: Same<z.output<typeof callStartSchema>, CallStart> = true;
const eventsMatch: Same<z.output<typeof callEventSchema>, CallEvent> = true;
const livesMatch: Same<z.output<typeof liveCallSchema>, LiveCall> = true;
void [startsMatch, eventsMatch, livesMatch];

/** A checked copy of `value` as a `call` body, or `undefined` when it is not a valid one. */
export function parseCallStart(value: unknown): CallStart | undefined {
  return checked(callStartSchema, value);
}

/** A checked copy of `value` as a `call-event` body, or `undefined` when it is not a valid one. */
export function parseCallEvent(value: unknown): CallEvent | undefined {
  return checked(callEventSchema, value);
}

/** A checked copy of `value` as a call's live signal, or `undefined` when it is not a valid one. */
export function parseLiveCall(value: unknown): LiveCall | undefined {
  return checked(liveCallSchema, value);
}

/** What {@link callProblem} checks `value` as. */
export type CallWhat = "start" | "event" | "live";

const schemas = { start: callStartSchema, event: callEventSchema, live: liveCallSchema } as const;

/**
 * Why `value` is not a valid `call` body (or, with `"event"`, `call-event` body; with `"live"`, live
 * signal), in a few words for an error message; `undefined` when it is valid.
 */
export function callProblem(value: unknown, what: CallWhat = "start"): string | undefined {
  return firstProblem(schemas[what], value);
}

/** `alg HEX` with the hash name lower-case and the hex upper-case (the form fingerprints are compared in). */
export function normalizeFingerprint(value: string): string {
  const [alg = "", hex = ""] = value.trim().split(/\s+/);
  return `${alg.toLowerCase()} ${hex.toUpperCase()}`;
}

/** The `a=fingerprint:` line's value, when `line` is one. */
const FINGERPRINT_LINE = /^a=fingerprint:\s*(\S+)\s+(\S+)\s*$/i;

/**
 * Every `a=fingerprint:` line of `sdp` (session and media level), normalised with
 * {@link normalizeFingerprint} (`sha-256 AB:CD:…`), in order.
 */
export function sdpFingerprints(sdp: string): string[] {
  const out: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    const match = FINGERPRINT_LINE.exec(line.trim());
    if (match) out.push(normalizeFingerprint(`${match[1]} ${match[2]}`));
  }
  return out;
}

/**
 * Whether `sdp` names exactly the signed `fingerprint`: at least one `a=fingerprint` line, every
 * one equal to it (hash name and hex compared without regard to case), and the fingerprint valid.
 */
export function fingerprintMatches(sdp: string, fingerprint: string): boolean {
  if (!isFingerprint(fingerprint)) return false;
  const signed = normalizeFingerprint(fingerprint);
  const lines = sdpFingerprints(sdp);
  return lines.length > 0 && lines.every((line) => line === signed);
}
