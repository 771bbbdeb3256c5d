// The reader's scroll and an update of <parley-message-list> in the same task,
// in real Chromium against a real gateway. The browser dispatches the scroll
// event only at its next frame: an update that runs before it (a message that
// arrives, the chat passing new display names) must place the reader where
// they scrolled to, not where they were at the last scroll event the list saw.
// Without the fix the list put the reader back (the CI flake of
// widget/test/embed/scroll.test.ts: "the message being read ... to stay in place").
//
// The last test puts a message into the conversation's state store in the same task as the scroll:
// a fake arrival, because no network delivery can be timed to land before the scroll event's frame
// (the CI flake of interactions.test.ts "shows New messages instead of jumping" hit that window
// only under load). The list must count it as unseen below, not as read at the bottom.

import { waitFor } from "@parley/gateway/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureEnv, openChat, poll, startFixtureEnv } from "./fixture.js";

const CUSTOMER = "scroll-race";

/** Where the log is scrolled and how far it is from the bottom. */
function logState(page: Page): Promise<{ top: number; fromBottom: number; range: number }> {
  return page.evaluate(() => {
    const log = window.__chat.shadowRoot?.querySelector("parley-message-list")?.shadowRoot?.querySelector(".log");
    if (!log) throw new Error("no log");
    return {
      top: log.scrollTop,
      fromBottom: log.scrollHeight - log.scrollTop - log.clientHeight,
      range: log.scrollHeight - log.clientHeight,
    };
  });
}

/** The offset of the message `key` from the log's top. */
function offsetOf(page: Page, key: string): Promise<number | undefined> {
  return page.evaluate((k) => {
    const log = window.__chat.shadowRoot?.querySelector("parley-message-list")?.shadowRoot?.querySelector(".log");
    const el = log?.querySelector<HTMLElement>(`parley-message[data-key="${k}"]`);
    if (!log || !el) return undefined;
    return el.getBoundingClientRect().top - log.getBoundingClientRect().top;
  }, key);
}

/** Two frames: the scroll event, the list's update and its placement have all run. */
const frames = (page: Page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

describe("a scroll and a list update in the same frame", () => {
  let env: FixtureEnv;
  let page: Page;
  let convId: string;

  beforeAll(async () => {
    env = await startFixtureEnv();
    const seeder = env.stack.customer(CUSTOMER);
    await seeder.connect();
    const conv = await seeder.openConversation();
    convId = conv.id;
    for (let i = 1; i <= 40; i++) await seeder.send(conv.id, `line ${i}: a message of some length to fill the panel`);
    await seeder.close();
    page = await openChat(env, { customer: CUSTOMER });
    await page.locator("parley-message", { hasText: "line 40:" }).waitFor();
    await waitFor(async () => (await logState(page)).fromBottom <= 32, "the list to sit at the bottom");
  }, 120_000);
  afterAll(async () => {
    await env?.close();
  });

  /**
   * Scrolls the log to `fraction` of its range and, in the same task, runs `trigger` (which makes the list
   * update); resolves the first message whose top is inside the log then, and its offset.
   */
  async function scrollAndUpdate(
    fraction: number,
    trigger: "names" | "message",
  ): Promise<{ key: string; top: number }> {
    if (trigger === "message") {
      // The same customer on another device sends once the page listens for it.
      void page
        .waitForFunction(() => (window as unknown as { __armed?: boolean }).__armed)
        .then(async () => {
          const other = env.stack.customer(CUSTOMER);
          await other.connect();
          await other.send(convId, "from the customer's other device");
          await other.close();
        });
    }
    return page.evaluate(
      ([f, how]) => {
        const list = window.__chat.shadowRoot?.querySelector("parley-message-list");
        const log = list?.shadowRoot?.querySelector<HTMLElement>(".log");
        if (!list || !log) throw new Error("no list");
        const scrollAndRead = () => {
          log.scrollTop = Math.round((log.scrollHeight - log.clientHeight) * (f as number));
          const top = log.getBoundingClientRect().top;
          for (const el of log.querySelectorAll<HTMLElement>("parley-message")) {
            const rect = el.getBoundingClientRect();
            if (rect.top >= top) return { key: el.dataset.key ?? "", top: rect.top - top };
          }
          throw new Error("nothing visible");
        };
        if (how === "names") {
          const reading = scrollAndRead();
          list.names = { ...list.names }; // the chat passing display names: an update in this task
          return reading;
        }
        // A message that arrives: scroll in the same task as the list hears of it, before it renders.
        const store = window.__client.conversation(window.__chat.current ?? "");
        const count = store.value.messages.length;
        return new Promise<{ key: string; top: number }>((resolve) => {
          const stop = store.subscribe((next) => {
            if (next.messages.length <= count) return;
            stop();
            resolve(scrollAndRead());
          });
          (window as unknown as { __armed: boolean }).__armed = true;
        });
      },
      [fraction, trigger] as const,
    );
  }

  it("keeps the reader where they scrolled to when the list updates before the scroll event", async () => {
    const reading = await scrollAndUpdate(0.4, "names");
    await frames(page);
    await poll(async () =>
      Math.abs(((await offsetOf(page, reading.key)) ?? Number.NaN) - reading.top),
    ).toBeLessThanOrEqual(2);
    expect((await logState(page)).fromBottom).toBeGreaterThan(100);
  });

  it("keeps the reader where they scrolled to when a message arrives before the scroll event", async () => {
    const reading = await scrollAndUpdate(0.3, "message");
    await frames(page);
    await frames(page);
    const offset = await offsetOf(page, reading.key);
    expect(offset).toBeDefined();
    expect(Math.abs((offset ?? Number.NaN) - reading.top)).toBeLessThanOrEqual(2);
    expect(env.browser.errors).toEqual([]);
  });

  it("counts a message that arrives in the scroll's frame as unseen below: the New messages button shows", async () => {
    const pill = page.locator("[part=new-messages]");
    await page.evaluate(() => {
      const list = window.__chat.shadowRoot?.querySelector("parley-message-list");
      list?.scrollToBottom();
    });
    await frames(page);
    expect(await pill.count()).toBe(0);
    await page.evaluate(() => {
      const log = window.__chat.shadowRoot?.querySelector("parley-message-list")?.shadowRoot?.querySelector(".log");
      if (!log) throw new Error("no log");
      log.scrollTop = Math.round((log.scrollHeight - log.clientHeight) * 0.3);
      const store = window.__client.conversation(window.__chat.current ?? "");
      const last = store.value.messages.at(-1);
      if (!last) throw new Error("no message");
      const seq = last.seq + 1;
      const arrived = {
        ...last,
        seq,
        msgId: `synthetic-${seq}`,
        body: { type: "text" as const, text: "arrived with the scroll" },
      };
      store.set({ ...store.value, messages: [...store.value.messages, arrived], lastSeq: seq });
    });
    await frames(page);
    await poll(() => pill.count()).toBe(1);
    expect((await logState(page)).fromBottom).toBeGreaterThan(100);
  });
});
