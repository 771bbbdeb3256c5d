// The demo's playlist: scripts/demo/make-audio.mjs writes three valid,
// deterministic WAV files of the durations the catalog states (reused when
// already built), the catalog passes the gateway's media rules, and the
// example shop backend serves them with byte ranges, so real Chromium learns
// the length and seeks.
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { launchChromium } from "@parley/widget/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { shopMediaSchema } from "../src/service/shop-features.js";
import { SHOP_ID, SHOP_SECRET } from "./harness/stack.js";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));

interface Track {
  id: string;
  title: string;
  artist: string;
  durationMs: number;
}
interface AudioModule {
  RATE: number;
  DEMO_ARTIST: string;
  DEMO_TRACKS: Track[];
  renderTrack(id: string): Buffer;
  ensureDemoAudio(dir: string): Promise<Array<Track & { file: string }>>;
  demoMedia(storefrontUrl: string): { origins: string[]; catalog: Array<Track & { url: string }> };
}
const audio = (await import(join(ROOT, "scripts/demo/make-audio.mjs"))) as AudioModule;

describe("the demo's audio generator", () => {
  it("makes three tracks of 20-30 s, each a mono 22,050 Hz 16-bit PCM WAV exactly as long as its catalog says", () => {
    expect(audio.DEMO_TRACKS.map((t) => t.id)).toEqual(["morning-walk", "harbour-lights", "little-waltz"]);
    for (const track of audio.DEMO_TRACKS) {
      expect(track.artist).toBe("Parley demo band");
      expect(track.durationMs).toBeGreaterThanOrEqual(20_000);
      expect(track.durationMs).toBeLessThanOrEqual(30_000);
      const wav = audio.renderTrack(track.id);
      const header = {
        riff: wav.toString("ascii", 0, 4),
        riffSize: wav.readUInt32LE(4),
        wave: wav.toString("ascii", 8, 12),
        fmt: wav.toString("ascii", 12, 16),
        fmtSize: wav.readUInt32LE(16),
        format: wav.readUInt16LE(20),
        channels: wav.readUInt16LE(22),
        rate: wav.readUInt32LE(24),
        byteRate: wav.readUInt32LE(28),
        blockAlign: wav.readUInt16LE(32),
        bits: wav.readUInt16LE(34),
        data: wav.toString("ascii", 36, 40),
        dataSize: wav.readUInt32LE(40),
      };
      const samples = (track.durationMs * 22_050) / 1000;
      expect(Number.isInteger(samples)).toBe(true);
      expect(header).toEqual({
        riff: "RIFF",
        riffSize: wav.length - 8,
        wave: "WAVE",
        fmt: "fmt ",
        fmtSize: 16,
        format: 1,
        channels: 1,
        rate: 22_050,
        byteRate: 44_100,
        blockAlign: 2,
        bits: 16,
        data: "data",
        dataSize: samples * 2,
      });
      expect(wav.length).toBe(44 + samples * 2);
      // Music, not silence or noise at full scale: a clear peak below clipping; silent at both ends.
      let peak = 0;
      for (let i = 44; i < wav.length; i += 2) peak = Math.max(peak, Math.abs(wav.readInt16LE(i)));
      expect(peak).toBeGreaterThan(8000);
      expect(peak).toBeLessThan(32_767);
      expect([wav.readInt16LE(44), wav.readInt16LE(wav.length - 2)]).toEqual([0, 0]);
      // Deterministic: the same bytes every time.
      expect(audio.renderTrack(track.id).equals(wav)).toBe(true);
    }
  });

  it("writes the files once into its directory, reuses them, and rebuilds one that was damaged", async () => {
    const dir = await mkdtemp(join(tmpdir(), "parley-demo-audio-"));
    try {
      const tracks = await audio.ensureDemoAudio(dir);
      expect(tracks.map((t) => t.file)).toEqual(["morning-walk.wav", "harbour-lights.wav", "little-waltz.wav"]);
      const path = join(dir, "little-waltz.wav");
      const first = await stat(path);
      await audio.ensureDemoAudio(dir);
      expect((await stat(path)).mtimeMs).toBe(first.mtimeMs);
      await writeFile(path, "broken");
      await audio.ensureDemoAudio(dir);
      expect((await readFile(path)).equals(audio.renderTrack("little-waltz"))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("registers a catalog the gateway accepts as the shop's media, on the storefront's origin", () => {
    const media = audio.demoMedia("http://127.0.0.1:3000");
    expect(shopMediaSchema.parse(media)).toEqual(media);
    expect(media.origins).toEqual(["http://127.0.0.1:3000"]);
    expect(media.catalog[0]).toEqual({
      id: "morning-walk",
      title: "Morning Walk",
      artist: "Parley demo band",
      url: "http://127.0.0.1:3000/audio/morning-walk.wav",
      durationMs: audio.DEMO_TRACKS[0]?.durationMs,
    });
  });
});

describe("the example shop backend serving the demo's audio", () => {
  let dir: string;
  let backend: { url: string; close(): Promise<void> };
  let size: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "parley-demo-audio-"));
    await audio.ensureDemoAudio(dir);
    size = (await stat(join(dir, "little-waltz.wav"))).size;
    const { startShopBackend } = (await import(join(ROOT, "examples/shop-backend/server.mjs"))) as {
      startShopBackend(o: object): Promise<{ url: string; close(): Promise<void> }>;
    };
    backend = await startShopBackend({
      gatewayUrl: "http://127.0.0.1:9",
      shopId: SHOP_ID,
      key: { alg: "HS256", secret: SHOP_SECRET },
      audioDir: dir,
    });
  });
  afterAll(async () => {
    await backend?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("answers whole files, single byte ranges, suffixes, and 416 or 404 where it must", async () => {
    const url = `${backend.url}/audio/little-waltz.wav`;
    const whole = await fetch(url);
    expect([whole.status, whole.headers.get("content-type"), whole.headers.get("accept-ranges")]).toEqual([
      200,
      "audio/wav",
      "bytes",
    ]);
    expect(Buffer.from(await whole.arrayBuffer()).equals(audio.renderTrack("little-waltz"))).toBe(true);

    const part = await fetch(url, { headers: { range: "bytes=40-43" } });
    expect([part.status, part.headers.get("content-range")]).toEqual([206, `bytes 40-43/${size}`]);
    expect(Buffer.from(await part.arrayBuffer()).readUInt32LE(0)).toBe(size - 44);
    const open = await fetch(url, { headers: { range: `bytes=${size - 10}-` } });
    expect([open.status, open.headers.get("content-length")]).toEqual([206, "10"]);
    const suffix = await fetch(url, { headers: { range: "bytes=-4" } });
    expect([suffix.status, suffix.headers.get("content-range")]).toEqual([
      206,
      `bytes ${size - 4}-${size - 1}/${size}`,
    ]);
    const beyond = await fetch(url, { headers: { range: `bytes=${size}-` } });
    expect([beyond.status, beyond.headers.get("content-range")]).toEqual([416, `bytes */${size}`]);
    const head = await fetch(url, { method: "HEAD" });
    expect([head.status, head.headers.get("content-length")]).toEqual([200, String(size)]);

    for (const path of ["/audio/nope.wav", "/audio/..%2Fserver.mjs", "/audio/little-waltz.mp3", "/audio/"]) {
      expect([path, (await fetch(`${backend.url}${path}`)).status]).toEqual([path, 404]);
    }
  });

  it("lets Chromium read the length and seek, with Range requests", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const ranges: string[] = [];
      page.on("response", (r) => {
        const range = r.request().headers().range;
        if (r.url().includes("/audio/") && range) ranges.push(`${r.status()} ${range}`);
      });
      await page.goto(`${backend.url}/`);
      const result = await page.evaluate(async (src) => {
        const el = document.createElement("audio");
        el.preload = "metadata";
        el.src = src;
        document.body.append(el);
        await new Promise((ok, fail) => {
          el.addEventListener("loadedmetadata", ok, { once: true });
          el.addEventListener("error", () => fail(new Error(`media error ${el.error?.code}`)), { once: true });
        });
        const seekableEnd = el.seekable.length ? el.seekable.end(0) : 0;
        el.currentTime = 15;
        await new Promise((ok) => el.addEventListener("seeked", ok, { once: true }));
        return { duration: el.duration, seekableEnd, at: el.currentTime };
      }, `${backend.url}/audio/little-waltz.wav`);
      expect(result.duration).toBeCloseTo(22.38, 2);
      expect(result.seekableEnd).toBeCloseTo(22.38, 2);
      expect(result.at).toBeCloseTo(15, 1);
      expect(ranges.length).toBeGreaterThan(0);
      expect(ranges.every((r) => r.startsWith("206 bytes="))).toBe(true);
    } finally {
      await browser.close();
    }
  });
});
