// Untrusted text in real Chromium: an XSS corpus in message text, a team
// member's display name, mention handles and file names renders literally,
// runs nothing (the `window.__pwned` probe stays undefined), and only https:
// and mailto: URLs become links.

import { asAttack, SHOP_ID } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureEnv, openChat, poll, startFixtureEnv } from "./fixture.js";

const CORPUS = [
  `<img src=x onerror="window.__pwned=1">`,
  "<script>window.__pwned=2</script>",
  "javascript:window.__pwned=3",
  `"><svg onload="window.__pwned=4">`,
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-literal lookalike is the point
  "${window.__pwned=5}",
  "{{constructor.constructor('window.__pwned=6')()}}",
  `<a href="javascript:window.__pwned=7">click</a>`,
  `https://example.com/"><img src=x onerror=window.__pwned=8>`,
  "<!--?lit$1234$--><b onmouseover=window.__pwned=9>lit marker</b>",
  "[link](javascript:window.__pwned=10) and JaVaScRiPt:window.__pwned=11",
  "data:text/html,<script>window.__pwned=12</script> http://plain.example/",
];
const EVIL_NAME = `<img src=x onerror="window.__pwned=20">Mallory`;
const EVIL_FILE = `"><svg onload=window.__pwned=21>.png`;
/** The file name as shown and saved (file-name.ts: the characters Windows refuses become `_`). */
const SHOWN_FILE = "___svg onload=window.__pwned=21_.png";

const b64 = (bytes: number) => "A".repeat(Math.ceil((bytes * 4) / 3));

describe("untrusted text in the components", () => {
  let env: FixtureEnv;
  let mallory: ParleyClient;
  let page: Page;
  let convId: string;

  beforeAll(async () => {
    env = await startFixtureEnv();
    await env.stack.gateway.admin.addAgent(SHOP_ID, {
      login: "mallory@shop.test",
      password: "mallory password 123",
      displayName: EVIL_NAME,
      role: "agent",
      kind: "agent",
      handle: "mallory",
    });
    mallory = env.stack.client({
      auth: { kind: "agent", shopId: SHOP_ID, login: "mallory@shop.test", password: "mallory password 123" },
    });
    await mallory.connect();
    page = await openChat(env);
    const input = page.locator("parley-composer textarea");
    await input.fill("hello");
    await input.press("Enter");
    convId = await page.waitForFunction(() => window.__chat.current).then((h) => h.jsonValue() as Promise<string>);
    await page.locator("parley-message [data-state=sent]").waitFor();
    for (const text of CORPUS) await mallory.send(convId, text);
    await mallory.send(convId, {
      type: "file",
      file: {
        id: `fb_${"A".repeat(22)}`,
        name: EVIL_FILE,
        mime: "text/html",
        size: 1234,
        sha256: b64(32),
        key: b64(32),
        header: b64(24),
        chunkSize: 65_536,
      },
    });
  });
  afterAll(async () => {
    await mallory?.close();
    await env?.close();
  });

  it("renders message text literally and links only https: and mailto:", async () => {
    await poll(() => page.locator("parley-message .text").count()).toBe(CORPUS.length + 1);
    const texts = await page.locator("parley-message .text").allTextContents();
    expect(texts).toEqual(["hello", ...CORPUS]);
    const links = await page.locator("parley-message a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
    expect(links).toEqual(["https://example.com/"]);
    // Inside message text nothing but links is an element.
    const tags = await page
      .locator("parley-message .text *")
      .evaluateAll((els) => [...new Set(els.map((e) => e.tagName))]);
    expect(tags).toEqual(["A"]);
  });

  it("renders a display name and a file name literally", async () => {
    await poll(() => page.locator("parley-message .file .name").textContent()).toBe(SHOWN_FILE);
    await poll(() =>
      page
        .locator("parley-presence [part=presence]")
        .textContent()
        .then((t) => t?.includes(EVIL_NAME)),
    ).toBe(true);
    const senders = await page.locator("parley-message .sender").allTextContents();
    expect(senders.length).toBeGreaterThan(0);
    expect(new Set(senders)).toEqual(new Set([EVIL_NAME]));
    expect(await page.locator("parley-message .file button").getAttribute("aria-label")).toBe(`Download ${SHOWN_FILE}`);
  });

  it("renders handles and names in the mention list literally", async () => {
    await page.evaluate(
      ({ handle, name }) => {
        const composer = window.__chat.shadowRoot?.querySelector("parley-composer");
        if (composer) composer.mentionable = [{ handle, displayName: name }];
      },
      { handle: `x"><img src=x onerror=window.__pwned=30>`, name: EVIL_NAME },
    );
    const input = page.locator("parley-composer textarea");
    await input.fill("");
    await input.pressSequentially("@");
    await poll(() => page.locator("parley-composer [role=option]").count()).toBe(1);
    expect(await page.locator("parley-composer [role=option]").textContent()).toContain(
      `${EVIL_NAME}@x"><img src=x onerror=window.__pwned=30>`,
    );
    expect(await page.locator("parley-composer [role=option] img").count()).toBe(0);
    await input.press("Escape");
    await input.fill("");
  });

  it("ran nothing", async (ctx) => {
    const row = asAttack(ctx, {
      area: "widget",
      attack: `XSS corpus (${CORPUS.length} strings) in messages, names, file names and mentions`,
      expected: "rendered literally, nothing executes",
    });
    // Give any injected handler a chance to fire: hover every bubble, wait a frame.
    for (const bubble of await page.locator("parley-message .bubble").all()) await bubble.hover();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50))));
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(env.browser.errors).toEqual([]);
    row.observed(
      `${CORPUS.length} strings rendered literally; 0 handlers ran, ${env.browser.errors.length} page errors`,
    );
  });
});
