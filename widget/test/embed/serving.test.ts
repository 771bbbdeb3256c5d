// How the gateway sends the widget's files (ADR 0017): the build's brotli and
// gzip copies chosen by Accept-Encoding, the file itself otherwise, exact
// lengths, caching per kind of file, ETag revalidation (the frame page's CSP
// included), and what Chromium actually receives for the launcher.

import { readFileSync } from "node:fs";
import { request } from "node:http";
import { fileURLToPath } from "node:url";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { SHOP_ID, SHOP_SECRET } from "@parley/gateway/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BrowserSession, launchChromium } from "../harness/browser.js";
import { type Embed, measureSizes, startEmbed } from "./fixtures.js";

const DIST = fileURLToPath(new URL("../../dist/", import.meta.url));

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The bytes on the wire (not decoded). */
  body: Buffer;
}

/** A GET with node:http, which (unlike fetch) leaves the body as sent. */
function get(url: string, headers: Record<string, string> = {}): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const parts: Buffer[] = [];
      res.on("data", (c: Buffer) => parts.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const decode = (r: Raw): Buffer => {
  const coding = r.headers["content-encoding"];
  if (coding === "br") return brotliDecompressSync(r.body);
  if (coding === "gzip") return gunzipSync(r.body);
  if (coding === undefined) return r.body;
  throw new Error(`unexpected content-encoding ${String(coding)}`);
};

describe("the gateway serves the widget precompressed", () => {
  let embed: Embed;
  let files: Record<string, { url: string; built: Buffer }>;

  beforeAll(async () => {
    embed = await startEmbed();
    const gw = embed.stack.url;
    const meta = JSON.parse(readFileSync(`${DIST}build-meta.json`, "utf8")) as {
      entry: string;
      css: string;
      wasm: string;
    };
    files = {
      launcher: { url: `${gw}/widget/parley.js`, built: readFileSync(`${DIST}parley.js`) },
      page: { url: `${gw}/widget/frame/?shop=${SHOP_ID}`, built: readFileSync(`${DIST}frame/index.html`) },
      entry: { url: `${gw}/widget/frame/${meta.entry}`, built: readFileSync(`${DIST}frame/${meta.entry}`) },
      css: { url: `${gw}/widget/frame/${meta.css}`, built: readFileSync(`${DIST}frame/${meta.css}`) },
      wasm: { url: `${gw}/widget/frame/${meta.wasm}`, built: readFileSync(`${DIST}frame/${meta.wasm}`) },
    };
  });
  afterAll(async () => {
    await embed?.[Symbol.asyncDispose]();
  });

  it("answers br, gzip or identity by Accept-Encoding, with exact lengths, and every body decodes to the built file", async () => {
    const cases: Array<[string | undefined, string | undefined]> = [
      ["br", "br"],
      ["gzip", "gzip"],
      ["gzip, deflate, br, zstd", "br"], // what Chromium sends
      ["gzip;q=1, br;q=0.5", "gzip"],
      ["br;q=0, gzip", "gzip"],
      ["*", "br"],
      ["deflate", undefined],
      ["identity", undefined],
      ["br;q=0, gzip;q=0", undefined],
      [undefined, undefined], // no header at all
    ];
    for (const [name, file] of Object.entries(files)) {
      for (const [accept, coding] of cases) {
        const what = `${name} with Accept-Encoding: ${accept ?? "(none)"}`;
        const r = await get(file.url, accept === undefined ? {} : { "accept-encoding": accept });
        expect(r.status, what).toBe(200);
        expect(r.headers["content-encoding"], what).toBe(coding);
        expect(r.headers.vary, what).toMatch(/\bAccept-Encoding\b/i);
        expect(Number(r.headers["content-length"]), what).toBe(r.body.length);
        expect(decode(r).equals(file.built), what).toBe(true);
        if (coding) expect(r.body.length, what).toBeLessThan(file.built.length);
      }
    }
    // HEAD: the same headers, no body.
    const head = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const req = request(
        files.launcher?.url ?? "",
        { method: "HEAD", headers: { "accept-encoding": "gzip" } },
        (res) => resolve(res.resume().headers),
      );
      req.on("error", reject).end();
    });
    expect([head["content-encoding"], Number(head["content-length"])]).toEqual([
      "gzip",
      readFileSync(`${DIST}parley.js.gz`).length,
    ]);
  });

  it("caches per kind: hashed files forever, the launcher 5 minutes then by ETag, the frame page always revalidated with its CSP in the ETag", async () => {
    for (const name of ["entry", "css", "wasm"]) {
      const r = await get(files[name]?.url ?? "", { "accept-encoding": "br" });
      expect(r.headers["cache-control"], name).toBe("public, max-age=31536000, immutable");
    }
    const launcherUrl = files.launcher?.url ?? "";
    const br = await get(launcherUrl, { "accept-encoding": "br" });
    const gz = await get(launcherUrl, { "accept-encoding": "gzip" });
    expect(br.headers["cache-control"]).toBe("public, max-age=300");
    expect(br.headers["cross-origin-resource-policy"]).toBe("cross-origin");
    const etag = String(br.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
    // Each encoding is its own representation with its own tag.
    expect(gz.headers.etag).not.toBe(etag);
    const again = await get(launcherUrl, { "accept-encoding": "br", "if-none-match": etag });
    expect([again.status, again.body.length, again.headers.etag]).toEqual([304, 0, etag]);
    expect(again.headers.vary).toMatch(/\bAccept-Encoding\b/i);
    const other = await get(launcherUrl, { "accept-encoding": "gzip", "if-none-match": etag });
    expect(other.status).toBe(200);

    const pageUrl = files.page?.url ?? "";
    const page = await get(pageUrl, { "accept-encoding": "br" });
    expect(page.headers["cache-control"]).toBe("no-cache");
    const pageTag = String(page.headers.etag);
    const csp = String(page.headers["content-security-policy"]);
    const revalidated = await get(pageUrl, { "accept-encoding": "br", "if-none-match": pageTag });
    expect([revalidated.status, revalidated.headers["content-security-policy"]]).toEqual([304, csp]);
    expect(revalidated.headers["x-frame-options"]).toBeUndefined();
    // The shop's origins change: the same page bytes, a new CSP, so the cached copy is not confirmed.
    await embed.stack.gateway.admin.putShop(SHOP_ID, {
      name: "Test Shop",
      tokenKey: { alg: "HS256", secret: SHOP_SECRET },
      allowedOrigins: ["https://shop.test", "https://other.test", embed.storefront],
      allowGuests: true,
    });
    const changed = await get(pageUrl, { "accept-encoding": "br", "if-none-match": pageTag });
    expect(changed.status).toBe(200);
    expect(String(changed.headers["content-security-policy"])).toContain("https://other.test");
    expect(changed.headers.etag).not.toBe(pageTag);
    // Requests for the compressed copies by name are refused like any other unknown file.
    const entryName = files.entry?.url.split("/").pop();
    for (const path of [`${entryName}.br`, `${entryName}.gz`, "index.html.br"]) {
      expect((await get(`${embed.stack.url}/widget/frame/${path}`)).status, path).toBe(404);
    }
  });

  describe("in Chromium", () => {
    let browser: BrowserSession;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });

    it("the storefront receives parley.js brotli-compressed, within the launcher budget: the size check's figure", async () => {
      const { report } = measureSizes();
      if (!report) throw new Error("no size report");
      const page = await browser.newPage();
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith("/widget/parley.js")),
        page.goto(`${embed.storefront}/`),
      ]);
      await response.finished();
      const sizes = await response.request().sizes();
      const transferred = sizes.responseBodySize;
      console.log(
        `parley.js as Chromium received it: ${transferred} body bytes (${response.headers()["content-encoding"]}), ${sizes.responseHeadersSize} header bytes; built file ${files.launcher?.built.length} bytes`,
      );
      expect(response.headers()["content-encoding"]).toBe("br");
      expect(transferred).toBe(report.launcher_br_bytes);
      expect(transferred).toBeLessThanOrEqual(report.budgets.launcher_gz_bytes);
      expect(transferred).toBeLessThan(files.launcher?.built.length ?? 0);
      await page.close();
    });
  });
});
