// The location renderer tests' page (location-ui.test.ts): the fixture script
// (fixtures/components/location-fixture.ts, whose stand-in client says why it is one) bundled with
// esbuild and served on loopback under the frame's style policy (`style-src 'self'`: no inline
// style elements) with images from the page and the test tile server only; real Chromium with a
// real (overridden) geolocation; a tile server for the map.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { type BrowserSession, launchChromium, type StaticServer, serveStatic } from "../harness/browser.js";
import { startTileServer, type TileServer } from "../harness/tile-server.js";
import { axeScript, seriousViolations } from "./fixture.js";

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley locations</title><link rel="stylesheet" href="/page.css"></head>
<body><main></main><script type="module" src="/fixture.js"></script></body></html>`;

/** Mia, the viewer unless a test says otherwise; Noah, the other person. */
export const MIA = "c_mia";
export const NOAH = "c_noah";
export const names = { [MIA]: "Mia", [NOAH]: "Noah" };

/** A fixture pin (the board's PinState). */
export interface FixturePin {
  id: string;
  sender: string;
  seq: number;
  fromTeam: boolean;
  label?: string;
  first: { lat: number; lon: number; accuracy: number; at: number };
  fix: { lat: number; lon: number; accuracy: number; at: number };
  live?: { until: number; stoppedAt?: number; n: number };
}

/** A pin at `at` (ms), live until `until` when given. */
export function pin(
  id: string,
  sender: string,
  p: { lat: number; lon: number; accuracy: number; at: number; label?: string; until?: number; stoppedAt?: number },
): FixturePin {
  const fix = { lat: p.lat, lon: p.lon, accuracy: p.accuracy, at: p.at };
  return {
    id,
    sender,
    seq: 1,
    fromTeam: false,
    ...(p.label ? { label: p.label } : {}),
    first: fix,
    fix,
    ...(p.until
      ? { live: { until: p.until, n: 1, ...(p.stoppedAt !== undefined ? { stoppedAt: p.stoppedAt } : {}) } }
      : {}),
  };
}

/** How a page is mounted. */
export interface MountOptions {
  locale?: string;
  theme?: string;
  me?: string;
  pins?: FixturePin[];
  /** Draw maps from the test tile server. */
  tiles?: boolean;
  composer?: boolean;
  /** Runs on the page before the mount (a fixed clock, say). */
  before?: (page: Page) => Promise<void>;
}

/** What a test file gets from {@link locationPage}. */
export interface LocationPage {
  mount(o?: MountOptions): Promise<Page>;
  /** The card of pin `id`. */
  card(page: Page, id: string): Locator;
  /** The card's text, whitespace folded. */
  text(page: Page, id: string): Promise<string>;
  /** axe-core's serious and critical violations (served by the page: its CSP allows no inline script). */
  axe(page: Page): Promise<string[]>;
  /** The page's origin. */
  readonly origin: string;
  readonly browser: BrowserSession;
  readonly tileServer: TileServer;
}

/** Serves the fixture page, a tile server and Chromium for the calling test file. */
export function locationPage(): LocationPage {
  let site: StaticServer;
  let browser: BrowserSession;
  let tiles: TileServer;
  beforeAll(async () => {
    const out = await build({
      entryPoints: [fileURLToPath(new URL("../fixtures/components/location-fixture.ts", import.meta.url))],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      write: false,
      conditions: ["source"],
      external: ["crypto"],
      splitting: false,
      logLevel: "silent",
    });
    tiles = await startTileServer();
    const csp = `default-src 'self'; style-src 'self'; img-src 'self' blob: ${tiles.origin}; script-src 'self'`;
    site = await serveStatic({
      routes: {
        "/": { body: PAGE, headers: { "content-security-policy": csp } },
        "/page.css": { body: "html,body{margin:0}main{max-width:440px;margin:0 auto}" },
        "/fixture.js": { body: out.outputFiles[0]?.text ?? "" },
        "/axe.js": { body: await axeScript },
      },
    });
    browser = await launchChromium({ viewport: { width: 440, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await tiles?.close();
  });
  const card = (page: Page, id: string) => page.locator(`parley-location[data-pin="${id}"]`);
  return {
    get origin() {
      return site.url;
    },
    get browser() {
      return browser;
    },
    get tileServer() {
      return tiles;
    },
    async mount(o = {}) {
      const page = await browser.newPage();
      await o.before?.(page);
      await page.goto(`${site.url}/`);
      await page.waitForFunction(() => typeof window.__mountLocations === "function");
      await page.evaluate(([pins, opts]) => window.__mountLocations(pins as never, opts as never), [
        o.pins ?? [],
        {
          locale: o.locale,
          theme: o.theme,
          me: o.me ?? MIA,
          names,
          composer: o.composer,
          ...(o.tiles ? { tiles: tiles.tiles } : {}),
        },
      ] as const);
      if ((o.pins ?? []).length > 0) await page.locator("parley-location article[data-kind]").first().waitFor();
      return page;
    },
    card,
    axe: (page) => seriousViolations(page, `${site.url}/axe.js`),
    text: async (page, id) => (await card(page, id).locator("article").innerText()).replace(/[ \t\n]+/g, " "),
  };
}
