import { describe, expect, it } from "vitest";
import { fingerprintMatches } from "../schemas.js";
import { certificateMatches, sdpFingerprint } from "./fingerprint.js";

const HEX = "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:3E:4B:65:A4:12:0D:B8:3F:6F:7C:07:21";
const FP = `sha-256 ${HEX}`;
const OTHER = `sha-256 00${HEX.slice(2)}`;

/** A session description as Chromium writes one: a fingerprint line in each media section. */
const sdp = (audio: string, video = audio) =>
  [
    "v=0",
    "o=- 4611731400430051336 2 IN IP4 127.0.0.1",
    "s=-",
    "t=0 0",
    "a=group:BUNDLE 0 1",
    "m=audio 9 UDP/TLS/RTP/SAVPF 111",
    `a=fingerprint:${audio}`,
    "m=video 9 UDP/TLS/RTP/SAVPF 96",
    `a=fingerprint:${video}`,
    "",
  ].join("\r\n");

describe("DTLS fingerprints in the engine", () => {
  it("signs the first a=fingerprint line of a local description, and that one matches it", () => {
    expect(sdpFingerprint(sdp(FP.toLowerCase()))).toBe(FP);
    expect(fingerprintMatches(sdp(FP), sdpFingerprint(sdp(FP)) ?? "")).toBe(true);
    expect(sdpFingerprint("v=0\r\n")).toBeUndefined();
  });

  it("refuses a description whose lines differ from the signed field (one section is enough)", () => {
    expect(fingerprintMatches(sdp(OTHER), FP)).toBe(false);
    expect(fingerprintMatches(sdp(FP, OTHER), FP)).toBe(false);
  });

  it("compares the certificate getStats reports with the signed field", () => {
    expect(certificateMatches({ fingerprintAlgorithm: "sha-256", fingerprint: HEX }, FP)).toBe(true);
    expect(certificateMatches({ fingerprintAlgorithm: "SHA-256", fingerprint: HEX.toLowerCase() }, FP)).toBe(true);
    expect(certificateMatches({ fingerprintAlgorithm: "sha-256", fingerprint: OTHER.slice(8) }, FP)).toBe(false);
    expect(certificateMatches({ fingerprintAlgorithm: "sha-1", fingerprint: HEX }, FP)).toBe(false);
    expect(certificateMatches({}, FP)).toBe(false);
    expect(certificateMatches({ fingerprintAlgorithm: "sha-256", fingerprint: HEX }, "sha-256 4A")).toBe(false);
  });
});
