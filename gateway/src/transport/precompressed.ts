/**
 * Sends a build output in the encoding the browser asks for, from the copies
 * the widget build made beside it (`parley.js.br`, `parley.js.gz`; ADR 0017):
 * brotli or gzip by `Accept-Encoding` (q-values honoured, brotli preferred on a
 * tie), the file itself otherwise or when no copy exists. Nothing is compressed
 * per request. Every answer carries `Vary: Accept-Encoding`, the chosen
 * `Content-Encoding`, its exact `Content-Length` and a strong ETag of the bytes
 * sent, so `If-None-Match` revalidation answers 304 without a body.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Request, Response } from "express";

export type Coding = "br" | "gzip" | "identity";

/** The codings the build writes, in the server's order of preference, with their file suffix. */
const CODINGS = [
  ["br", ".br"],
  ["gzip", ".gz"],
] as const;

/** The client's q-value for each coding named in an `Accept-Encoding` header (lowercased; `*` included). */
function qualities(header: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const part of header.split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    if (!name) continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(p);
      if (m?.[1]) q = Number(m[1]);
    }
    out.set(name.trim(), q);
  }
  return out;
}

/** The compressed codings this request accepts, best first (q-value, then brotli before gzip). */
export function acceptedCodings(header: string | undefined): Array<"br" | "gzip"> {
  const q = qualities(header ?? "");
  const ranked = CODINGS.map(([name], i) => ({ name, q: q.get(name) ?? q.get("*") ?? 0, i }));
  return ranked
    .filter((c) => c.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((c) => c.name);
}

export interface Representation {
  body: Buffer;
  coding: Coding;
}

/**
 * The best representation of `path` for this request: its `.br` or `.gz` copy
 * when accepted and present, else the file. Rejects when the file itself is missing.
 */
export async function pickRepresentation(req: Request, path: string): Promise<Representation> {
  for (const coding of acceptedCodings(req.get("accept-encoding"))) {
    const suffix = CODINGS.find(([name]) => name === coding)?.[1];
    const body = await readFile(`${path}${suffix}`).catch(() => undefined);
    if (body) return { body, coding };
  }
  return { body: await readFile(path), coding: "identity" };
}

export interface SendOptions {
  contentType: string;
  cacheControl: string;
  /** Response headers that are part of the representation (a CSP): folded into the ETag, sent on 304 too. */
  headers?: Record<string, string>;
}

/** Sends `rep` (or 304 when the request's `If-None-Match` names its ETag). */
export function sendRepresentation(req: Request, res: Response, rep: Representation, o: SendOptions): void {
  const hash = createHash("sha256").update(rep.body);
  for (const [name, value] of Object.entries(o.headers ?? {})) hash.update(`\n${name}: ${value}`);
  const etag = `"${hash.digest("base64url").slice(0, 27)}"`;
  const vary = res.get("Vary");
  res.set({
    ...o.headers,
    "Cache-Control": o.cacheControl,
    ETag: etag,
    Vary: vary ? `${vary}, Accept-Encoding` : "Accept-Encoding",
  });
  const wanted = req.get("if-none-match");
  if (wanted?.split(",").some((t) => t.trim() === "*" || t.trim().replace(/^W\//, "") === etag)) {
    res.status(304).end();
    return;
  }
  res.set({ "Content-Type": o.contentType, "Content-Length": String(rep.body.length) });
  if (rep.coding !== "identity") res.set("Content-Encoding", rep.coding);
  res.end(rep.body);
}
