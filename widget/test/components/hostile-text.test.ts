// Text that tries to rearrange the UI around it, in real Chromium against a real gateway: a team
// member named "Ada \u202Eevil" (a right-to-left override; the gateway refuses such names today,
// so the test writes it into the store as older data or a lying gateway would serve it) must not
// reverse the header's presence line or the device-change notice; a file named
// "invoice\u202Efdp.exe" must show and save as what it is (".exe" last), and a name padded with
// spaces, path separators or a reserved device name is saved under a safe name; Zalgo text (hundreds
// of combining marks) stays inside its bubble. English and German; screenshots.

import { AGENT_LOGIN, asAttack, SHOP_ID, waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath } from "../harness/browser.js";
import { type FixtureEnv, openChat, poll, startFixtureEnv } from "./fixture.js";

const EVIL_NAME = "Ada \u202Eevil";
const BOT = { login: "bot@shop.test", password: "shop bot password 1" };

/**
 * The left edges, in the rendered line, of the first and last character of each word (in logical
 * order) inside `el`'s text: a word drawn backwards has its first character to the right.
 */
function wordEdges(el: Locator, words: string[]) {
  return el.evaluate((root, list) => {
    const nodes: Text[] = [];
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text);
    const edge = (node: Text, at: number) => {
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + 1);
      return range.getBoundingClientRect().left;
    };
    return list.map((word) => {
      for (const node of nodes) {
        const at = node.data.indexOf(word);
        if (at >= 0) return { word, first: edge(node, at), last: edge(node, at + word.length - 1) };
      }
      return { word, first: Number.NaN, last: Number.NaN };
    });
  }, words);
}

/** Whether the words are drawn left to right, each word and the sequence of words. */
async function readsLeftToRight(el: Locator, words: string[]): Promise<string> {
  const edges = await wordEdges(el, words);
  const backwards = edges.filter((e) => !(e.first < e.last)).map((e) => e.word);
  const order = edges.every((e, i) => i === 0 || (edges[i - 1]?.first ?? Number.NaN) < e.first);
  return backwards.length === 0 && order ? "ltr" : `backwards: ${backwards.join(",") || "(order)"}`;
}

/** Dark pixels (luminance under 60: the text colour, not the grey of times) in a screenshot of the page's `clip`, counted in Chromium. */
async function inkIn(page: Page, clip: { x: number; y: number; width: number; height: number }): Promise<number> {
  if (clip.width < 1 || clip.height < 1) return 0;
  const png = (await page.screenshot({ clip })).toString("base64");
  return page.evaluate(async (data) => {
    const img = new Image();
    img.src = `data:image/png;base64,${data}`;
    await img.decode();
    const canvas = document.createElement("canvas");
    canvas.width = img.width;
    canvas.height = img.height;
    const ctx = canvas.getContext("2d");
    if (!ctx) return -1;
    ctx.drawImage(img, 0, 0);
    const px = ctx.getImageData(0, 0, img.width, img.height).data;
    let dark = 0;
    for (let i = 0; i < px.length; i += 4) {
      if (0.299 * (px[i] ?? 0) + 0.587 * (px[i + 1] ?? 0) + 0.114 * (px[i + 2] ?? 0) < 60) dark++;
    }
    return dark;
  }, png);
}

/** Opens the chat, sends `text` as the customer, and has the agent load the conversation; answers the page and its id. */
async function chatWithAgent(
  env: FixtureEnv,
  agent: ParleyClient,
  options: Parameters<typeof openChat>[1],
  text: string,
) {
  const page = await openChat(env, options);
  const input = page.locator("parley-composer textarea");
  await input.fill(text);
  await input.press("Enter");
  const convId = await page.waitForFunction(() => window.__chat.current).then((h) => h.jsonValue() as Promise<string>);
  await page.locator("parley-message [data-state=sent]").waitFor();
  await agent.loadConversation(convId);
  return { page, input, convId };
}

