/**
 * A map tile server for the location tests: real HTTP on loopback serving
 * 256×256 PNG tiles (a two-tone checkerboard by tile, made here with zlib),
 * recording every path asked for. Configured as a shop's `mapTiles`, it is the
 * one origin a map may fetch from.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { deflateSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A 256×256 RGB PNG of one colour with a darker 1 px border. */
export function tilePng(rgb: [number, number, number]): Buffer {
  const size = 256;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const edge = x === 0 || y === 0;
      row.set(
        rgb.map((v) => (edge ? v - 40 : v)),
        1 + x * 3,
      );
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The tile server: its origin, the `mapTiles` to configure, the tile paths asked for. */
export interface TileServer {
  origin: string;
  tiles: { url: string; attribution: string; maxZoom: number };
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts a tile server on 127.0.0.1 (paths `/tiles/{z}/{x}/{y}.png`). */
export async function startTileServer(): Promise<TileServer> {
  const light = tilePng([226, 232, 220]);
  const dark = tilePng([206, 218, 200]);
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    requests.push(path);
    const m = /^\/tiles\/(\d+)\/(\d+)\/(\d+)\.png$/.exec(path);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const odd = (Number(m[2]) + Number(m[3])) % 2 === 1;
    res.writeHead(200, { "content-type": "image/png", "cache-control": "no-store" });
    res.end(odd ? dark : light);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    tiles: { url: `${origin}/tiles/{z}/{x}/{y}.png`, attribution: "© Test tiles", maxZoom: 19 },
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
