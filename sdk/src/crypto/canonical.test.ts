import { describe, expect, it } from "vitest";
import type { EnvelopeHeader } from "../protocol/index.js";
import {
  CanonicalWriter,
  deviceRecordSignatureInput,
  encodeHeaderAad,
  fingerprintInput,
  headerProblem,
  messageSignatureInput,
} from "./canonical.js";

const toHex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const header: EnvelopeHeader = { v: 1, convId: "c_1", epoch: 2, msgId: "m_3", senderDevice: "d_4", ts: 0x1_0000_0005 };

describe("canonical encodings", () => {
  it("encodes a header as format byte, alg and length-prefixed fields in a fixed order (pinned wire format)", () => {
    expect(toHex(encodeHeaderAad(header, "xc20p-ed25519"))).toBe(
      [
        "01", // format
        "0000000d",
        "7863323070 2d 6564323535 3139".replace(/ /g, ""), // "xc20p-ed25519"
        "00000001", // v
        "00000003",
        "635f31", // convId
        "0000000000000002", // epoch
        "00000003",
        "6d5f33", // msgId
        "00000003",
        "645f34", // senderDevice
        "0000000100000005", // ts
      ].join(""),
    );
    // Property order of the object does not matter.
    const reordered = JSON.parse('{"ts":4294967301,"senderDevice":"d_4","msgId":"m_3","epoch":2,"convId":"c_1","v":1}');
    expect(encodeHeaderAad(reordered, "xc20p-ed25519")).toEqual(encodeHeaderAad(header, "xc20p-ed25519"));
  });

  it("never encodes two different field splits alike", () => {
    const a = new CanonicalWriter().string("ab").string("c").finish();
    const b = new CanonicalWriter().string("a").string("bc").finish();
    expect(toHex(a)).not.toBe(toHex(b));
    const aad1 = encodeHeaderAad({ ...header, convId: "c_1m", msgId: "_3" }, "x");
    const aad2 = encodeHeaderAad({ ...header, convId: "c_1", msgId: "m_3" }, "x");
    expect(toHex(aad1)).not.toBe(toHex(aad2));
    const nonce = new Uint8Array(24);
    expect(toHex(messageSignatureInput(aad2, nonce, new Uint8Array([1, 2])))).not.toBe(
      toHex(messageSignatureInput(new Uint8Array([...aad2, 0]), nonce.subarray(1), new Uint8Array([0, 1, 2]))),
    );
  });

  it("separates the domains of message signatures, device records and fingerprints", () => {
    const key = new Uint8Array(32).fill(7);
    const inputs = [
      messageSignatureInput(new Uint8Array(), new Uint8Array(), key),
      deviceRecordSignatureInput({ principal: "", deviceId: "", sigPk: key, boxPk: key }),
      fingerprintInput(key),
    ].map(toHex);
    expect(new Set(inputs.map((hex) => hex.slice(0, 48))).size).toBe(3);
  });

  it("encodes integers at fixed width and refuses what has no exact encoding", () => {
    expect(
      toHex(
        new CanonicalWriter()
          .u64(2 ** 53 - 1)
          .u32(0xffff_ffff)
          .u8(0)
          .finish(),
      ),
    ).toBe("001fffffffffffffffffffff00");
    expect(() => new CanonicalWriter().u64(2 ** 53)).toThrow(RangeError);
    expect(() => new CanonicalWriter().u64(-1)).toThrow(RangeError);
    expect(() => new CanonicalWriter().u32(1.5)).toThrow(RangeError);
    expect(() => new CanonicalWriter().u8(256)).toThrow(RangeError);
    // A lone surrogate would become U+FFFD and collide with a real U+FFFD.
    expect(() => new CanonicalWriter().string("a\uDC00")).toThrow(TypeError);
    expect(toHex(new CanonicalWriter().string("\uFFFD😀").finish())).toBe("00000007efbfbdf09f9880");
  });

  it("explains what is wrong with a header", () => {
    expect(headerProblem(header)).toBeUndefined();
    const bad: unknown[] = [
      null,
      "header",
      { ...header, v: "1" },
      { ...header, convId: undefined },
      { ...header, msgId: "" },
      { ...header, senderDevice: "é".repeat(129) },
      { ...header, senderDevice: "\uD83D" },
      { ...header, epoch: "2" },
      { ...header, epoch: Number.NaN },
      { ...header, ts: -5 },
      { ...header, ts: 2 ** 60 },
    ];
    for (const h of bad) expect(headerProblem(h), JSON.stringify(h)).toBeTypeOf("string");
    expect(() => encodeHeaderAad({ ...header, epoch: -1 }, "x")).toThrow(TypeError);
  });

  it("takes ids of up to 256 UTF-8 bytes and refuses one byte more, whatever the characters", () => {
    // [id, its UTF-8 bytes]: one, two, three and four bytes per character, at the limit and past it.
    const ids: [string, number][] = [
      ["a".repeat(256), 256],
      ["a".repeat(257), 257],
      ["é".repeat(128), 256],
      [`${"é".repeat(128)}a`, 257],
      [`${"€".repeat(85)}a`, 256],
      ["€".repeat(86), 258],
      ["😀".repeat(64), 256],
      [`${"😀".repeat(64)}a`, 257],
      ["€".repeat(85), 255],
    ];
    for (const [id, bytes] of ids) {
      expect(new TextEncoder().encode(id).length).toBe(bytes);
      expect(headerProblem({ ...header, msgId: id }) === undefined, `${bytes} bytes`).toBe(bytes <= 256);
    }
  });
});
