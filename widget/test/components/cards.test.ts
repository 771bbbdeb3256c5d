// The card renderers in real Chromium, from fixture states (card-states.ts; the page's stand-in
// client is explained in fixtures/components/cards-fixture.ts): every kind in English and German
// with exact amounts, the timeline notes, keyboard operation of the cart editor and the split
// dialog, refusals in words, axe-core in light and dark, and screenshots at 360 px and dark.
import { describe, expect, it } from "vitest";
import { artifactPath } from "../harness/browser.js";
import { MIA, NOAH } from "./card-states.js";
import { cardsPage, overflowing } from "./cards-page.js";
import { poll, seriousViolations } from "./fixture.js";

const { mount, card, text } = cardsPage();

describe("card renderers", () => {
  it("renders every kind in English with exact amounts, the current step and the shop mark", async () => {
    const page = await mount();
    const o = await text(page, "card-order");
    expect(o).toContain("Order PX-1001");
    expect(o).toContain("From the shop");
    expect(o).toContain("1 × Margherita");
    expect(o).toContain("€12.34 each");
    expect(o).toContain("Total €22.33");
    expect(await card(page, "card-order").locator("[aria-current=step]").innerText()).toBe("Out for delivery");
    expect(await card(page, "card-order").locator("a", { hasText: "Track the delivery" }).getAttribute("href")).toBe(
      "https://track.example.com/PX-1001",
    );
    const m = await text(page, "card-menu");
    expect(m).toContain("Funghi");
    expect(m).toContain("+ Extra basil (€0.50)");
    const c = await text(page, "card-cart");
    expect(c).toContain("Posted by you");
    expect(c).toContain("From Pizzeria Da Parley · started by you");
    expect(c).toContain("Your subtotal €19.00");
    expect(c).toContain("Subtotal Noah €3.50");
    expect(c).toContain("Total €22.50");
    expect(c).toContain("Open: everyone can add items");
    const s = await text(page, "card-split");
    expect(s).toContain("Split equally · Paid to Noah");
    expect(s).toMatch(/You Open €11\.17/);
    expect(s).toMatch(/Noah Confirmed €11\.16/);
    expect(s).toContain("Still open €11.17");
    expect(await text(page, "card-poll")).toContain("A “poll” card this version cannot show");
    // Notes: applied events only; the ignored status change leaves no line.
    expect(await page.locator("parley-card-note p").allInnerTexts()).toEqual([
      "Order PX-1001: Out for delivery",
      "You locked the group order",
    ]);
    await page.close();
  });

  it("renders in German with German amounts", async () => {
    const page = await mount({ locale: "de", me: NOAH });
    const o = await text(page, "card-order");
    expect(o).toContain("Bestellung PX-1001");
    expect(o).toContain("Vom Shop");
    expect(o).toContain("je 12,34\u00a0€");
    expect(o).toContain("Gesamt 22,33\u00a0€");
    expect(await card(page, "card-order").locator("[aria-current=step]").innerText()).toBe("Unterwegs");
    expect(await text(page, "card-cart")).toContain("Nur Mia kann diese Bestellung sperren und absenden.");
    expect(await text(page, "card-split")).toContain("Noch offen 11,17\u00a0€");
    expect(await text(page, "card-cart")).toContain("Ihre Zwischensumme 3,50\u00a0€");
    expect(await text(page, "card-split")).toContain("Zu gleichen Teilen · Geht an Sie");
    expect(await page.locator("parley-card-note p").allInnerTexts()).toEqual([
      "Bestellung PX-1001: Unterwegs",
      "Mia hat die Gruppenbestellung gesperrt",
    ]);
    expect(await text(page, "card-poll")).toContain("Eine „poll“-Karte, die diese Version nicht anzeigen kann");
    await page.screenshot({ path: artifactPath("cards-de.png"), fullPage: true });
    expect(await page.locator("parley-card-note p").first().innerText()).toBe("Bestellung PX-1001: Unterwegs");
    await page.close();
  });

  it("adds to the cart and changes the own line by keyboard alone", async () => {
    const page = await mount();
    const c = card(page, "card-cart");
    await c.locator("select[name=item]").focus();
    await page.keyboard.press("ArrowDown"); // Funghi
    await page.keyboard.press("ArrowUp"); // Margherita again, which has options
    await c.locator("input[name=option]").first().waitFor();
    await page.keyboard.press("Tab");
    await page.keyboard.press("Space"); // Extra basil
    await page.keyboard.press("Tab"); // Chili
    await page.keyboard.press("Tab"); // "One less" is disabled at 1: the input comes next
    await page.keyboard.press("Tab"); // "One more"
    await page.keyboard.press("Enter");
    await poll(() => c.locator("input[name=quantity]").inputValue()).toBe("2");
    await c.locator("input[name=note]").focus();
    await page.keyboard.type("well done");
    await page.keyboard.press("Enter");
    await poll(() => page.evaluate(() => window.__calls.length)).toBe(1);
    expect(await page.evaluate(() => window.__calls[0])).toEqual({
      what: "addToCart",
      convId: "conv-1",
      arg: ["card-cart", { item: "marg", quantity: 2, options: ["basil"], note: "well done" }],
    });
    // Only the own line has a stepper; Noah's has none.
    expect(await c.locator('[data-line="l2"] button').count()).toBe(0);
    await c.locator('[data-line="l1"] button', { hasText: "+" }).focus();
    await page.keyboard.press("Enter");
    await c.locator('[data-line="l1"] [data-action=remove]').focus();
    await page.keyboard.press("Space");
    await poll(() => page.evaluate(() => window.__calls.slice(1).map((c) => c.arg))).toEqual([
      { v: 1, card: "card-cart", op: "set", line: "l1", quantity: 3 },
      { v: 1, card: "card-cart", op: "remove", line: "l1" },
    ]);
    await page.close();
  });

  it("keeps the keyboard focus on the button pressed while its action was on its way", async () => {
    const page = await mount();
    /** The local name and action of the element holding the focus, through the shadow roots. */
    const focused = () =>
      page.evaluate(() => {
        let el: Element | null = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return `${el?.localName}:${el?.getAttribute("data-action") ?? ""}`;
      });
    await page.evaluate(() => {
      window.__hold = new Promise((resolve) => {
        (window as unknown as { __release: () => void }).__release = resolve;
      });
    });
    const start = card(page, "card-menu").locator("[data-action=start]");
    await start.focus();
    await page.keyboard.press("Enter");
    // Disabled while the post is on its way: the browser takes the focus away from it.
    await poll(() => start.isDisabled()).toBe(true);
    await page.evaluate(() => (window as unknown as { __release: () => void }).__release());
    await poll(() => start.isDisabled()).toBe(false);
    await poll(focused).toBe("button:start");
    // Enter again goes on from there (a second group order), with no Tab from the top of the page.
    await page.keyboard.press("Enter");
    await poll(() => page.evaluate(() => window.__calls.filter((c) => c.what === "post").length)).toBe(2);
    await page.close();
  });

  it("shows a refusal in words and changes nothing else", async () => {
    const page = await mount();
    await page.evaluate(() => {
      window.__refuse = "card_rejected";
    });
    const c = card(page, "card-cart");
    await c.locator("[data-action=lock]").click();
    await expect(c.locator("[role=alert]").innerText()).resolves.toBe(
      "That is not possible now: the card changed, or it is not yours to do.",
    );
    expect(await text(page, "card-cart")).toContain("Open: everyone can add items");
    await page.close();
  });

  it("starts a split from the order in a keyboard-operable dialog that keeps and returns focus", async () => {
    const page = await mount();
    const o = card(page, "card-order");
    const opener = o.locator("[data-action=split]");
    await opener.focus();
    await page.keyboard.press("Enter");
    await o.locator("dialog[open]").waitFor();
    const inDialog = () => o.evaluate((el) => !!el.shadowRoot?.activeElement?.closest("dialog"));
    for (let i = 0; i < 14; i++) {
      await page.keyboard.press("Tab");
      expect([i, await inDialog()]).toEqual([i, true]);
    }
    await page.keyboard.press("Escape");
    await poll(() => o.locator("dialog").count()).toBe(0);
    expect(await o.evaluate((el) => el.shadowRoot?.activeElement?.getAttribute("data-action"))).toBe("split");
    // Again: custom amounts that do not add up are refused in words; then they do and it posts.
    await page.keyboard.press("Enter");
    await o.locator("dialog[open] input[value=custom]").check();
    await o.locator("input[aria-label='Amount for You']").fill("12,00");
    await o.locator("input[aria-label='Amount for Noah']").fill("10");
    await o.locator("input[aria-label='Amount for Pizza Bot']").fill("0");
    await o.locator("[data-action=post-split]").press("Enter");
    await expect(o.locator("dialog [role=alert]").innerText()).resolves.toBe(
      "The amounts add up to €22.00, not €22.33.",
    );
    await o.locator("input[aria-label='Amount for Noah']").fill("10.33");
    await o.locator("[data-action=post-split]").press("Enter");
    await poll(() => page.evaluate(() => window.__calls.map((c) => c.what))).toEqual(["post"]);
    expect(await page.evaluate(() => window.__calls[0]?.arg)).toEqual({
      kind: "split",
      v: 1,
      currency: "EUR",
      total: 2233,
      order: "card-order",
      method: "custom",
      people: [MIA, NOAH, "p-bot"],
      payee: "shop",
      amounts: [1200, 1033, 0],
    });
    await poll(() => o.locator("dialog").count()).toBe(0);
    await page.close();
  });

  for (const theme of ["light", "dark"] as const) {
    it(`has no serious or critical axe violations on any card (${theme}); screenshot kept`, async () => {
      const page = await mount({ theme });
      await page.screenshot({ path: artifactPath(`cards-${theme}.png`), fullPage: true });
      expect(await seriousViolations(page)).toEqual([]);
      await page.close();
    });
  }

  it("fits 360 px without overflow; screenshot kept", async () => {
    const page = await mount({ width: 360 });
    await page.screenshot({ path: artifactPath("cards-360.png"), fullPage: true });
    expect(await overflowing(page)).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await page.close();
  });
});
