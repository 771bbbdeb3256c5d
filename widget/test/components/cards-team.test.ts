// The shop team's card controls in real Chromium, from fixture states (card-states.ts; the page's
// stand-in client is explained in fixtures/components/cards-fixture.ts), for a team viewer (an agent
// in the dashboard): the later statuses and the tracking link on an order, "Received from …" and
// payment links on a split paid to the shop; none of them for a customer or on a closed order; the
// events sent exactly; links that are not https: refused in words; refusals and offline in the card;
// keyboard only; German; 360 px; axe-core in light and dark. Screenshots: cards-team-*.png.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { artifactPath } from "../harness/browser.js";
import { ADA, MIA, order } from "./card-states.js";
import { cardsPage, type MountOptions, overflowing } from "./cards-page.js";
import { poll, seriousViolations } from "./fixture.js";

const { mount, card } = cardsPage();
const asTeam = (o: MountOptions = {}) => mount({ me: ADA, kind: "agent", ...o });
const acts = (page: Page) => page.evaluate(() => window.__calls.map((c) => (c.what === "act" ? c.arg : c.what)));
const options = (page: Page, id: string) => card(page, id).locator("select[name=status] option").allInnerTexts();

describe("the team's card controls (agents in the dashboard)", () => {
  it("offers a team viewer the later statuses, a tracking link, Received and payment links, and nothing of the customer's", async () => {
    const page = await asTeam();
    expect(await options(page, "card-order")).toEqual(["Delivered", "Cancelled"]);
    expect(await options(page, "card-order-new")).toEqual(["Preparing", "Out for delivery", "Delivered", "Cancelled"]);
    expect(await card(page, "card-order").locator("[data-action=tracking]").innerText()).toBe("Replace tracking link");
    expect(await card(page, "card-order-new").getByLabel("Tracking link").count()).toBe(1);
    expect(await card(page, "card-order-new").locator("[data-action=tracking]").innerText()).toBe("Add tracking link");
    const shares = card(page, "card-shop-split").locator("li[data-person]");
    expect(await shares.locator("[data-action=received]").allInnerTexts()).toEqual([
      "Received from Mia",
      "Received from Noah",
    ]);
    // A payment link on the open share only (Noah marked his paid); no "I paid" for the team.
    expect(await shares.locator("input[name=url]").count()).toBe(1);
    expect(await card(page, "card-shop-split").getByLabel("Payment link for Mia").count()).toBe(1);
    expect(await card(page, "card-shop-split").locator("[data-action^=paid]").count()).toBe(0);
    // A split paid to a person is that person's to confirm, not the team's.
    expect(await card(page, "card-split").locator("button, input").count()).toBe(0);
    for (const gone of ["[data-action=split]", "[data-action=start]", "form.picker"])
      expect([gone, await page.locator(`parley-card ${gone}`).count()]).toEqual([gone, 0]);
    expect(
      await card(page, "card-order")
        .locator("button", { hasText: /Reorder|Ask about/ })
        .count(),
    ).toBe(0);
    await page.close();
  });

  it("shows no team control on a closed order, and none at all to a customer", async () => {
    const closed = [
      { ...order, id: "card-done", status: "delivered" },
      { ...order, id: "card-off", status: "cancelled" },
    ];
    const team = await asTeam({ states: closed });
    expect(await team.locator("parley-card [data-team]").count()).toBe(0);
    await team.close();
    const page = await mount();
    expect(await page.locator("parley-card [data-team], parley-card form.team-form").count()).toBe(0);
    expect(await card(page, "card-shop-split").locator("[data-action=received]").count()).toBe(0);
    // Mia's own share of the shop's split is hers to mark paid, as before.
    expect(await card(page, "card-shop-split").locator("[data-action=paid-cash]").count()).toBe(1);
    await page.close();
  });

  it("sends exactly the team's events, by keyboard alone", async () => {
    const page = await asTeam();
    const o = card(page, "card-order-new");
    await o.locator("select[name=status]").focus();
    await page.keyboard.press("ArrowDown"); // Out for delivery (skipping Preparing)
    await page.keyboard.press("Tab");
    await page.keyboard.press("Enter");
    await poll(() => acts(page)).toHaveLength(1);
    await page.keyboard.press("Tab"); // the tracking link field
    await page.keyboard.type("https://track.example.com/PX-1002");
    await page.keyboard.press("Enter");
    await poll(() => acts(page)).toHaveLength(2);
    await poll(() => o.locator("input[name=url]").inputValue()).toBe("");
    const s = card(page, "card-shop-split");
    await s.locator("[data-action=received]").first().focus();
    await page.keyboard.press("Space");
    await poll(() => acts(page)).toHaveLength(3);
    await s.getByLabel("Payment link for Mia").focus();
    await page.keyboard.type("https://pay.example.com/s/mia");
    await page.keyboard.press("Enter");
    await poll(() => acts(page)).toEqual([
      { v: 1, card: "card-order-new", op: "status", status: "out_for_delivery" },
      { v: 1, card: "card-order-new", op: "tracking", url: "https://track.example.com/PX-1002" },
      { v: 1, card: "card-shop-split", op: "received", person: MIA },
      { v: 1, card: "card-shop-split", op: "link", person: MIA, url: "https://pay.example.com/s/mia" },
    ]);
    expect(await page.evaluate(() => window.__calls.every((c) => c.convId === "conv-1"))).toBe(true);
    await page.close();
  });

  it("refuses a link that is not https: in words, sending nothing; says refusals and offline in the card", async () => {
    const page = await asTeam();
    const o = card(page, "card-order-new");
    const field = o.locator("input[name=url]");
    const bad = "Enter a full link that starts with https://, for example https://example.com/track/123.";
    const cases = [
      ["", "Enter a link first."],
      ["http://track.example.com/1", bad],
      ["javascript:alert(1)", bad],
      [`https://track.example.com/${"x".repeat(2048)}`, "That link is too long: at most 2,048 characters."],
    ];
    for (const [typed, said] of cases) {
      await field.fill(typed as string);
      await field.press("Enter");
      await poll(() => o.locator("form[data-form=tracking] [role=alert]").innerText()).toBe(said);
      expect(await field.getAttribute("aria-invalid")).toBe("true");
      expect(await o.evaluate((el) => el.shadowRoot?.activeElement?.getAttribute("name"))).toBe("url");
    }
    expect(await acts(page)).toEqual([]);
    for (const [code, said] of [
      ["card_rejected", "That is not possible now: the card changed, or it is not yours to do."],
      ["card_invalid", "That could not be sent: the card's content is not valid."],
      ["unavailable", "You are offline. Try again when the connection is back."],
    ] as const) {
      await page.evaluate((c) => {
        window.__refuse = c;
      }, code);
      await o.locator("[data-action=status]").click();
      await poll(() => o.locator("article > [role=alert]").innerText()).toBe(said);
    }
    expect(await options(page, "card-order-new")).toHaveLength(4);
    await page.close();
  });

  it("reads in German (Sie) and fits 360 px; screenshot kept", async () => {
    const page = await asTeam({ locale: "de", width: 360 });
    const o = card(page, "card-order-new");
    expect(await options(page, "card-order")).toEqual(["Geliefert", "Storniert"]);
    expect(await o.locator("form[data-form=status] label").innerText()).toContain("Neuer Status");
    expect(await o.locator("[data-action=status]").innerText()).toBe("Aktualisieren");
    expect(await o.locator("[data-action=tracking]").innerText()).toBe("Sendungslink hinzufügen");
    expect(await card(page, "card-shop-split").locator("[data-action=received]").first().innerText()).toBe(
      "Von Mia erhalten",
    );
    await o.locator("input[name=url]").fill("www.example.com");
    await o.locator("input[name=url]").press("Enter");
    await poll(() => o.locator("[role=alert]").innerText()).toBe(
      "Geben Sie einen vollständigen Link ein, der mit https:// beginnt, zum Beispiel https://example.com/track/123.",
    );
    await o.evaluate((el) => el.scrollIntoView({ block: "start" }));
    await page.screenshot({ path: artifactPath("cards-team-de.png"), fullPage: true });
    expect(await overflowing(page)).toEqual([]);
    await page.close();
  });

  for (const theme of ["light", "dark"] as const) {
    it(`has no serious or critical axe violations with the controls and a link error (${theme}); screenshot kept`, async () => {
      const page = await asTeam({ theme });
      const s = card(page, "card-shop-split");
      await s.getByLabel("Payment link for Mia").fill("http://pay.example.com");
      await s.getByLabel("Payment link for Mia").press("Enter");
      await s.locator("[role=alert]").waitFor();
      await page.screenshot({ path: artifactPath(`cards-team-${theme}.png`), fullPage: true });
      expect(await seriousViolations(page)).toEqual([]);
      await page.close();
    });
  }
});
