// A long conversation in the embedded widget, in real Chromium, through the
// real storefront, launcher and frame against a real gateway: the message list
// is the element that scrolls (between a fixed header and composer), it
// follows the newest message and images that finish loading, it keeps the
// reader's place when earlier history loads above, and otherwise offers a
// "New messages" button that works by keyboard. At 1280x800 and 390x844.

import { waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath, type BrowserSession, launchChromium } from "../harness/browser.js";
import { chatFrame, type Embed, exposeLauncherRoot, logIn, startEmbed } from "./fixtures.js";

/** Messages seeded per conversation (more than a history page of 50). */
const SEEDED = 56;
const LONG_WORD = `Donaudampfschifffahrtsgesellschaftskapitän${"x".repeat(220)}`;

interface Box {
  top: number;
  bottom: number;
  left: number;
  right: number;
}
interface Layout {
  viewport: { width: number; height: number };
  header: Box;
  composer: Box;
  log: Box & {
    scrollTop: number;
    scrollHeight: number;
    clientHeight: number;
    scrollWidth: number;
    clientWidth: number;
  };
  /** The newest message's box, if rendered. */
  newest: Box | undefined;
  /** The page (frame document) itself does not scroll. */
  pageScroll: number;
}

/** Where the chat's parts are, measured inside the frame. */
function layout(frame: Frame): Promise<Layout> {
  return frame.evaluate(() => {
    const box = (el: Element) => {
      const r = el.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
    };
    const chat = document.querySelector("parley-chat")?.shadowRoot;
    const list = chat?.querySelector("parley-message-list")?.shadowRoot;
    const log = list?.querySelector<HTMLElement>(".log");
    const header = chat?.querySelector("header");
    const composer = chat?.querySelector("parley-composer");
    if (!log || !header || !composer) throw new Error("the chat is not rendered");
    const messages = log.querySelectorAll("parley-message");
    const last = messages[messages.length - 1];
    return {
      viewport: { width: innerWidth, height: innerHeight },
      header: box(header),
      composer: box(composer),
      log: {
        ...box(log),
        scrollTop: log.scrollTop,
        scrollHeight: log.scrollHeight,
        clientHeight: log.clientHeight,
        scrollWidth: log.scrollWidth,
        clientWidth: log.clientWidth,
      },
      newest: last ? box(last) : undefined,
      pageScroll: document.scrollingElement?.scrollTop ?? 0,
    };
  });
}

/**
 * The message the reader is looking at (the first one whose top is inside the log, or the one named
 * by `key`) and how far its top is from the log's top.
 */
function readingPosition(frame: Frame, key?: string): Promise<{ key: string; top: number }> {
  return frame.evaluate((wanted) => {
    const log = document
      .querySelector("parley-chat")
      ?.shadowRoot?.querySelector("parley-message-list")
      ?.shadowRoot?.querySelector<HTMLElement>(".log");
    if (!log) throw new Error("no log");
    const logTop = log.getBoundingClientRect().top;
    const messages = [...log.querySelectorAll<HTMLElement>("parley-message")];
    const el = wanted
      ? messages.find((m) => m.dataset.key === wanted)
      : messages.find((m) => m.getBoundingClientRect().top >= logTop);
    if (!el) return { key: wanted ?? "", top: Number.NaN };
    return { key: el.dataset.key ?? "", top: el.getBoundingClientRect().top - logTop };
  }, key);
}

/** Sets the log's scrollTop inside the frame (as a scrollbar drag would). */
function scrollLogTo(frame: Frame, top: number): Promise<void> {
  return frame.evaluate((t) => {
    const log = document
      .querySelector("parley-chat")
      ?.shadowRoot?.querySelector("parley-message-list")
      ?.shadowRoot?.querySelector<HTMLElement>(".log");
    if (log) log.scrollTop = t;
  }, top);
}

