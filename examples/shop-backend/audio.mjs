// The shop's audio files (`GET|HEAD /audio/<id>.wav`) for listening together:
// `audio/wav`, `Accept-Ranges: bytes` and single byte ranges (206), as browsers
// fetch and seek media with Range requests. No CORS: `<audio>` without
// `crossorigin` plays a cross-origin file as it is. Only node: builtins.
import { open } from "node:fs/promises";
import { join } from "node:path";

const FILE = /^\/audio\/([A-Za-z0-9_-]{1,64})\.wav$/;

/**
 * The byte range a `Range` header asks for in a file of `size` bytes:
 * `{start, end}` (inclusive), `undefined` for the whole file (no header, or one
 * this server does not split, such as several ranges), or `"unsatisfiable"`.
 */
export function byteRange(header, size) {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  if (m[1] === "") {
    // A suffix: the last n bytes.
    const n = Number(m[2]);
    if (n === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

/** Answers one audio request from `dir`: 200 or 206 with the bytes, 416, or 404. */
export async function sendAudio(req, res, dir, path) {
  const id = FILE.exec(path)?.[1];
  const file = id ? await open(join(dir, `${id}.wav`)).catch(() => undefined) : undefined;
  if (!file) {
    res.writeHead(404, { "content-type": "text/plain", "x-content-type-options": "nosniff" });
    res.end("not found");
    return;
  }
  try {
    const { size } = await file.stat();
    const range = byteRange(req.headers.range, size);
    const headers = {
      "content-type": "audio/wav",
      "accept-ranges": "bytes",
      "cache-control": "public, max-age=3600",
      "x-content-type-options": "nosniff",
    };
    if (range === "unsatisfiable") {
      res.writeHead(416, { ...headers, "content-range": `bytes */${size}` });
      res.end();
      return;
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    const length = end - start + 1;
    res.writeHead(range ? 206 : 200, {
      ...headers,
      "content-length": String(length),
      ...(range ? { "content-range": `bytes ${start}-${end}/${size}` } : {}),
    });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    const body = Buffer.alloc(length);
    await file.read(body, 0, length, start);
    res.end(body);
  } finally {
    await file.close();
  }
}
