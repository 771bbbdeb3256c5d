/**
 * The listen-together sync benchmark (not a test): a real stack (nats-server,
 * gateway), the component fixture page in two real Chromium sessions (two
 * devices), and WAV tracks from a real HTTP server on 127.0.0.1 as the shop's
 * media. Mia starts a session and taps the bar's "Tap to resume"; Noah joins
 * with a tap on the card a few seconds later. Then, every 100 ms for 30 s,
 * each page reads its audio element's position and the session's shared
 * playhead at the same instant (its own `client.clock.now()`); the figures
 * are the distances between the two:
 *
 * - `listen_sync_median_ms`, `listen_sync_max_ms`: over every sample of both pages;
 * - `listen_join_offset_ms`: Noah's distance at his first sample that plays after the join;
 * - `listen_pair_median_ms`: the median distance between the two elements' positions (same instant
 *   on the shared clock, each read against it).
 *
 * Run through listen-sync.mjs; `--seconds N` changes the sampling time, `--json` ends with the figures as JSON.
 */
import { fileURLToPath } from "node:url";
import { SHOP_ID, startStack } from "@parley/gateway/testing";
import { build } from "esbuild";
import type { Page } from "playwright-core";
import { launchChromium, serveStatic } from "../test/harness/browser.js";
import { startMediaServer } from "../test/harness/media.js";

const args = process.argv.slice(2);
const secondsArg = args.indexOf("--seconds");
const SECONDS = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 30;
const SAMPLE_EVERY_MS = 100;
const log = (m: string) => process.stderr.write(`[listen-sync] ${m}\n`);

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parley listen bench</title></head>
<body><main style="height:100vh;max-width:440px"></main><script type="module" src="/fixture.js"></script></body></html>`;

/** Waits until `probe` is true (or throws after `ms`). */
async function until(probe: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The page's element position and the shared playhead, read at one instant. */
function read(page: Page, convId: string) {
  return page.evaluate((id) => {
    const session = window.__client.listen.board(id).value.active;
    const el = document.querySelector("parley-chat")?.shadowRoot?.querySelector("parley-listen-bar") as
      | (HTMLElement & { audio: HTMLAudioElement })
      | null;
    if (!session || !el) return undefined;
    const shared = window.__client.clock.now();
    const head = window.__playheadAt(session, shared);
    return {
      shared,
      elementMs: el.audio.currentTime * 1000,
      expectedMs: head.positionMs,
      playing: !el.audio.paused && head.playing,
    };
  }, convId);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? (s[mid] as number)
      : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};
const round = (x: number) => Math.round(x * 10) / 10;

async function main(): Promise<void> {
  const fixture = await build({
    entryPoints: [fileURLToPath(new URL("../test/fixtures/components/chat-fixture.ts", import.meta.url))],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    external: ["crypto"],
    conditions: ["source"],
    logLevel: "silent",
  });
  const site = await serveStatic({
    routes: { "/": { body: PAGE }, "/fixture.js": { body: fixture.outputFiles[0]?.text ?? "" } },
  });
  const stack = await startStack({ browserOrigins: [site.url] });
  const media = await startMediaServer();
  const devices = [await launchChromium(), await launchChromium()];
  try {
    const open = async (i: number, customer: string) => {
      const page = await (devices[i] as (typeof devices)[number]).newPage();
      await page.exposeFunction("__parleyToken", () => stack.customerToken(customer, customer));
      await page.addInitScript(
        (s) => {
          (window as unknown as { __parleyFixture: unknown }).__parleyFixture = s;
        },
        { gatewayUrl: stack.url, shopId: SHOP_ID, encryption: false, features: { media: media.media } },
      );
      await page.goto(`${site.url}/`);
      await until(() => page.evaluate(() => window.__client?.status.value.state === "connected"), "connected");
      return page;
    };
    const mia = await open(0, "bench-mia");
    const noah = await open(1, "bench-noah");
    const convId = await mia.evaluate(async () => (await window.__client.openConversation()).id);
    await noah.evaluate(() => window.__client.updateProfile({ handle: "bench_listen_noah" }));
    const invited = noah.evaluate(() => new Promise<string>((r) => window.__client.on("invite", (i) => r(i.id))));
    await mia.evaluate((id) => window.__client.invite(id, "@bench_listen_noah"), convId);
    await noah.evaluate((id) => window.__client.acceptInvite(id), await invited);
    await mia.evaluate((id) => {
      window.__chat.conversationId = id;
    }, convId);
    await noah.evaluate((id) => {
      window.__chat.conversationId = id;
    }, convId);

    log("Mia starts the session and taps the bar");
    const first = media.media.catalog[0];
    if (!first) throw new Error("no track");
    const track = { url: first.url, title: first.title, durationMs: first.durationMs, catalogId: first.id };
    await mia.evaluate(([id, t]) => window.__client.listen.start(id, [t as never]), [convId, track] as const);
    const resume = mia.locator("parley-listen-bar [data-action=resume]");
    await resume.waitFor({ timeout: 30_000 });
    await resume.click();
    await until(async () => (await read(mia, convId))?.playing === true, "Mia playing");
    await new Promise((r) => setTimeout(r, 3_000));

    log("Noah joins with a tap");
    await noah.locator("parley-listen-card [data-action=join]").click();
    let joinOffset = Number.NaN;
    await until(async () => {
      const s = await read(noah, convId);
      if (!s?.playing || s.elementMs <= 0) return false;
      joinOffset = Math.abs(s.elementMs - s.expectedMs);
      return true;
    }, "Noah playing");

    log(`sampling both players every ${SAMPLE_EVERY_MS} ms for ${SECONDS} s`);
    const offsets: number[] = [];
    const pair: number[] = [];
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end) {
      const [a, b] = await Promise.all([read(mia, convId), read(noah, convId)]);
      if (a?.playing && b?.playing) {
        const da = a.elementMs - a.expectedMs;
        const db = b.elementMs - b.expectedMs;
        offsets.push(Math.abs(da), Math.abs(db));
        pair.push(Math.abs(da - db));
        if (process.env.LISTEN_TRACE) log(`mia ${round(da)} noah ${round(db)}`);
      }
      await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
    }
    const figures = {
      listen_sync_median_ms: round(median(offsets)),
      listen_sync_max_ms: round(Math.max(...offsets)),
      listen_join_offset_ms: round(joinOffset),
      listen_pair_median_ms: round(median(pair)),
      listen_samples: offsets.length,
      listen_seconds: SECONDS,
    };
    process.stdout.write(`${JSON.stringify(figures, null, args.includes("--json") ? undefined : 2)}\n`);
  } finally {
    for (const d of devices) await d.close();
    await media.close();
    await stack[Symbol.asyncDispose]();
    await site.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`listen-sync failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