/** Every image in the log has loaded and decoded. */
function imagesLoaded(frame: Frame): Promise<number> {
  return frame.evaluate(() => {
    const log = document
      .querySelector("parley-chat")
      ?.shadowRoot?.querySelector("parley-message-list")
      ?.shadowRoot?.querySelector(".log");
    let count = 0;
    for (const m of log?.querySelectorAll("parley-message") ?? []) {
      if (!m.shadowRoot?.querySelector(".file")) continue; // every file seeded here is a picture
      const img = m.shadowRoot.querySelector("img");
      if (!img) return -1;
      if (!img.complete || img.naturalHeight === 0) return -1;
      count++;
    }
    return count;
  });
}

const inside = (inner: Box, outer: Box, slack = 1) =>
  inner.top >= outer.top - slack &&
  inner.bottom <= outer.bottom + slack &&
  inner.left >= outer.left - slack &&
  inner.right <= outer.right + slack;
const fromBottom = (l: Layout) => l.log.scrollHeight - l.log.scrollTop - l.log.clientHeight;
const frameBox = (l: Layout): Box => ({ top: 0, left: 0, bottom: l.viewport.height, right: l.viewport.width });

/** A picture of `width` x `height`, drawn by the browser (a gradient and the label). */
async function picture(page: Page, width: number, height: number, label: string): Promise<Uint8Array> {
  const url = await page.evaluate(
    ([w, h, text]) => {
      const canvas = document.createElement("canvas");
      canvas.width = w as number;
      canvas.height = h as number;
      const g = canvas.getContext("2d");
      if (!g) throw new Error("no 2d context");
      const fill = g.createLinearGradient(0, 0, w as number, h as number);
      fill.addColorStop(0, "#0b5cad");
      fill.addColorStop(1, "#f59e0b");
      g.fillStyle = fill;
      g.fillRect(0, 0, w as number, h as number);
      g.fillStyle = "#ffffff";
      g.font = "bold 48px sans-serif";
      g.fillText(text as string, 24, 72);
      return canvas.toDataURL("image/png");
    },
    [width, height, label] as const,
  );
  return new Uint8Array(Buffer.from(url.slice(url.indexOf(",") + 1), "base64"));
}

