// Steps of the cards story (cards-story.test.ts): the example bot started in this process against
// the test stack, a shopper logged in on the storefront in a chosen language, reading a card's
// text and amounts from the chat frame, and axe-core on the cards inside the frame.

import { DEFAULT_TEST_ORIGIN, SHOP_ID, type TestStack } from "@parley/gateway/testing";
import { chatFrame, exposeLauncherRoot } from "@parley/widget/testing";
import type { Frame, Locator, Page } from "playwright-core";
import WebSocket from "ws";
import { type KitchenEvent, ShopBot } from "../../bot/bot.js";
import { type AxeViolation, axeViolations } from "./group-helpers.js";

const BOT = { login: "shop-bot", password: "the story bot's password" };

/** The example bot, running in this process, with every kitchen event it announced. */
export interface StoryBot {
  bot: ShopBot;
  kitchen: KitchenEvent[];
}

/** Adds the shop's bot account and starts the example bot on it (a team device must be online to wrap the team key). */
export async function startBot(stack: TestStack, statusStepMs: number): Promise<StoryBot> {
  await stack.gateway.admin.addAgent(SHOP_ID, { ...BOT, displayName: "Shop Bot", role: "agent", kind: "bot" });
  const bot = new ShopBot({
    gatewayUrl: stack.url,
    shopId: SHOP_ID,
    ...BOT,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    origin: DEFAULT_TEST_ORIGIN,
    statusStepMs,
  });
  const kitchen: KitchenEvent[] = [];
  bot.onKitchen((e) => kitchen.push(e));
  await bot.start();
  return { bot, kitchen };
}

/** Logs `name` in on the storefront with the widget in `lang` (the storefront's `?lang=` option). */
export async function logInAs(page: Page, storefront: string, name: string, lang: "en" | "de"): Promise<void> {
  const home = `${storefront}/?lang=${lang}`;
  await page.goto(home);
  await page.waitForSelector("#login:not([hidden])");
  await page.fill("#name", name);
  await Promise.all([page.waitForURL(home), page.click("#login button")]);
  await page.waitForSelector("#logout:not([hidden])");
}

/**
 * Logs `name` in on the storefront (`logInAs`), shows intent so the chat frame loads, waits for it to
 * connect and opens the chat; resolves with the page and the frame once the composer is there.
 */
export async function openChat(
  page: Page,
  storefront: string,
  name: string,
  lang: "en" | "de",
): Promise<{ page: Page; frame: Frame }> {
  await exposeLauncherRoot(page);
  await logInAs(page, storefront, name, lang);
  await page.hover("parley-launcher");
  const frame = await chatFrame(page);
  await frame.waitForSelector("#parley-root[data-state=connected]", { state: "attached" });
  await page.click("parley-launcher");
  await frame.locator("parley-composer textarea").waitFor();
  return { page, frame };
}

/** Whitespace folded to single spaces. */
export const flat = (t: string | null) => (t ?? "").replace(/\s+/g, " ").trim();

/** The text of every element matching `selector` in `frame`, folded. */
export const texts = async (frame: Frame | Page | Locator, selector: string) =>
  (await frame.locator(selector).allTextContents()).map(flat);

/** The card of `kind` as a locator (the one card of that kind in the conversation). */
export const card = (frame: Frame | Page | Locator, kind: string) =>
  frame.locator(`parley-card article[data-kind=${kind}]`);

/** Minor units of a formatted amount ("€25.93", "25,93 €"): its digits. */
export const cents = (formatted: string) => Number(formatted.replace(/\D/g, ""));

export { until } from "./group-helpers.js";

/**
 * axe-core on the frame as it is now; resolves the card kinds present and the serious or critical
 * violations on nodes inside a `<parley-card>` (shadow roots included; others are not this test's).
 */
export async function axeCards(frame: Frame): Promise<{ kinds: string[]; serious: AxeViolation[] }> {
  const violations = await axeViolations(frame);
  const serious = violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ ...v, targets: v.targets.filter((t) => t.includes("parley-card")) }))
    .filter((v) => v.targets.length > 0);
  const kinds = (await frame
    .locator("parley-card article[data-kind]")
    .evaluateAll((els) => els.map((e) => e.getAttribute("data-kind") ?? ""))) as string[];
  return { kinds: [...new Set(kinds)].sort(), serious };
}
