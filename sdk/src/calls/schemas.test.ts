import { describe, expect, it } from "vitest";
import { MAX_SDP_CHARS } from "../protocol/calls/wire.js";
import {
  callProblem,
  fingerprintMatches,
  isFingerprint,
  parseCallEvent,
  parseCallStart,
  parseLiveCall,
  sdpFingerprints,
} from "./schemas.js";

const CALL = "m000000000000001";
const HEX = Array.from({ length: 32 }, (_, i) => (i * 7 + 10).toString(16).toUpperCase().padStart(2, "0")).join(":");
const FP = `sha-256 ${HEX}`;
const sdp = (...fingerprints: string[]) =>
  ["v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", ...fingerprints.map((f) => `a=fingerprint:${f}`), "m=audio 9 UDP"].join(
    "\r\n",
  );

describe("call schemas", () => {
  it("takes a call start and refuses other media, fractional times and unknown keys", () => {
    expect(parseCallStart({ media: "video", at: 5 })).toEqual({ media: "video", at: 5 });
    expect(parseCallStart({ media: "screen", at: 5 })).toBeUndefined();
    expect(parseCallStart({ media: "audio", at: 5.5 })).toBeUndefined();
    expect(parseCallStart({ media: "audio", at: 5, extra: 1 })).toBeUndefined();
    expect(callProblem({ media: "audio" })).toMatch(/^at: /);
  });

  it("takes the four call events, `device` only on a leave", () => {
    for (const op of ["join", "decline", "busy", "leave"]) {
      expect(parseCallEvent({ call: CALL, op, at: 1 })).toEqual({ call: CALL, op, at: 1 });
    }
    expect(parseCallEvent({ call: CALL, op: "leave", at: 1, device: "d_x" })).toMatchObject({ device: "d_x" });
    expect(parseCallEvent({ call: CALL, op: "join", at: 1, device: "d_x" })).toBeUndefined();
    expect(parseCallEvent({ call: CALL, op: "leave", at: 1, device: "d x" })).toBeUndefined();
    expect(parseCallEvent({ call: "short", op: "join", at: 1 })).toBeUndefined();
    expect(parseCallEvent({ call: CALL, op: "end", at: 1 })).toBeUndefined();
    expect(callProblem({ call: CALL, op: "join" }, "event")).toBeDefined();
  });

  it("takes a session description with a bounded SDP and a WebRTC fingerprint", () => {
    const offer = { kind: "call", call: CALL, op: "offer", to: "d_bob", sdp: sdp(FP), fingerprint: FP };
    expect(parseLiveCall(offer)).toEqual(offer);
    expect(parseLiveCall({ ...offer, op: "answer", fingerprint: FP.toLowerCase() })).toBeDefined();
    expect(parseLiveCall({ ...offer, sdp: "x".repeat(MAX_SDP_CHARS + 1) })).toBeUndefined();
    expect(parseLiveCall({ ...offer, sdp: "" })).toBeUndefined();
    expect(parseLiveCall({ ...offer, fingerprint: `md5 ${HEX.slice(0, 47)}` })).toBeUndefined();
    expect(parseLiveCall({ ...offer, fingerprint: `sha-256 ${HEX.slice(3)}` })).toBeUndefined();
    expect(parseLiveCall({ ...offer, op: "candidate" })).toBeUndefined();
    expect(callProblem({ ...offer, fingerprint: "sha-256 zz" }, "live")).toMatch(/^fingerprint: /);
  });

  it("takes a media state of three booleans", () => {
    const media = { kind: "call", call: CALL, op: "media", audio: true, video: false, screen: false };
    expect(parseLiveCall(media)).toEqual(media);
    expect(parseLiveCall({ ...media, audio: 1 })).toBeUndefined();
    expect(parseLiveCall({ ...media, sdp: "v=0" })).toBeUndefined();
  });

  it("knows the hashes WebRTC uses, each with its digest's length", () => {
    const pairs = (n: number) => Array.from({ length: n }, () => "AB").join(":");
    expect(isFingerprint(`sha-1 ${pairs(20)}`)).toBe(true);
    expect(isFingerprint(`SHA-384 ${pairs(48)}`)).toBe(true);
    expect(isFingerprint(`sha-512 ${pairs(64)}`)).toBe(true);
    expect(isFingerprint(`sha-512 ${pairs(32)}`)).toBe(false);
    expect(isFingerprint(`sha-256  ${pairs(32)}`)).toBe(false);
    expect(isFingerprint(`sha-256 ${pairs(32)}:`)).toBe(false);
  });
});

describe("DTLS fingerprints in an SDP", () => {
  it("lists every a=fingerprint line, hash lower-case and hex upper-case", () => {
    const lower = `SHA-256 ${HEX.toLowerCase()}`;
    expect(sdpFingerprints(sdp(FP, lower))).toEqual([FP, FP]);
    expect(sdpFingerprints(`v=0\na=fingerprint: sha-1 ab:cd \na=setup:actpass`)).toEqual(["sha-1 AB:CD"]);
    expect(sdpFingerprints("v=0\r\ns=-")).toEqual([]);
  });

  it("matches when every line names the signed fingerprint, and there is at least one", () => {
    expect(fingerprintMatches(sdp(FP, FP), FP)).toBe(true);
    expect(fingerprintMatches(sdp(FP), FP.toLowerCase())).toBe(true);
    expect(fingerprintMatches(sdp(), FP)).toBe(false);
    const other = `sha-256 ${HEX.replace(/^../, "00")}`;
    expect(fingerprintMatches(sdp(FP, other), FP)).toBe(false);
    expect(fingerprintMatches(sdp(other), FP)).toBe(false);
    expect(fingerprintMatches(sdp("sha-256 AB"), "sha-256 AB")).toBe(false);
  });
});
