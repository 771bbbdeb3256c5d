import { describe, expect, it } from "vitest";
import {
  certificateMatches,
  parseFingerprint,
  sdpFingerprint,
  sdpFingerprintLines,
  sdpMatchesFingerprint,
} from "./fingerprint.js";

const FP = "sha-256 4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3E:4B:65:A4:12:0D:B8:3F:6F:7C:07:21";
const OTHER = "sha-256 00:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3E:4B:65:A4:12:0D:B8:3F:6F:7C:07:21";

/** A session description as Chromium writes one: a fingerprint line in each media section. */
const sdp = (audio: string, video = audio) =>
  [
    "v=0",
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
    "s=-",
    "t=0 0",
    "a=group:BUNDLE 0 1",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111",
    "c=IN IP4 0.0.0.0",
    `a=fingerprint:${audio}`,
    "a=setup:actpass",
    "m=video 9 UDP/TLS/RTP/SAVPF 96",
    `a=fingerprint:${video}`,
    "",
  ].join("\r\n");

describe("DTLS fingerprints", () => {
  it("parses the signed field and an SDP line alike, whatever the case", () => {
    expect(parseFingerprint(FP)).toEqual({
      algorithm: "sha-256",
      hex: "4AADB9B13F82183B540212DF3E5D496B19E57CAB3E4B65A4120DB83F6F7C0721",
    });
    expect(parseFingerprint(FP.toLowerCase().replace("sha-256", "SHA-256"))).toEqual(parseFingerprint(FP));
    expect(parseFingerprint("sha-256")).toBeUndefined();
    expect(parseFingerprint("sha-256 4A:AD:ZZ")).toBeUndefined();
    expect(parseFingerprint("sha-256 4A:AD:B")).toBeUndefined();
  });

  it("reads every a=fingerprint line of a session description, the first to sign", () => {
    expect(sdpFingerprintLines(sdp(FP, OTHER))).toEqual([FP, OTHER]);
    expect(sdpFingerprint(sdp(FP, OTHER))).toBe(FP);
    expect(sdpFingerprint("v=0\r\n")).toBeUndefined();
  });

  it("takes an SDP only when every fingerprint line equals the signed field", () => {
    expect(sdpMatchesFingerprint(sdp(FP), FP)).toBe(true);
    expect(sdpMatchesFingerprint(sdp(FP.toLowerCase()), FP)).toBe(true);
    expect(sdpMatchesFingerprint(sdp(OTHER), FP)).toBe(false);
    // One section swapped is enough to refuse.
    expect(sdpMatchesFingerprint(sdp(FP, OTHER), FP)).toBe(false);
    expect(sdpMatchesFingerprint(sdp("sha-1 4A:AD"), "sha-1 4A:AD")).toBe(true);
    expect(sdpMatchesFingerprint(sdp(FP.replace("sha-256", "sha-1")), FP)).toBe(false);
    // No line at all, or a signed field that is not a fingerprint.
    expect(sdpMatchesFingerprint("v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n", FP)).toBe(false);
    expect(sdpMatchesFingerprint(sdp(FP), "")).toBe(false);
    expect(sdpMatchesFingerprint(sdp("garbage"), "garbage")).toBe(false);
  });

  it("compares the certificate getStats reports with the signed field", () => {
    const [algorithm, hex] = FP.split(" ") as [string, string];
    expect(certificateMatches({ fingerprintAlgorithm: algorithm, fingerprint: hex }, FP)).toBe(true);
    expect(certificateMatches({ fingerprintAlgorithm: "SHA-256", fingerprint: hex.toLowerCase() }, FP)).toBe(true);
    expect(certificateMatches({ fingerprintAlgorithm: algorithm, fingerprint: OTHER.split(" ")[1] }, FP)).toBe(false);
    expect(certificateMatches({ fingerprintAlgorithm: "sha-1", fingerprint: hex }, FP)).toBe(false);
    expect(certificateMatches({}, FP)).toBe(false);
  });
});
