/**
 * Real audio for the listen-together tests and benchmark: small WAV files made
 * here (a tone per track, 8 kHz mono 16-bit) served by a real HTTP server on
 * 127.0.0.1 with byte ranges (Chromium seeks an `<audio>` only in a resource
 * served with ranges), standing for a shop's media origin.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { CatalogTrack, ShopMedia } from "@parley/sdk/protocol";

const RATE = 8_000;

/** A WAV file of `seconds` of a quiet sine at `hz`. */
export function toneWav(seconds: number, hz: number): Buffer {
  const samples = Math.round(seconds * RATE);
  const wav = Buffer.alloc(44 + samples * 2);
  wav.write("RIFF", 0);
  wav.writeUInt32LE(36 + samples * 2, 4);
  wav.write("WAVEfmt ", 8);
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(RATE, 24);
  wav.writeUInt32LE(RATE * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write("data", 36);
  wav.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++)
    wav.writeInt16LE(Math.round(3000 * Math.sin((2 * Math.PI * hz * i) / RATE)), 44 + i * 2);
  return wav;
}

/** One track the server offers. */
export interface MediaTrackSpec {
  id: string;
  title: string;
  artist?: string;
  seconds: number;
  hz: number;
}

/** The tracks the tests use: three tones, long enough to listen for a while. */
export const TRACKS: readonly MediaTrackSpec[] = [
  { id: "harbour", title: "Harbour Lights", artist: "The Test Tones", seconds: 90, hz: 440 },
  { id: "meadow", title: "Meadow Walk", artist: "The Test Tones", seconds: 60, hz: 523 },
  { id: "night", title: "Night Train", seconds: 45, hz: 330 },
];

/** A running media server. */
export interface MediaServer {
  /** Its origin, `http://127.0.0.1:<port>`. */
  origin: string;
  /** The shop media settings for it: its origin and its catalog. */
  media: ShopMedia;
  /** Paths requested so far. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Serves `tracks` as `/<id>.wav` with byte ranges on a loopback port. */
export async function startMediaServer(tracks: readonly MediaTrackSpec[] = TRACKS): Promise<MediaServer> {
  const files = new Map(tracks.map((t) => [`/${t.id}.wav`, toneWav(t.seconds, t.hz)]));
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.push(path);
    const body = files.get(path);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    const end = range?.[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
    if (start > end) {
      res.writeHead(416, { "content-range": `bytes */${body.length}` }).end();
      return;
    }
    res.writeHead(range ? 206 : 200, {
      "content-type": "audio/wav",
      "accept-ranges": "bytes",
      "content-length": end - start + 1,
      ...(range ? { "content-range": `bytes ${start}-${end}/${body.length}` } : {}),
    });
    res.end(body.subarray(start, end + 1));
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const catalog: CatalogTrack[] = tracks.map((t) => ({
    id: t.id,
    title: t.title,
    ...(t.artist ? { artist: t.artist } : {}),
    url: `${origin}/${t.id}.wav`,
    durationMs: t.seconds * 1000,
  }));
  return {
    origin,
    media: { origins: [origin], catalog },
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
