// History paging in <parley-message-list> with real Chromium and a real
// gateway: scrolling to the top loads older pages without moving the message
// the reader looks at, and with 2,000 messages loaded the DOM holds only a
// bounded window of them.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureEnv, openChat, poll, startFixtureEnv } from "./fixture.js";

const TOTAL = 2000;
/** `WINDOW` in parley-message-list.ts (not imported: that would load Lit into Node). */
const WINDOW = 120;

/** The first message visible at the top of the log, and its offset from the log's top. */
function topVisible(page: Page): Promise<{ key: string; offset: number }> {
  return page.evaluate(() => {
    const list = window.__chat.shadowRoot?.querySelector("parley-message-list");
    const log = list?.shadowRoot?.querySelector<HTMLElement>(".log");
    if (!log) throw new Error("no log");
    const top = log.getBoundingClientRect().top;
    for (const el of log.querySelectorAll<HTMLElement>("parley-message")) {
      const rect = el.getBoundingClientRect();
      if (rect.bottom > top) return { key: el.dataset.key ?? "", offset: rect.top - top };
    }
    throw new Error("nothing visible");
  });
}

function offsetOf(page: Page, key: string): Promise<number | undefined> {
  return page.evaluate((k) => {
    const log = window.__chat.shadowRoot?.querySelector("parley-message-list")?.shadowRoot?.querySelector(".log");
    const el = log?.querySelector<HTMLElement>(`parley-message[data-key="${k}"]`);
    if (!log || !el) return undefined;
    return el.getBoundingClientRect().top - log.getBoundingClientRect().top;
  }, key);
}

function scrollToTop(page: Page): Promise<void> {
  return page.evaluate(() => {
    const log = window.__chat.shadowRoot?.querySelector("parley-message-list")?.shadowRoot?.querySelector(".log");
    if (log) log.scrollTop = 0;
  });
}

const rendered = (page: Page) => page.locator("parley-message").count();
const loaded = (page: Page) =>
  page.evaluate(() =>
    window.__chat.current ? window.__client.conversation(window.__chat.current).value.messages.length : 0,
  );

describe("message list paging", () => {
  let env: FixtureEnv;
  let page: Page;

  beforeAll(async () => {
    env = await startFixtureEnv();
    // The same customer seeds the history from Node, then opens the widget.
    const seeder = env.stack.customer("pager");
    await seeder.connect();
    const conv = await seeder.openConversation();
    for (let i = 1; i <= TOTAL; i++) await seeder.send(conv.id, `message number ${i}`);
    await seeder.close();
    page = await openChat(env, { customer: "pager" });
    await page.locator("parley-message", { hasText: `message number ${TOTAL}` }).waitFor();
  }, 180_000);
  afterAll(async () => {
    await env?.close();
  });

  it("loads older messages at the top and keeps the top visible message in place", async () => {
    const before = await loaded(page);
    expect(before).toBeLessThan(TOTAL);
    for (let round = 0; round < 3; round++) {
      const count = await loaded(page);
      await scrollToTop(page);
      const anchor = await topVisible(page);
      await poll(() => loaded(page)).toBeGreaterThan(count);
      // Let the list render what arrived (two frames: update, then the scroll check).
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await poll(() => page.locator("parley-message-list .note[role=status]").count()).toBe(0);
      const offset = await offsetOf(page, anchor.key);
      expect(offset).toBeDefined();
      expect(Math.abs((offset ?? 0) - anchor.offset)).toBeLessThanOrEqual(2);
    }
    // Older messages are in the DOM above the anchor.
    const first = await page.locator("parley-message .text").first().textContent();
    expect(first).toMatch(/message number \d+/);
    expect(Number(/message number (\d+)/.exec(first ?? "")?.[1])).toBeLessThan(TOTAL - before);
  });

  it("holds a bounded number of message elements with 2,000 loaded, and reaches the first message", async () => {
    await page.evaluate(async () => {
      const id = window.__chat.current ?? "";
      while (await window.__client.loadOlder(id, 100)) {}
    });
    expect(await loaded(page)).toBe(TOTAL);
    expect(await rendered(page)).toBeLessThanOrEqual(WINDOW);
    // Scroll up through the whole history: the window moves, the DOM stays bounded.
    let most = 0;
    for (let i = 0; i < 200; i++) {
      if ((await page.locator("parley-message", { hasText: /^message number 1$/ }).count()) > 0) break;
      const anchor = await topVisible(page);
      await scrollToTop(page);
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await poll(
        async () => (await topVisible(page)).key !== anchor.key || (await offsetOf(page, anchor.key)) !== undefined,
      ).toBe(true);
      most = Math.max(most, await rendered(page));
    }
    expect(await page.locator("parley-message .text", { hasText: /^message number 1$/ }).count()).toBe(1);
    expect(await page.locator("parley-message-list .note", { hasText: "start of the conversation" }).count()).toBe(1);
    expect(most).toBeLessThanOrEqual(WINDOW);
    expect(most).toBeGreaterThan(0);
  });

  it("jumps back to the newest message with the window at the end", async () => {
    await page.evaluate(() => window.__chat.shadowRoot?.querySelector("parley-message-list")?.scrollToBottom());
    await poll(() => page.locator("parley-message .text", { hasText: `message number ${TOTAL}` }).count()).toBe(1);
    expect(await rendered(page)).toBeLessThanOrEqual(WINDOW);
    expect(env.browser.errors).toEqual([]);
  });
});
