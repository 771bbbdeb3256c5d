// Issue 14's story, as people see it: Mia (English) and Noah (German) on the example storefront, each in
// their own Chromium with the chat widget embedded as a shopper gets it, the example shop bot running in
// this process (its status steps shortened), and Ada, the shop's agent, on the merchant dashboard; the
// real gateway on a real port, nats-server, the embedded store, end-to-end encryption.
//
//  1. Mia invites @noah from the composer; Noah accepts from his invites panel.
//  2. Mia asks for the menu; the bot's menu card reaches both, marked "from the shop". Mia starts a group
//     order; Mia (keyboard only) and Noah add their dishes at the same time; both see both lines, each
//     person's subtotal and the total.
//  3. Mia locks and submits; the bot confirms with one order card (the cart reads "Ordered") whose status
//     steps to delivered in place, a short timeline line per step.
//  4. Mia splits the bill "by who ordered what", paid to her; both see shares that add up to the total;
//     Noah marks his share paid (cash), Mia confirms it; the split shows what is still open (Mia's own).
//  5. Ada opens the conversation on the dashboard: menu, ordered cart, order with its status, split.
// axe-core on every card kind in both frames (0 serious or critical). Screenshots:
// widget/test-artifacts/cards-story-*.png.

// @ts-expect-error: the example is plain JavaScript (no declarations)
import { shopperId } from "@parley/examples/shop-backend";
import { AGENT_LOGIN, AGENT_PASSWORD, SHOP_ID, type TestStack } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import { artifactPath, type BrowserSession, launchChromium } from "@parley/widget/testing";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { axeCards, card, cents, flat, openChat, type StoryBot, startBot, texts, until } from "./cards-helpers.js";
import { type DashboardShop, startDashboardShop } from "./fixtures.js";
import { signIn } from "./group-helpers.js";

/** The bot's time between two status steps (confirmed, preparing, out for delivery, delivered). */
const STEP_MS = 400;
/** Mia: Margherita with extra cheese (8,90 + 1,50); Noah: Caesar salad with chicken (8,50 + 3,00), in cents. */
const MIA_LINE = 1040;
const NOAH_LINE = 1150;
/** 7 % VAT on 21,90 rounded half up (153), and 2,50 delivery: the bot's kitchen. */
const TOTAL = MIA_LINE + NOAH_LINE + 153 + 250;

interface Shopper {
  page: Page;
  frame: Frame;
}

const shot = (page: Page, name: string) => page.screenshot({ path: artifactPath(`cards-story-${name}.png`) });
/** Scrolls the card of `kind` into the chat's view, then takes the screenshot. */
async function shotAt({ page, frame }: Shopper, kind: string, name: string): Promise<void> {
  await card(frame, kind).evaluate((el) => el.scrollIntoView({ block: "start" }));
  await shot(page, name);
}
const notes = (frame: Frame) => texts(frame, "parley-card-note p");

