// Look and feel in real Chromium: German strings, a mirrored layout for a
// right-to-left locale (Arabic falls back to English strings), axe-core on
// the open chat in light and dark (0 serious or critical), and screenshots
// (light, dark, narrow) kept as test artifacts.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { ParleyClient } from "@parley/sdk";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath } from "../harness/browser.js";
import { type FixtureEnv, type OpenOptions, openChat, poll, startFixtureEnv } from "./fixture.js";

const axeSource = readFile(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown; failureSummary?: string }>;
}

async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: await axeSource });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown) => Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run(document)).violations;
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical");
}

describe("look and feel", () => {
  let env: FixtureEnv;
  let agent: ParleyClient;

  beforeAll(async () => {
    env = await startFixtureEnv();
    agent = env.stack.agent();
    await agent.connect();
  });
  afterAll(async () => {
    await agent?.close();
    await env?.close();
  });

  /** A chat with a short exchange: the customer, the agent's reply with a link, and the customer again. */
  async function conversation(o: OpenOptions): Promise<Page> {
    const page = await openChat(env, { shopName: "Test Shop", ...o });
    const input = page.locator("parley-composer textarea");
    await input.fill("Hi, where is my order #1042?");
    await input.press("Enter");
    const convId = await page
      .waitForFunction(() => window.__chat.current)
      .then((h) => h.jsonValue() as Promise<string>);
    await page.locator("parley-message [data-state=sent]").waitFor();
    await agent.send(convId, "It left the warehouse today. Track it at https://track.example.com/1042");
    await page.locator("parley-message", { hasText: "warehouse" }).waitFor();
    await input.fill("Thank you!");
    await input.press("Enter");
    await poll(() => page.locator("parley-message [data-state=sent]").count()).toBe(2);
    return page;
  }

  it("renders German strings for locale de", async () => {
    const page = await openChat(env, { locale: "de" });
    await poll(() => page.locator("parley-chat header h2").textContent()).toBe("Schreiben Sie uns");
    expect(await page.locator("parley-message-list .empty h2").textContent()).toBe("Fragen Sie uns alles");
    expect(await page.locator("parley-composer textarea").getAttribute("placeholder")).toBe("Nachricht schreiben…");
    expect(await page.locator("parley-chat header [part=close-button]").getAttribute("aria-label")).toBe(
      "Chat schließen",
    );
    expect(
      await page.locator("parley-chat header [part=panel-button]").evaluateAll((b) => b.map((x) => x.ariaLabel)),
    ).toEqual(["Einladungen", "Ihr Profil"]);
    expect(await page.locator("parley-chat").getAttribute("dir")).toBe("ltr");
    const input = page.locator("parley-composer textarea");
    await input.fill("Hallo");
    await input.press("Enter");
    await poll(() => page.locator("parley-message [data-state=sent]").textContent()).toBe("Gesendet");
  });

  it("mirrors the layout for a right-to-left locale and falls back to English strings", async () => {
    const page = await conversation({ locale: "ar" });
    expect(await page.locator("parley-chat").getAttribute("dir")).toBe("rtl");
    expect(await page.locator("parley-chat header h2").textContent()).toBe("Test Shop");
    expect(await page.locator("parley-composer textarea").getAttribute("placeholder")).toBe("Write a message…");
    const layout = await page.evaluate(() => {
      const list = window.__chat.shadowRoot?.querySelector("parley-message-list");
      const log = list?.shadowRoot?.querySelector(".log")?.getBoundingClientRect();
      const bubbles = [...(list?.shadowRoot?.querySelectorAll("parley-message") ?? [])].map((m) => {
        const bubble = m.shadowRoot?.querySelector(".bubble");
        const rect = bubble?.getBoundingClientRect();
        return {
          own: m.hasAttribute("own"),
          direction: bubble ? getComputedStyle(bubble).direction : "",
          left: (rect?.left ?? 0) - (log?.left ?? 0),
          right: (log?.right ?? 0) - (rect?.right ?? 0),
        };
      });
      return bubbles;
    });
    const own = layout.find((b) => b.own);
    const theirs = layout.find((b) => !b.own);
    expect(own?.direction).toBe("rtl");
    // Own messages sit at the inline end, which is the left in RTL; the agent's on the right.
    expect(own && own.left < own.right).toBe(true);
    expect(theirs && theirs.right < theirs.left).toBe(true);
    await page.screenshot({ path: artifactPath("components-rtl.png") });
  });

  for (const theme of ["light", "dark"] as const) {
    it(`has no serious or critical axe violations on the open chat (${theme}), screenshot kept`, async () => {
      const page = await conversation({ theme });
      await page.screenshot({ path: artifactPath(`components-${theme}.png`) });
      const violations = await seriousViolations(page);
      expect(
        violations.map((v) => `${v.id} (${v.impact}): ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`),
      ).toEqual([]);
    });
  }

  it("fills a narrow viewport (375x700)", async () => {
    const page = await env.browser.newPage();
    await page.setViewportSize({ width: 375, height: 700 });
    await conversation({ page });
    const box = await page.locator("parley-chat").boundingBox();
    expect(box).toEqual({ x: 0, y: 0, width: 375, height: 700 });
    await page.screenshot({ path: artifactPath("components-narrow.png") });
    expect(await seriousViolations(page)).toEqual([]);
  });

  it("agent mode: a keyboard-operable conversation list with unread counts beside the messages", async () => {
    const customer = env.stack.customer("listed-customer");
    await customer.connect();
    const conv = await customer.openConversation();
    await customer.send(conv.id, "first question");
    await customer.send(conv.id, "second question");
    const page = await openChat(env, { agent: true, mode: "agent" });
    // Each conversation is named by its customer's display name.
    const option = page.locator("parley-conversation-list [role=option]", { hasText: "listed-customer" });
    await poll(() => option.locator("[part=unread-badge]").textContent()).toBe("2");
    expect(await option.locator(".sr-only").textContent()).toBe("2 unread messages");
    expect(await page.locator("parley-chat .state").textContent()).toBe("Pick a conversation");
    const options = page.locator("parley-conversation-list [role=option]");
    const index = (await options.allTextContents()).findIndex((t) => t.includes("listed-customer"));
    await options.first().focus();
    for (let i = 0; i < index; i++) await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await poll(() => option.getAttribute("aria-selected")).toBe("true");
    await poll(() => page.locator("parley-message .text").allTextContents()).toEqual([
      "first question",
      "second question",
    ]);
    // Reading them clears the count.
    await poll(() => option.locator("[part=unread-badge]").count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await customer.close();
  });

  it("keyboard: Tab reaches the panel buttons, the close button, the log, attach, input and send; close fires parley-close", async () => {
    const page = await openChat(env);
    const order: string[] = [];
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press("Tab");
      order.push(
        await page.evaluate(() => {
          let el: Element | null = document.activeElement;
          while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
          return el?.getAttribute("part") ?? el?.getAttribute("aria-label") ?? el?.tagName ?? "";
        }),
      );
    }
    expect(order.slice(0, 7)).toEqual([
      "panel-button",
      "panel-button",
      "close-button",
      "messages empty",
      "attach-button",
      "input",
      "send-button",
    ]);
    for (let i = 0; i < 5; i++) await page.keyboard.press("Shift+Tab");
    await page.keyboard.press("Enter");
    await poll(() => page.evaluate(() => window.__closed)).toBe(1);
    expect(env.browser.errors).toEqual([]);
  });
});
