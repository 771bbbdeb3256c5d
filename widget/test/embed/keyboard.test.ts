// The chat by keyboard on the example storefront, in real Chromium against a real gateway: what a
// release pass driving the demo by keyboard found. Escape in the attach menu, the location dialog or
// the listening picker closes that, not the whole chat; Tab stays inside those dialogs (the storefront
// behind the frame is not inert, so a native modal dialog alone would let Tab walk out to it); and
// opening the location dialog logs no console error (Chromium refuses `autofocus` in a cross-origin frame);
// opening the chat from the launcher's button by keyboard moves the focus into the chat.
import { SHOP_ID, SHOP_SECRET, waitFor } from "@parley/gateway/testing";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath, type BrowserSession, launchChromium } from "../harness/browser.js";
import { chatFrame, type Embed, exposeLauncherRoot, launcherState, startEmbed } from "./fixtures.js";

/** The local names of the elements holding the focus inside the frame, outermost first (through shadow roots). */
function focusPath(frame: Frame): Promise<string[]> {
  return frame.evaluate(() => {
    const path: string[] = [];
    let el: Element | null = document.activeElement;
    while (el) {
      path.push(el.localName);
      el = el.shadowRoot?.activeElement ?? null;
    }
    return path;
  });
}

describe("the chat by keyboard: opening it, Escape and Tab in its menus and dialogs", () => {
  let embed: Embed;
  let browser: BrowserSession;
  let page: Page;
  let frame: Frame;

  beforeAll(async () => {
    embed = await startEmbed();
    browser = await launchChromium();
    await embed.stack.gateway.admin.putShop(SHOP_ID, {
      name: "Test Shop",
      tokenKey: { alg: "HS256", secret: SHOP_SECRET },
      allowedOrigins: ["https://shop.test", embed.storefront],
      allowGuests: true,
      media: {
        origins: [embed.storefront],
        catalog: [
          { id: "intro", title: "Intro", artist: "Test band", url: `${embed.storefront}/a.wav`, durationMs: 2000 },
        ],
      },
    });
    page = await browser.newPage();
    await exposeLauncherRoot(page);
    await page.goto(`${embed.storefront}/`);
    await page.click("parley-launcher");
    frame = await chatFrame(page);
    await frame.getByRole("textbox").first().waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await embed?.[Symbol.asyncDispose]();
  });

  const chatOpen = async () => (await launcherState(page)).label === "Close chat";
  /** Opens the attach menu from its button and moves to the item `steps` below the first. */
  const attachMenu = async (steps: number) => {
    await frame.getByRole("button", { name: "Attach" }).focus();
    await page.keyboard.press("Enter");
    await frame.getByRole("menuitem").first().waitFor();
    for (let i = 0; i < steps; i++) await page.keyboard.press("ArrowDown");
  };
  /** Presses Tab (or Shift+Tab) `n` times; returns the focus path after each. */
  const tabs = async (n: number, key = "Tab") => {
    const paths: string[][] = [];
    for (let i = 0; i < n; i++) {
      await page.keyboard.press(key);
      paths.push(await focusPath(frame));
    }
    return paths;
  };

  it("Escape in the attach menu closes the menu and leaves the chat open", async () => {
    await attachMenu(0);
    await page.keyboard.press("Escape");
    await waitFor(async () => (await frame.getByRole("menuitem").count()) === 0, "the menu to close");
    expect((await focusPath(frame)).at(-1)).toBe("button");
    expect(await chatOpen()).toBe(true);
  });

  it("the location dialog: focus on its first action without a console error, Tab stays inside, Escape closes only it", async () => {
    const before = browser.errors.length;
    await attachMenu(1);
    await page.keyboard.press("Enter");
    const dialog = frame.locator("parley-location-share dialog[open]");
    await dialog.waitFor();
    await waitFor(async () => (await focusPath(frame)).includes("parley-location-share"), "focus in the dialog");
    await page.screenshot({ path: artifactPath("keyboard-location-dialog.png") });
    // Its controls: the first action, the checked duration, "Start live", Cancel; twice round both ways.
    for (const path of [...(await tabs(8)), ...(await tabs(8, "Shift+Tab"))])
      expect(path).toContain("parley-location-share");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await chatOpen()).toBe(true);
    expect(browser.errors.slice(before)).toEqual([]);
  });

  it("the listening picker: Tab stays inside, Escape closes only it; Escape in the chat then closes the chat", async () => {
    await attachMenu(2);
    await page.keyboard.press("Enter");
    const dialog = frame.locator("parley-listen-picker dialog[open]");
    await dialog.waitFor();
    await waitFor(async () => (await focusPath(frame)).includes("parley-listen-picker"), "focus in the picker");
    for (const path of [...(await tabs(10)), ...(await tabs(10, "Shift+Tab"))])
      expect(path).toContain("parley-listen-picker");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await chatOpen()).toBe(true);

    await frame.getByRole("textbox").first().focus();
    await page.keyboard.press("Escape");
    await waitFor(async () => !(await chatOpen()), "the chat to close");
  });

  it("opened from the launcher's button by keyboard, the chat takes the focus: wide, and at 360 px where the button hides", async () => {
    for (const width of [1280, 360]) {
      const p = await browser.newPage();
      await p.setViewportSize({ width, height: 740 });
      await exposeLauncherRoot(p);
      await p.goto(`${embed.storefront}/`);
      // Focusing the button is the intent that loads the frame; Enter opens it.
      await p.evaluate(() =>
        (window as unknown as { __launcherRoot: ShadowRoot }).__launcherRoot.querySelector("button")?.focus(),
      );
      const f = await chatFrame(p);
      await p.keyboard.press("Enter");
      await waitFor(async () => (await launcherState(p)).label === "Close chat", "the chat to open");
      await f.getByRole("button", { name: "Close chat" }).waitFor();
      // The next Tab lands on the chat's first control, not on the storefront behind it.
      await p.keyboard.press("Tab");
      const path = await focusPath(f);
      expect(path[0]).toBe("parley-chat");
      expect(path.at(-1)).toBe("button");
      await p.screenshot({ path: artifactPath(`keyboard-open-${width}.png`) });
      await p.close();
    }
  });
});
