// The calls strings: every way a call can end and every refusal has its own words in English and
// German, and the history line reads as the issue asks ("Video call · 3:24", "Missed voice call",
// "Declined", "Call in progress" with Join while this device is not in it).
import { describe, expect, it } from "vitest";
import { callLine } from "./call-note.js";
import type { ActiveCall, CallEndReason, CallRecord, CallRefusal } from "./sdk.js";
import { callsStrings, clockText } from "./strings.js";
import { endText } from "./views.js";

const REASONS: CallEndReason[] = [
  "hung_up",
  "ended",
  "no_answer",
  "declined",
  "busy",
  "answered_elsewhere",
  "refused",
  "failed",
  "media_denied",
];
const REFUSALS: CallRefusal[] = ["unsigned", "not_participant", "fingerprint_mismatch", "certificate_mismatch"];

const ended = (endReason: CallEndReason, check?: CallRefusal): ActiveCall => ({
  id: "c1",
  convId: "cv1",
  media: "video",
  outgoing: true,
  phase: "ended",
  local: undefined,
  muted: false,
  camera: true,
  screen: false,
  peers: new Map(),
  endReason,
  ...(check ? { refusal: { check, sender: "a_ada" } } : {}),
});

const record = (over: Partial<CallRecord>): CallRecord => ({
  id: "c1",
  seq: 4,
  convId: "cv1",
  media: "video",
  caller: "c_mia",
  callerDevice: "d_mia",
  fromTeam: false,
  startedAt: 1_000,
  participants: [{ principalId: "c_mia", device: "d_mia", fromTeam: false, joinedAt: 1_000 }],
  declined: [],
  busy: [],
  state: "ended",
  ...over,
});

describe("calls strings", () => {
  it.each(["en", "de"])("say every end reason and every refusal in their own words (%s)", (locale) => {
    const s = callsStrings(locale);
    const texts = [
      ...REASONS.filter((r) => r !== "refused").map((r) => endText(s, ended(r))),
      ...REFUSALS.map((c) => endText(s, ended("refused", c))),
    ];
    expect(new Set(texts).size).toBe(texts.length);
    for (const t of texts) expect(t).not.toMatch(/^(end|refused)\./);
  });

  it("name the failed check of a refused call", () => {
    expect(endText(callsStrings("en"), ended("refused", "unsigned"))).toBe(
      "The call was refused: the offer was not signed by a member's device.",
    );
    expect(endText(callsStrings("de"), ended("refused", "fingerprint_mismatch"))).toContain("Fingerabdruck");
  });

  it("draw one history line per call, as it goes", () => {
    const s = callsStrings("en");
    const viewer = { me: "a_ada", device: "d_ada", inCall: undefined };
    expect(callLine(s, record({ outcome: "answered", durationMs: 204_000 }), viewer).text).toBe("Video call · 3:24");
    expect(callLine(s, record({ media: "audio", outcome: "missed" }), viewer).text).toBe("Missed voice call");
    expect(callLine(s, record({ media: "audio", outcome: "missed" }), { ...viewer, me: "c_mia" }).text).toBe(
      "Voice call, no answer",
    );
    expect(callLine(s, record({ outcome: "declined" }), viewer).text).toBe("Video call · Declined");
    expect(callLine(s, record({ state: "active" }), viewer)).toEqual({
      text: "Video call · Call in progress",
      join: true,
    });
    // This device is in it (or is joining it now): no Join.
    expect(callLine(s, record({ state: "active" }), { ...viewer, device: "d_mia" }).join).toBe(false);
    expect(callLine(s, record({ state: "active" }), { ...viewer, inCall: "c1" }).join).toBe(false);
    expect(callLine(callsStrings("de"), record({ outcome: "answered", durationMs: 3_725_000 }), viewer).text).toBe(
      "Videoanruf · 1:02:05",
    );
  });

  it("count durations as m:ss and h:mm:ss", () => {
    expect(clockText(0)).toBe("0:00");
    expect(clockText(59_999)).toBe("0:59");
    expect(clockText(3_600_000)).toBe("1:00:00");
  });
});