describe("a long conversation in the embedded widget", () => {
  let embed: Embed;
  let browser: BrowserSession;
  let agent: ParleyClient;
  const convOf = new Map<string, string>();

  beforeAll(async () => {
    embed = await startEmbed();
    agent = embed.stack.agent({ encryption: true });
    agent.on("message", ({ conversationId, message }) => {
      const text = message.body?.type === "text" ? message.body.text : "";
      if (text.startsWith("opening ")) convOf.set(text, conversationId);
    });
    await agent.connect();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    await embed?.[Symbol.asyncDispose]();
  });

  /** Logs a customer in on the storefront, opens the chat and their conversation; resolves the frame and conv id. */
  async function openChat(page: Page, name: string): Promise<{ frame: Frame; convId: string }> {
    await exposeLauncherRoot(page);
    await logIn(page, embed.storefront, name);
    await page.click("parley-launcher");
    const frame = await chatFrame(page);
    const opening = `opening ${name} ${crypto.randomUUID()}`;
    const composer = frame.getByRole("textbox").first();
    await composer.fill(opening);
    await composer.press("Enter");
    const convId = await waitFor(() => convOf.get(opening), "the agent to read the opening message", 30_000);
    return { frame, convId };
  }

  /** The agent sends `count` messages: text, very long unbroken words and images (every ninth). */
  async function seed(page: Page, convId: string, count: number): Promise<void> {
    const photo = await picture(page, 800, 600, "photo");
    for (let i = 1; i <= count; i++) {
      if (i % 9 === 0) {
        await agent.sendFile(convId, photo, {
          name: `photo-${i}.png`,
          mime: "image/png",
          image: { width: 800, height: 600 },
        });
      } else if (i % 7 === 0) {
        await agent.send(convId, `word ${i}: ${LONG_WORD}`);
      } else {
        await agent.send(convId, `message ${i}: here is some text that takes a line or two in the panel.`);
      }
    }
    await agent.send(convId, "the newest message");
  }

  /** Waits until the log shows its newest message at the bottom, with every image loaded. */
  async function settledAtBottom(frame: Frame, newest: string): Promise<Layout> {
    await frame.locator("parley-message", { hasText: newest }).waitFor();
    await waitFor(async () => (await imagesLoaded(frame)) >= 0, "the images to load", 30_000);
    let last: Layout | undefined;
    try {
      return await waitFor(async () => {
        const l = await layout(frame);
        last = l;
        return l.newest && fromBottom(l) <= 2 && inside(l.newest, l.log) ? l : undefined;
      }, "the newest message to sit at the bottom of the list");
    } catch (err) {
      throw new Error(`${(err as Error).message}: ${JSON.stringify(last)}`);
    }
  }

  for (const size of [
    { name: "desktop", width: 1280, height: 800 },
    { name: "mobile", width: 390, height: 844 },
  ]) {
    it(`${size.name} ${size.width}x${size.height}: the list scrolls between header and composer, follows new messages and images, keeps its place, offers "New messages"`, async () => {
      const page = await browser.newPage();
      await page.setViewportSize({ width: size.width, height: size.height });
      const { frame, convId } = await openChat(page, `Scroll ${size.name}`);
      await seed(page, convId, SEEDED);

      // The live conversation, taller than the panel: the list scrolls, header and composer stay put.
      let l = await settledAtBottom(frame, "the newest message");
      expect(l.log.scrollHeight).toBeGreaterThan(l.log.clientHeight * 2);
      expect(l.pageScroll).toBe(0);
      expect(inside(l.composer, frameBox(l))).toBe(true);
      expect(inside(l.header, frameBox(l))).toBe(true);
      expect(l.log.top).toBeGreaterThanOrEqual(l.header.bottom - 1);
      expect(l.log.bottom).toBeLessThanOrEqual(l.composer.top + 1);
      // Long words wrap: nothing scrolls sideways.
      expect(l.log.scrollWidth).toBeLessThanOrEqual(l.log.clientWidth);
      // The frame itself lies inside the storefront's viewport.
      const iframe = await page.evaluate(() => {
        const root = (window as unknown as { __launcherRoot: ShadowRoot }).__launcherRoot;
        const r = root.querySelector("iframe")?.getBoundingClientRect();
        return r && { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
      });
      expect(iframe && inside(iframe, { top: 0, left: 0, bottom: size.height, right: size.width })).toBe(true);
      await page.screenshot({ path: artifactPath(`widget-long-conversation-${size.name}.png`) });

      // The wheel over the messages scrolls the list.
      await page.mouse.move(
        (l.log.left + l.log.right) / 2 + (iframe?.left ?? 0),
        (l.log.top + l.log.bottom) / 2 + (iframe?.top ?? 0),
      );
      await page.mouse.wheel(0, -600);
      await waitFor(
        async () => (await layout(frame)).log.scrollTop < l.log.scrollTop - 100,
        "the wheel to scroll the list up",
      );

      // Scrolled up, a new message does not move the reader; "New messages" appears and works by keyboard.
      // "Does not move" is about the message being read: its place on screen. scrollTop alone can change
      // while the reader's view stays put (a picture above finishing loading, compensated by the list).
      await scrollLogTo(frame, Math.floor(l.log.scrollHeight / 3));
      const reading = await readingPosition(frame);
      await agent.send(convId, "arrived while scrolled up");
      const pill = frame.locator("parley-message-list [part=new-messages]");
      await pill.waitFor();
      await waitFor(
        async () => Math.abs(((await readingPosition(frame, reading.key)).top ?? Number.NaN) - reading.top) <= 2,
        `the message being read (${reading.top}px from the log's top) to stay in place`,
      );
      const scrolledUp = (await layout(frame)).log;
      expect(scrolledUp.scrollHeight - scrolledUp.scrollTop - scrolledUp.clientHeight).toBeGreaterThan(
        scrolledUp.clientHeight / 2,
      );
      await frame.locator("parley-message-list .log").focus();
      await page.keyboard.press("Shift+Tab");
      expect(await pill.evaluate((el) => el.matches(":focus"))).toBe(true);
      expect(await pill.getAttribute("type")).toBe("button");
      await page.keyboard.press("Enter");
      l = await settledAtBottom(frame, "arrived while scrolled up");
      await waitFor(async () => (await pill.count()) === 0, "the button to go once the newest is shown");
      // Focus stays in the list rather than falling back to the page.
      expect(await frame.locator("parley-message-list .log").evaluate((el) => el.matches(":focus"))).toBe(true);

      // At the bottom: a new message and then an image that loads after it renders are followed.
      await agent.send(convId, "followed at the bottom");
      await settledAtBottom(frame, "followed at the bottom");
      const late = await picture(page, 900, 1200, "late");
      await agent.sendFile(convId, late, { name: "late.png", mime: "image/png", image: { width: 900, height: 1200 } });
      l = await waitFor(async () => {
        const now = await layout(frame);
        const img = await frame
          .locator("parley-message", { hasText: "late.png" })
          .locator("img")
          .evaluate((el: HTMLImageElement) => el.complete && el.naturalHeight > 0)
          .catch(() => false);
        return img && now.newest && fromBottom(now) <= 2 && inside(now.newest, now.log) ? now : undefined;
      }, "the loaded image to be fully in view at the bottom");
      expect(inside(l.composer, frameBox(l))).toBe(true);
      await page.screenshot({ path: artifactPath(`widget-long-conversation-${size.name}-image.png`) });

      // A returning reader: the frame loads the newest page; scrolling to the top pages in history
      // above without moving the message the reader looks at.
      await page.reload();
      await page.click("parley-launcher");
      const again = await chatFrame(page);
      await settledAtBottom(again, "late.png");
      const anchorKey = await again.evaluate(() => {
        const log = document
          .querySelector("parley-chat")
          ?.shadowRoot?.querySelector("parley-message-list")
          ?.shadowRoot?.querySelector<HTMLElement>(".log");
        if (!log) throw new Error("no log");
        log.scrollTop = 0;
        return log.querySelector<HTMLElement>("parley-message")?.dataset.key ?? "";
      });
      const anchorTop = async () =>
        again.evaluate((key) => {
          const log = document
            .querySelector("parley-chat")
            ?.shadowRoot?.querySelector("parley-message-list")
            ?.shadowRoot?.querySelector<HTMLElement>(".log");
          const el = log?.querySelector<HTMLElement>(`parley-message[data-key="${key}"]`);
          return el && log ? el.getBoundingClientRect().top - log.getBoundingClientRect().top : undefined;
        }, anchorKey);
      const startTop = await anchorTop();
      await again.locator("parley-message-list .note", { hasText: "start of the conversation" }).waitFor();
      await waitFor(async () => (await imagesLoaded(again)) >= 0, "the earlier images to load", 30_000);
      // Layout read from here can see an image before the list's resize observer has run (both happen
      // before the next paint): so wait for the settled position rather than read it once.
      await waitFor(
        async () => Math.abs(((await anchorTop()) ?? Number.NaN) - (startTop ?? 0)) <= 2,
        `the message read before (${startTop}px from the top) to stay in place, not at ${await anchorTop()}px`,
      );
      const after = await layout(again);
      expect(inside(after.composer, frameBox(after))).toBe(true);
      expect(browser.errors.filter((e) => e.startsWith("pageerror"))).toEqual([]);
      await page.close();
    });
  }
});