describe("the cards story: a group lunch order with the shop bot, split and paid; the agent watches", () => {
  let shop: DashboardShop;
  let stack: TestStack;
  let backend: DashboardShop["backend"];
  let dashboard: DashboardShop["dashboard"];
  let shopBot: StoryBot;
  const browsers: BrowserSession[] = [];
  const devices: ParleyClient[] = [];
  let ada: Page;
  let mia: Shopper;
  let noah: Shopper;
  let order = "";

  /** Logs `name` in on the storefront (widget in `lang`) in a browser of that locale and opens the chat. */
  async function shopper(name: string, lang: "en" | "de"): Promise<Shopper> {
    const browser = await launchChromium({
      viewport: { width: 1000, height: 900 },
      ...(lang === "de" ? { locale: "de-DE" } : {}),
    });
    browsers.push(browser);
    const page = await browser.newPage();
    return await openChat(page, backend.url, name, lang);
  }

  async function say({ frame }: Shopper, line: string): Promise<void> {
    const input = frame.locator("parley-composer textarea");
    await input.fill(line);
    await input.press("Enter");
  }

  beforeAll(async () => {
    shop = await startDashboardShop({ extraOrigins: ["https://shop.test"] });
    ({ stack, backend, dashboard } = shop);
    // Noah's handle, set on another device of his (the profile panel has its own tests).
    const noahDevice = stack.client({
      auth: { kind: "customer", shopId: SHOP_ID, getToken: () => stack.customerToken(shopperId("Noah"), "Noah") },
      encryption: true,
    });
    devices.push(noahDevice);
    await noahDevice.connect();
    await noahDevice.updateProfile({ handle: "noah" });
    // Ada signs in first: her dashboard device makes the team key, and wraps it to the bot's device.
    const dash = await launchChromium({ viewport: { width: 1400, height: 1000 } });
    browsers.push(dash);
    ada = await signIn(dash, dashboard.url, AGENT_LOGIN, AGENT_PASSWORD);
    shopBot = await startBot(stack, STEP_MS);
  });
  afterAll(async () => {
    await shopBot?.bot.stop().catch(() => undefined);
    for (const d of devices) await d.close().catch(() => undefined);
    for (const b of browsers) await b.close();
    await shop?.[Symbol.asyncDispose]();
  });

  it("1. Mia invites @noah from the composer; Noah accepts from his invites panel", async () => {
    [mia, noah] = await Promise.all([shopper("Mia", "en"), shopper("Noah", "de")]);
    await say(mia, "@noah shall we order lunch together?");
    await mia.frame.locator("parley-invite-dialog dialog").waitFor();
    await until(
      () => texts(mia.frame, "parley-invite-dialog h2"),
      (h) => h[0] === "Invite @noah?",
      "the invite dialog",
    );
    await mia.frame.locator("parley-invite-dialog button.primary").click();
    await until(
      () => texts(mia.frame, "parley-message-list [data-notice]"),
      (n) => n.includes("You invited @noah"),
      "Mia's invite line",
    );
    await noah.frame.locator("parley-chat button[data-panel=invites]").click();
    const invite = noah.frame.locator("parley-invites-panel li[data-invite]");
    await invite.getByText("Mia hat Sie eingeladen").waitFor();
    await invite.locator("button[data-action=accept]").click();
    await noah.frame.locator("parley-invites-panel").waitFor({ state: "detached" });
    await until(
      () => texts(mia.frame, "parley-message-list [data-notice]"),
      (n) => n.includes("Noah joined (invited by you)"),
      "Mia's joined line",
    );
  });

  it("2. the bot's menu reaches both; Mia starts a group order; both add their dishes at the same time", async () => {
    await say(mia, "Can we see the menu?");
    for (const { frame } of [mia, noah]) await card(frame, "menu").waitFor({ timeout: 20_000 });
    expect(flat(await card(mia.frame, "menu").locator("header").innerText())).toBe("Acme Café lunch From the shop");
    expect(flat(await card(noah.frame, "menu").locator("header").innerText())).toBe("Acme Café lunch Vom Shop");
    expect(await card(mia.frame, "menu").locator("[data-mark=shop]").count()).toBe(1);
    expect(await card(noah.frame, "menu").locator("li").count()).toBe(
      await card(mia.frame, "menu").locator("li").count(),
    );
    await shotAt(mia, "menu", "1-mia-menu");
    await shotAt(noah, "menu", "1-noah-menu-de");

    await card(mia.frame, "menu").locator("[data-action=start]").click();
    for (const { frame } of [mia, noah]) await card(frame, "cart").locator("form.picker").waitFor({ timeout: 20_000 });

    // Both at once. Mia with the keyboard only: the first dish (Margherita) is chosen, Space ticks
    // "Extra cheese", she types a note and Enter adds. Noah picks a Caesar salad with chicken.
    const miaAdds = async () => {
      const form = card(mia.frame, "cart").locator("form.picker");
      await form.locator("select[name=item]").focus();
      await mia.page.keyboard.press("Tab");
      await mia.page.keyboard.press("Space");
      await form.locator("input[name=note]").focus();
      await mia.page.keyboard.type("well done, please");
      await mia.page.keyboard.press("Enter");
    };
    const noahAdds = async () => {
      const form = card(noah.frame, "cart").locator("form.picker");
      await form.locator("select[name=item]").selectOption("caesar");
      await form.getByLabel(/Grilled chicken/).check();
      await form.locator("[data-action=add]").click();
    };
    await Promise.all([miaAdds(), noahAdds()]);
    const expected = {
      mia: ["1 × Margherita", "Extra cheese", "well done, please", "Your subtotal €10.40"],
      noah: ["1 × Caesar salad", "Grilled chicken", "Zwischensumme Mia 10,40 €", "Ihre Zwischensumme 11,50 €"],
    };
    const miaCart = await until(
      async () => flat(await card(mia.frame, "cart").innerText()),
      (t) => t.includes("Subtotal Noah €11.50") && t.includes("Total €21.90"),
      "both lines in Mia's cart",
    );
    for (const part of expected.mia) expect(miaCart).toContain(part);
    const noahCart = await until(
      async () => flat(await card(noah.frame, "cart").innerText()),
      (t) => t.includes("Zwischensumme Mia 10,40 €") && t.includes("Gesamt 21,90 €"),
      "both lines in Noah's cart",
    );
    for (const part of expected.noah) expect(noahCart).toContain(part);
    for (const { frame } of [mia, noah]) {
      expect(await card(frame, "cart").locator("section.person").count()).toBe(2);
      expect(await card(frame, "cart").locator("li[data-line]").count()).toBe(2);
    }
    // The cart is a card, not a text: no line or bubble for the edits.
    expect(await notes(mia.frame)).toEqual([]);
    await shotAt(mia, "cart", "2-mia-cart");
    await shotAt(noah, "cart", "2-noah-cart-de");
    for (const who of [mia, noah]) {
      const { kinds, serious } = await axeCards(who.frame);
      expect(kinds).toEqual(["cart", "menu"]);
      expect(serious).toEqual([]);
    }
  });

  it("3. Mia locks and submits; the bot confirms with one order card whose status steps in place", async () => {
    const cart = card(mia.frame, "cart");
    await cart.locator("[data-action=lock]").click();
    await cart.locator("[data-action=submit]:not([disabled])").click();
    await card(mia.frame, "order").waitFor({ timeout: 20_000 });
    const placed = shopBot.kitchen.find((e) => e.action === "order-placed");
    expect(placed).toMatchObject({ number: "PZ-2001" });
    order = placed?.action === "order-placed" ? placed.order : "";
    // The status steps to delivered, one short line each, on the same card.
    const steps = ["Preparing", "Out for delivery", "Delivered"].map((s) => `Order PZ-2001: ${s}`);
    await until(
      () => notes(mia.frame),
      (n) => steps.every((s) => n.includes(s)),
      "Mia's status lines",
    );
    const deSteps = ["In Zubereitung", "Unterwegs", "Geliefert"].map((s) => `Bestellung PZ-2001: ${s}`);
    await until(
      () => notes(noah.frame),
      (n) => deSteps.every((s) => n.includes(s)),
      "Noah's status lines",
    );
    for (const [{ frame }, current, ordered] of [
      [mia, "Delivered", "Ordered"],
      [noah, "Geliefert", "Bestellt"],
    ] as const) {
      expect(await card(frame, "order").count()).toBe(1);
      expect(await card(frame, "order").locator("[aria-current=step]").innerText()).toBe(current);
      // Posted as confirmed, stepped to delivered: every step before is done (placed too, though never sent).
      expect(await card(frame, "order").locator("ol.steps li.done").count()).toBe(4);
      expect(await card(frame, "cart").locator(".status").innerText()).toBe(ordered);
      expect(await card(frame, "cart").locator("form.picker").count()).toBe(0);
    }
    expect(flat(await card(mia.frame, "order").locator(".total").innerText())).toBe("Total €25.93");
    expect(flat(await card(noah.frame, "order").locator(".total").innerText())).toBe("Gesamt 25,93 €");
    expect(cents("€25.93")).toBe(TOTAL);
    await shotAt(mia, "order", "3-mia-order");
    await shotAt(noah, "order", "3-noah-order-de");
  });

  it("4. split by who ordered what, paid to Mia; Noah pays cash, Mia confirms; the split shows what is open", async () => {
    await card(mia.frame, "order").locator("[data-action=split]").click();
    const dialog = mia.frame.locator("parley-card dialog[open]");
    await dialog.waitFor();
    // A team's order offers the shop or the person splitting as payee: Mia is paid, so she confirms Noah's cash.
    expect(await texts(mia.frame, "parley-card dialog fieldset:last-of-type label")).toEqual(["The shop", "Me"]);
    await dialog.locator("input[name=method][value=items]").check();
    await dialog.locator("input[name=payee][value=me]").check();
    await dialog.locator("[data-action=post-split]").click();
    await dialog.waitFor({ state: "detached" });
    for (const { frame } of [mia, noah]) await card(frame, "split").waitFor({ timeout: 20_000 });
    expect(flat(await card(mia.frame, "split").locator("p.sub").first().innerText())).toBe(
      "By who ordered what · Paid to you",
    );
    expect(flat(await card(noah.frame, "split").locator("p.sub").first().innerText())).toBe(
      "Nach Bestellung · Geht an Mia",
    );
    // The shares add up to the order's total, split in proportion to each one's dishes (25,93 x 10,40 / 21,90
    // and x 11,50 / 21,90: 12,3141 and 13,6159; the cent left over goes to the larger remainder, Noah's).
    const shareOf = async (frame: Frame, who: string) =>
      cents(
        await card(frame, "split").locator("li[data-person]").filter({ hasText: who }).locator(".amount").innerText(),
      );
    const [miaShare, noahShare] = [await shareOf(mia.frame, "You"), await shareOf(mia.frame, "Noah")];
    expect([miaShare, noahShare]).toEqual([1231, 1362]);
    expect(miaShare + noahShare).toBe(TOTAL);
    expect([await shareOf(noah.frame, "Mia"), await shareOf(noah.frame, "Sie")]).toEqual([miaShare, noahShare]);

    const noahRow = (frame: Frame) => card(frame, "split").locator("li[data-person]").filter({ hasText: "Noah" });
    const ownRow = card(noah.frame, "split").locator("li[data-person]").filter({ hasText: "Sie" });
    await ownRow.locator("[data-action=paid-cash]").click();
    await until(
      () => noahRow(mia.frame).getAttribute("data-share"),
      (s) => s === "paid",
      "Noah's share marked paid, for Mia",
    );
    await noahRow(mia.frame).locator("[data-action=received]").click();
    await until(
      () => ownRow.getAttribute("data-share"),
      (s) => s === "confirmed",
      "Noah's share confirmed, for Noah",
    );
    expect(await ownRow.locator(".sub").innerText()).toBe("Bestätigt");
    expect(await noahRow(mia.frame).locator(".sub").innerText()).toBe("Confirmed");
    // Mia's own share is what is still open.
    expect(flat(await card(mia.frame, "split").locator(".open").innerText())).toBe(
      `Still open €${(miaShare / 100).toFixed(2)}`,
    );
    await until(
      async () => flat(await card(noah.frame, "split").locator(".open").innerText()),
      (t) => t === `Noch offen ${(miaShare / 100).toFixed(2).replace(".", ",")} €`,
      "Noah's open line",
    );
    await until(
      () => notes(mia.frame),
      (n) => n.includes("Noah marked their share as paid") && n.includes("You confirmed the payment of Noah"),
      "Mia's payment lines",
    );
    await until(
      () => notes(noah.frame),
      (n) => n.includes("Sie haben Ihren Anteil als bezahlt markiert") && n.includes("Mia hat Ihre Zahlung bestätigt"),
      "Noah's payment lines",
    );
    // Mia is paid, so her own share is not paid to anyone: one button settles it, no "I paid".
    const miaRow = card(mia.frame, "split").locator("li[data-person]").filter({ hasText: "You" });
    expect(await texts(mia.frame, "parley-card article[data-kind=split] li[data-share=open] button")).toEqual([
      "Settle my share",
    ]);
    expect(await miaRow.getAttribute("data-share")).toBe("open");
    await shotAt(mia, "split", "4-mia-split");
    await shotAt(noah, "split", "4-noah-split-de");
    for (const who of [mia, noah]) {
      const { kinds, serious } = await axeCards(who.frame);
      expect(kinds).toEqual(["cart", "menu", "order", "split"]);
      expect(serious).toEqual([]);
    }
  });

  it("5. Ada on the dashboard sees the menu, the ordered cart, the order's status and the split", async () => {
    await ada.bringToFront();
    // The inbox previews the last message with words, not "No messages yet" under the cards.
    const row = ada.locator("dashboard-inbox li[data-conv-id]").first();
    expect(await row.locator(".preview").innerText()).toMatch(/^Here's our lunch menu/);
    await row.click();
    const conv = ada.locator("dashboard-conversation");
    await card(conv, "split").waitFor({ timeout: 20_000 });
    expect(flat(await card(conv, "menu").locator("header").innerText())).toBe("Acme Café lunch From the shop");
    expect(await card(conv, "cart").locator(".status").innerText()).toBe("Ordered");
    expect(await card(conv, "order").count()).toBe(1);
    expect(await card(conv, "order").locator("[aria-current=step]").innerText()).toBe("Delivered");
    const share = (who: string) => card(conv, "split").locator("li[data-person]").filter({ hasText: who });
    expect([await share("Mia").getAttribute("data-share"), await share("Noah").getAttribute("data-share")]).toEqual([
      "open",
      "confirmed",
    ]);
    expect(flat(await card(conv, "split").locator(".open").innerText())).toBe("Still open €12.31");
    // The team device reads the cards without acting as a member: no picker, no "Split the bill".
    expect(await card(conv, "order").locator("[data-action=split]").count()).toBe(0);
    await card(conv, "cart").evaluate((el) => el.scrollIntoView({ block: "start" }));
    await shot(ada, "5a-ada-dashboard-cart");
    await card(conv, "order").evaluate((el) => el.scrollIntoView({ block: "start" }));
    await shot(ada, "5b-ada-dashboard-order-split");
    expect(order).not.toBe("");
  });
});
