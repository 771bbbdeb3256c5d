import { describe, expect, it } from "vitest";
import { clockText } from "./strings.js";
import { checkLink } from "./track-url.js";

const media = { origins: ["https://cdn.shop.example", "http://127.0.0.1:4500"], catalog: [] };

describe("a track link typed into the picker", () => {
  it("is taken on one of the shop's media origins, https: or loopback http:", () => {
    expect(checkLink(" https://cdn.shop.example/a/b.mp3 ", media)).toEqual({
      ok: true,
      url: "https://cdn.shop.example/a/b.mp3",
    });
    expect(checkLink("http://127.0.0.1:4500/t.wav", media)).toEqual({ ok: true, url: "http://127.0.0.1:4500/t.wav" });
  });

  it("is refused off the shop's origins, naming the origin", () => {
    expect(checkLink("https://music.example.net/song.mp3", media)).toEqual({
      ok: false,
      reason: "badOrigin",
      origin: "https://music.example.net",
    });
    // Another port of an allowed host is another origin.
    expect(checkLink("https://cdn.shop.example:8443/a.mp3", media)).toMatchObject({ reason: "badOrigin" });
    expect(checkLink("https://cdn.shop.example/a.mp3", undefined)).toMatchObject({ reason: "badOrigin" });
  });

  it("is refused when it is no full https: link (plain http: only on this machine, no credentials)", () => {
    for (const text of [
      "cdn.shop.example/a.mp3",
      "http://cdn.shop.example/a.mp3",
      "javascript:alert(1)",
      "https://user:pw@cdn.shop.example/a.mp3",
      `https://cdn.shop.example/${"a".repeat(2100)}`,
      "",
    ]) {
      expect(checkLink(text, media), text).toEqual({ ok: false, reason: "badUrl" });
    }
  });
});

describe("track times", () => {
  it("read m:ss, and h:mm:ss from an hour on", () => {
    expect([0, 999, 61_000, 600_000, 3_600_000, 3_725_000].map(clockText)).toEqual([
      "0:00",
      "0:00",
      "1:01",
      "10:00",
      "1:00:00",
      "1:02:05",
    ]);
    expect(clockText(-5)).toBe("0:00");
  });
});
