import { describe, expect, it } from "vitest";
import type { CallParticipant, CallRecord } from "../api.js";
import { inCall, offerTargets, participantOf, postsDropLeave, qualityOf, refusedBy } from "./mesh.js";
import { readStats } from "./stats.js";

const p = (principalId: string, device: string, leftAt?: number): CallParticipant => ({
  principalId,
  device,
  fromTeam: false,
  joinedAt: 1,
  ...(leftAt === undefined ? {} : { leftAt }),
});

const record = (participants: CallParticipant[]): CallRecord => ({
  id: "m_call",
  seq: 1,
  convId: "c_1",
  media: "video",
  caller: "mia",
  callerDevice: "d_mia",
  fromTeam: false,
  startedAt: 0,
  participants,
  declined: [],
  busy: [],
  state: "active",
});

describe("who offers to whom", () => {
  const call = record([p("mia", "d_mia"), p("ada", "d_ada", 5), p("noah", "d_noah"), p("ada", "d_ada2")]);

  it("a device offers to every device still in the call that joined before it, none after", () => {
    expect(offerTargets(call, "d_mia")).toEqual([]);
    expect(offerTargets(call, "d_noah")?.map((x) => x.device)).toEqual(["d_mia"]);
    expect(offerTargets(call, "d_ada2")?.map((x) => x.device)).toEqual(["d_mia", "d_noah"]);
  });

  it("each pair has exactly one offerer", () => {
    const devices = inCall(call).map((x) => x.device);
    for (const a of devices) {
      for (const b of devices) {
        if (a === b) continue;
        const aOffers = offerTargets(call, a)?.some((x) => x.device === b) ?? false;
        const bOffers = offerTargets(call, b)?.some((x) => x.device === a) ?? false;
        expect(aOffers !== bOffers, `${a} and ${b}`).toBe(true);
      }
    }
  });

  it("waits while its own join is not on the board, or it has left", () => {
    expect(offerTargets(call, "d_other")).toBeUndefined();
    expect(offerTargets(call, "d_ada")).toBeUndefined();
  });

  it("takes a signal only from a device of its principal still in the call", () => {
    expect(participantOf(call, "noah", "d_noah")?.device).toBe("d_noah");
    expect(participantOf(call, "mia", "d_noah")).toBeUndefined();
    expect(participantOf(call, "ada", "d_ada")).toBeUndefined();
    expect(participantOf(call, "ada", "d_ada2")?.principalId).toBe("ada");
  });
});

describe("the drop leave", () => {
  it("is posted by the survivor whose device sorts first, and by no other", () => {
    const survivors = ["d_noah", "d_ada2", "d_mia"];
    expect(survivors.filter((self) => postsDropLeave(self, survivors))).toEqual(["d_ada2"]);
    // A device that sees no other survivor posts it itself.
    expect(postsDropLeave("d_zed", [])).toBe(true);
    expect(postsDropLeave("d_zed", ["d_zed"])).toBe(true);
  });
});

describe("a ringing call refused", () => {
  const rang = (declined: string[], busy: string[]) => ({ ...record([p("mia", "d_mia")]), declined, busy });

  it("ends once everyone it rang declined or was busy, declined when any declined", () => {
    expect(refusedBy(rang([], []), ["ada"])).toBeUndefined();
    expect(refusedBy(rang(["ada"], []), ["ada"])).toBe("declined");
    expect(refusedBy(rang([], ["ada"]), ["ada"])).toBe("busy");
    expect(refusedBy(rang(["ada"], []), ["ada", "noah"])).toBeUndefined();
    expect(refusedBy(rang(["ada"], ["noah"]), ["ada", "noah"])).toBe("declined");
    expect(refusedBy(rang([], ["ada", "noah"]), ["ada", "noah"])).toBe("busy");
  });

  it("with nobody known to ring, the first answer decides", () => {
    expect(refusedBy(rang([], ["ada"]), [])).toBe("busy");
    expect(refusedBy(rang(["ada"], []), [])).toBe("declined");
  });
});

describe("quality", () => {
  it("is good, fair or poor by round trip and loss", () => {
    expect(qualityOf({ rtt: 0.02, lost: 0, received: 500 })).toBe("good");
    expect(qualityOf({ lost: 0, received: 0 })).toBe("good");
    expect(qualityOf({ rtt: 0.4, lost: 0, received: 500 })).toBe("fair");
    expect(qualityOf({ rtt: 0.02, lost: 25, received: 475 })).toBe("fair");
    expect(qualityOf({ rtt: 0.9, lost: 0, received: 500 })).toBe("poor");
    expect(qualityOf({ rtt: 0.02, lost: 100, received: 400 })).toBe("poor");
  });

  it("reads round trip, packets and the peer's certificate from a stats report", () => {
    const report = new Map<string, Record<string, unknown>>([
      [
        "T01",
        { type: "transport", dtlsState: "connected", selectedCandidatePairId: "CP1", remoteCertificateId: "CF2" },
      ],
      ["CP1", { type: "candidate-pair", currentRoundTripTime: 0.012 }],
      ["CF1", { type: "certificate", fingerprintAlgorithm: "sha-256", fingerprint: "AA:BB" }],
      ["CF2", { type: "certificate", fingerprintAlgorithm: "sha-256", fingerprint: "CC:DD" }],
      ["IA", { type: "inbound-rtp", kind: "audio", packetsLost: 2, packetsReceived: 98, bytesReceived: 1000 }],
      ["IV", { type: "inbound-rtp", kind: "video", packetsLost: 0, packetsReceived: 50, framesDecoded: 30 }],
    ]);
    expect(readStats(report)).toEqual({
      rtt: 0.012,
      packetsLost: 2,
      packetsReceived: 148,
      bytesReceived: 1000,
      framesDecoded: 30,
      remoteCertificate: { fingerprintAlgorithm: "sha-256", fingerprint: "CC:DD" },
    });
    expect(readStats(new Map())).toEqual({ packetsLost: 0, packetsReceived: 0, bytesReceived: 0, framesDecoded: 0 });
  });
});
