// The card renderer tests' page (cards.test.ts, cards-team.test.ts): the fixture script
// (fixtures/components/cards-fixture.ts, whose stand-in client says why it is one) bundled with
// esbuild and served on loopback, real Chromium, and a mount of fixture states for a chosen viewer.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { type BrowserSession, launchChromium, type StaticServer, serveStatic } from "../harness/browser.js";
import { all, MIA, names, notes } from "./card-states.js";

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley cards</title><style>html,body{margin:0}main{max-width:440px;margin:0 auto}</style></head>
<body><main></main><script type="module" src="/fixture.js"></script></body></html>`;

/** How a page is mounted. */
export interface MountOptions {
  locale?: string;
  theme?: string;
  /** The viewer's principal id (Mia unless given). */
  me?: string;
  /** The viewer's principal kind: "agent" for a team viewer (the dashboard), a customer otherwise. */
  kind?: string;
  width?: number;
  /** The card states to mount (every fixture state unless given). */
  states?: unknown[];
}

/** What a test file gets from {@link cardsPage}. */
export interface CardsPage {
  /** A new page with the cards mounted. */
  mount(o?: MountOptions): Promise<Page>;
  /** The `<parley-card>` of card `id`. */
  card(page: Page, id: string): Locator;
  /** The card's text, whitespace folded. */
  text(page: Page, id: string): Promise<string>;
}

/** Serves the fixture page and starts Chromium for the calling test file (before all, closed after all). */
export function cardsPage(): CardsPage {
  let site: StaticServer;
  let browser: BrowserSession;
  beforeAll(async () => {
    const out = await build({
      entryPoints: [fileURLToPath(new URL("../fixtures/components/cards-fixture.ts", import.meta.url))],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      write: false,
      conditions: ["source"],
      external: ["crypto"],
      logLevel: "silent",
    });
    site = await serveStatic({
      routes: { "/": { body: PAGE }, "/fixture.js": { body: out.outputFiles[0]?.text ?? "" } },
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });
  const card = (page: Page, id: string) => page.locator(`parley-card[data-card="${id}"]`);
  return {
    async mount(o = {}) {
      const page = await browser.newPage();
      await page.setViewportSize({ width: o.width ?? 440, height: 900 });
      await page.goto(`${site.url}/`);
      await page.waitForFunction(() => typeof window.__mount === "function");
      await page.evaluate(([states, opts]) => window.__mount(states as unknown[], opts as never), [
        o.states ?? all,
        { locale: o.locale, theme: o.theme, me: o.me ?? MIA, kind: o.kind, names, notes },
      ] as const);
      await page.locator("parley-card article").first().waitFor();
      return page;
    },
    card,
    text: async (page, id) => (await card(page, id).locator("article").innerText()).replace(/[ \t\n]+/g, " "),
  };
}

/** Elements of the cards that stick out to the right of the page, as `card: TAG class`. */
export const overflowing = (page: Page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("parley-card")].flatMap((c) =>
      [...(c.shadowRoot?.querySelectorAll("*") ?? [])]
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
        .map((el) => `${c.getAttribute("data-card")}: ${el.tagName} ${el.className}`),
    ),
  );