describe("hostile text: bidi controls, file names, Zalgo", () => {
  let env: FixtureEnv;
  let agent: ParleyClient;
  let bot: ParleyClient;

  beforeAll(async () => {
    env = await startFixtureEnv();
    await env.stack.gateway.admin.addAgent(SHOP_ID, {
      login: BOT.login,
      password: BOT.password,
      displayName: "Shop Bot",
      role: "agent",
      kind: "agent",
    });
    const ada = await env.stack.gateway.store.getAgent(SHOP_ID, AGENT_LOGIN);
    if (!ada) throw new Error("no seeded agent");
    // As stored by an older gateway, or as a lying gateway would serve it.
    await env.stack.gateway.store.setDisplayName(ada.principalId, EVIL_NAME);
    agent = env.stack.agent({ encryption: true });
    bot = env.stack.client({ auth: { kind: "agent", shopId: SHOP_ID, ...BOT }, encryption: true });
    await agent.connect(); // the admin's device makes the team key
    await bot.connect();
  });
  afterAll(async () => {
    await bot?.close();
    await agent?.close();
    await env?.close();
  });

  for (const [lang, words] of [
    ["en", ["and", "are", "online"]],
    ["de", ["und", "sind", "online"]],
  ] as const) {
    it(`keeps the header's presence line in reading order with a right-to-left override in a name (${lang})`, async (ctx) => {
      const row = asAttack(ctx, {
        area: "widget",
        attack: `agent named "Ada \\u202Eevil" in the header's presence line (${lang})`,
        expected: "the sentence around the name reads in order",
      });
      const page = await openChat(env, { encryption: true, locale: lang, shopName: "Test Shop" });
      const presence = page.locator("parley-presence [part=presence]");
      await poll(() => presence.textContent()).toContain("Shop Bot");
      await poll(() => presence.textContent()).toContain("evil");
      const order = await readsLeftToRight(presence, [...words]);
      await page.locator("parley-chat header").screenshot({ path: artifactPath(`hostile-presence-${lang}.png`) });
      expect(order, await presence.innerText()).toBe("ltr");
      row.observed(`"${words.join(" … ")}" drawn ${order}`);
      await page.close();
    });
  }

  it("keeps the device-change notice in reading order (en, de)", async (ctx) => {
    const row = asAttack(ctx, {
      area: "widget",
      attack: "agent named with U+202E in the device-change security notice (en, de)",
      expected: "the notice reads in order",
    });
    const { page, convId } = await chatWithAgent(env, agent, { encryption: true, customer: "hostile-device" }, "hello");
    await agent.send(convId, "first device");
    await page.locator("parley-message", { hasText: "first device" }).waitFor();
    const laptop = env.stack.agent({ encryption: true }); // a fresh storage: a new device for Ada
    await laptop.connect();
    await waitFor(async () => {
      try {
        await laptop.send(convId, "from my new laptop");
        return true;
      } catch {
        return false;
      }
    }, "the new device to send");
    const notice = page.locator("parley-device-notice [part=notice] span").first();
    await poll(() => notice.count()).toBeGreaterThan(0);
    await poll(() => notice.textContent()).toContain("evil");
    const en = await readsLeftToRight(notice, ["added", "new", "device"]);
    await page
      .locator("parley-device-notice")
      .first()
      .screenshot({ path: artifactPath("hostile-device-notice-en.png") });
    await page.evaluate(() => {
      window.__chat.locale = "de";
    });
    await poll(() => notice.textContent()).toContain("Gerät");
    const de = await readsLeftToRight(notice, ["hat", "neues", "Gerät"]);
    await page
      .locator("parley-device-notice")
      .first()
      .screenshot({ path: artifactPath("hostile-device-notice-de.png") });
    await laptop.close();
    expect({ en, de }).toEqual({ en: "ltr", de: "ltr" });
    row.observed(`en drawn ${en}, de drawn ${de}`);
    await page.close();
  });

  it("shows and saves a file under its real extension and a safe name", async (ctx) => {
    const row = asAttack(ctx, {
      area: "widget",
      attack: "file names with U+202E, padding before .exe, ../ paths, CON, control characters",
      expected: "real extension shown last; saved under a safe name",
    });
    const { page, convId } = await chatWithAgent(
      env,
      agent,
      { encryption: true, customer: "hostile-files" },
      "send me the files",
    );
    const names = [
      "invoice\u202Efdp.exe",
      `photo.jpg${" ".repeat(120)}.exe`,
      "../../.ssh/authorized_keys",
      "CON.txt",
      "report\u0000\u0007.pdf\u200B",
    ];
    for (const name of names) await agent.sendFile(convId, new TextEncoder().encode("x"), { name, mime: "text/plain" });
    const bubbles = page.locator("parley-message:not([own]) .file");
    await poll(() => bubbles.count()).toBe(names.length);
    // The right-to-left override in the first name: ".exe" must be drawn last, after "invoice".
    const shown = await readsLeftToRight(bubbles.nth(0).locator(".name"), ["invoice", "exe"]);
    const saved: string[] = [];
    for (let i = 0; i < names.length; i++) {
      const [download] = await Promise.all([page.waitForEvent("download"), bubbles.nth(i).locator("button").click()]);
      saved.push(download.suggestedFilename());
    }
    const labels = await bubbles.locator(".name").allTextContents();
    await page.locator("parley-message-list").screenshot({ path: artifactPath("hostile-file-names.png") });
    expect(shown).toBe("ltr");
    expect(saved).toEqual(["invoicefdp.exe", "photo.jpg .exe", "_.._.ssh_authorized_keys", "_CON.txt", "report.pdf"]);
    expect(labels).toEqual(saved);
    row.observed(
      `".exe" drawn ${shown === "ltr" ? "after" : "before"} "invoice"; saved as ${saved.map((n) => JSON.stringify(n)).join(", ")}`,
    );
    await page.close();
  });

  for (const lang of ["en", "de"] as const) {
    it(`keeps Zalgo text inside its bubble (${lang})`, async (ctx) => {
      const row = asAttack(ctx, {
        area: "widget",
        attack: `Zalgo text, 300 combining marks over 5 letters (${lang})`,
        expected: "no ink outside the bubble",
      });
      const { page, input, convId } = await chatWithAgent(
        env,
        agent,
        { encryption: true, locale: lang, customer: `hostile-zalgo-${lang}` },
        lang === "de" ? "Hallo" : "hello",
      );
      // Five letters, each under 60 combining marks above and below: 300 marks.
      const marks = Array.from({ length: 60 }, (_, i) => String.fromCodePoint(0x300 + (i % 0x70))).join("");
      const zalgo = [..."ZALGO"].map((c) => c + marks).join("");
      await agent.send(convId, zalgo);
      const bubble = page.locator("parley-message:not([own]) .bubble", { hasText: "Z" });
      await bubble.waitFor();
      await input.fill(lang === "de" ? "danach" : "after");
      await input.press("Enter");
      await page.locator("parley-message[own]", { hasText: lang === "de" ? "danach" : "after" }).waitFor();
      await bubble.scrollIntoViewIfNeeded();
      const box = await bubble.boundingBox();
      if (!box) throw new Error("no bubble box");
      const band = 40;
      const above = await inkIn(page, {
        x: box.x,
        y: Math.max(0, box.y - band),
        width: box.width,
        height: Math.min(band, box.y),
      });
      // Below: the bubble's own time (grey, not counted) and the gap to the next message.
      const below = await inkIn(page, { x: box.x, y: box.y + box.height, width: box.width, height: band });
      const beside = await inkIn(page, {
        x: box.x + box.width + 2,
        y: box.y,
        width: Math.min(band, (page.viewportSize()?.width ?? 0) - box.x - box.width - 2),
        height: box.height,
      });
      await page.locator("parley-message-list").screenshot({ path: artifactPath(`hostile-zalgo-${lang}.png`) });
      expect({ above, below, beside }).toEqual({ above: 0, below: 0, beside: 0 });
      row.observed(`${above} dark pixels above, ${below} below, ${beside} beside the bubble`);
      await page.close();
    });
  }
});
