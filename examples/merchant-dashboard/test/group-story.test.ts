// Issue 13's headline, as people see it: three shoppers on the example storefront, each in their own
// Chromium with the chat widget embedded as a shopper gets it (launcher, chat frame from the gateway's
// origin), and the shop's agent on the merchant dashboard, against the real gateway on a real port,
// nats-server and the embedded store, with end-to-end encryption.
//
//  1. Mia writes two messages "10 days ago" and two recent ones, types `@noah`, picks "Last 7 days"
//     with the keyboard and confirms.
//  2. Noah's launcher badge counts the invite; his invites panel shows Mia, the history offered and the
//     expiry; he accepts and reads exactly the last 7 days (not the older two).
//  3. Leo declines Mia's invite from his invites panel; Mia's timeline says so.
//  4. Mia invites @ava and revokes it from the members panel; it leaves Ava's invites.
//  5. Ada (the shop's admin agent, dashboard) sees Noah "invited by Mia", and the declined and revoked
//     invites in the timeline.
//
// The clock: the storefront's shoppers write through the widget, so their messages get the gateway's
// time. The stack here runs the chat service on an injectable clock (`now`, see
// gateway/test/harness/stack.ts) that starts 10 days behind; Mia's first two messages are stored with
// that time, then the clock moves to 2 days behind and to the present for the newer ones. Only the
// chat service reads this clock (stored message times, invite expiry), not sessions or NATS tokens.
//
// Noah, Leo and Ava set their handles on another device (the SDK; the profile panel has its own tests).
// Screenshots: widget/test-artifacts/story-*.png.

// @ts-expect-error: the example is plain JavaScript (no declarations)
import { shopperId } from "@parley/examples/shop-backend";
import { AGENT_LOGIN, AGENT_PASSWORD, SHOP_ID, type TestStack, waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import {
  artifactPath,
  type BrowserSession,
  chatFrame,
  exposeLauncherRoot,
  launchChromium,
  launcherState,
  logIn,
} from "@parley/widget/testing";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DashboardShop, startDashboardShop } from "./fixtures.js";
import { signIn, until } from "./group-helpers.js";

const DAY = 24 * 60 * 60 * 1000;
const OLD = ["Ten days ago: my grinder arrived", "Ten days ago: it makes a rattling noise"];
const RECENT = ["Two days ago: the noise is louder now", "Today: can a friend of mine have a look?"];
/** What the widget shows for a body it has no renderer for. */
const UNSUPPORTED = "This message type is not supported here";
const INVITE_NOAH = "@noah please read from last week";

/** A shopper's page on the storefront with the chat open, and its chat frame. */
interface Shopper {
  page: Page;
  frame: Frame;
}

const texts = async (frame: Frame, selector: string) =>
  (await frame.locator(selector).allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
const notices = (frame: Frame) => texts(frame, "parley-message-list [data-notice]");
/** The focused element inside the frame, through shadow roots: its id, or else its text. */
const focused = (frame: Frame) =>
  frame.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.id || el?.textContent?.trim() || el?.localName || "";
  });
const shot = (page: Page, name: string) => page.screenshot({ path: artifactPath(`story-${name}.png`) });

describe("the group story: Mia invites Noah, Leo and Ava from the storefront; the agent sees it all", () => {
  let shop: DashboardShop;
  let stack: TestStack;
  let backend: DashboardShop["backend"];
  let dashboard: DashboardShop["dashboard"];
  const browsers: BrowserSession[] = [];
  const devices: ParleyClient[] = [];
  let offset = -10 * DAY;
  let ada: Page;
  let mia: Shopper;
  let ava: ParleyClient;
  let convId = "";

  /** Another device of the shopper the storefront signs in as `name`. */
  const deviceOf = (name: string) =>
    stack.client({
      auth: { kind: "customer", shopId: SHOP_ID, getToken: () => stack.customerToken(shopperId(name), name) },
      encryption: true,
    });

  /** Logs `name` in on the storefront in its own browser and opens the chat. */
  async function shopper(name: string, beforeOpen?: (page: Page) => Promise<void>): Promise<Shopper> {
    const browser = await launchChromium({ viewport: { width: 1000, height: 820 } });
    browsers.push(browser);
    const page = await browser.newPage();
    await exposeLauncherRoot(page);
    await logIn(page, backend.url, name);
    await page.hover("parley-launcher"); // intent: the frame loads
    const frame = await chatFrame(page);
    await frame.waitForSelector("#parley-root[data-state=connected]", { state: "attached" });
    await beforeOpen?.(page);
    await page.click("parley-launcher");
    await frame.locator("parley-composer textarea").waitFor();
    return { page, frame };
  }

  /** Sends a line from the composer and waits until the gateway has it (the message says "Sent"). */
  async function say({ frame }: Shopper, line: string): Promise<void> {
    const input = frame.locator("parley-composer textarea");
    await input.fill(line);
    await input.press("Enter");
    await frame.locator("parley-message", { hasText: line }).locator("[data-state=sent], [data-state=seen]").waitFor();
  }

  /** Types an @handle line, confirms the invite dialog with "From now on", waits for the timeline line. */
  async function invite(who: Shopper, handle: string): Promise<void> {
    await who.frame.locator("parley-composer textarea").fill(`@${handle} hello`);
    await who.frame.locator("parley-composer textarea").press("Enter");
    await who.frame.locator("parley-invite-dialog dialog").waitFor();
    await until(
      () => texts(who.frame, "parley-invite-dialog h2"),
      (h) => h[0] === `Invite @${handle}?`,
      "dialog",
    );
    expect(await who.frame.locator("parley-invite-dialog #h-none").isChecked()).toBe(true);
    await who.frame.locator("parley-invite-dialog button.primary").click();
    await until(
      () => notices(who.frame),
      (n) => n.includes(`You invited @${handle}`),
      `the line for @${handle}`,
    );
  }

  beforeAll(async () => {
    shop = await startDashboardShop({ extraOrigins: ["https://shop.test"], now: () => Date.now() + offset });
    ({ stack, backend, dashboard } = shop);
    for (const name of ["Noah", "Leo", "Ava"]) {
      const device = deviceOf(name);
      devices.push(device);
      await device.connect();
      await device.updateProfile({ handle: name.toLowerCase() });
    }
    ava = devices[2] as ParleyClient;
  });
  afterAll(async () => {
    for (const d of devices) await d.close().catch(() => undefined);
    for (const b of browsers) await b.close();
    await shop?.[Symbol.asyncDispose]();
  });

  it("1. Mia writes old and new messages, types @noah, picks 'Last 7 days' with the keyboard and confirms", async () => {
    // The admin agent signs in first: the dashboard's device makes the team key the first epoch wraps to.
    const dash = await launchChromium({ viewport: { width: 1400, height: 860 } });
    browsers.push(dash);
    ada = await signIn(dash, dashboard.url, AGENT_LOGIN, AGENT_PASSWORD);

    mia = await shopper("Mia");
    for (const line of OLD) await say(mia, line);
    offset = -2 * DAY;
    await say(mia, RECENT[0] as string);
    offset = 0;
    await say(mia, RECENT[1] as string);
    // The conversation, as the shop's inbox lists it (the only one so far).
    const row = ada.locator("dashboard-inbox li[data-conv-id]").first();
    await row.waitFor();
    convId = (await row.getAttribute("data-conv-id")) ?? "";
    await shot(mia.page, "1a-mia-messages");

    const composer = mia.frame.locator("parley-composer textarea");
    await composer.focus();
    await mia.page.keyboard.type(INVITE_NOAH);
    await until(
      () => texts(mia.frame, "parley-composer .invite-action"),
      (a) => a[0] === "Invite @noah…",
      "action",
    );
    await mia.page.keyboard.press("Enter");
    await mia.frame.locator("parley-invite-dialog dialog").waitFor();
    await until(
      () => texts(mia.frame, "parley-invite-dialog .who"),
      (w) => w[0] === "Noah @noah",
      "who",
    );
    expect(await texts(mia.frame, "parley-invite-dialog label")).toEqual(["From now on", "Last 7 days", "Everything"]);
    await until(
      () => focused(mia.frame),
      (f) => f === "h-none",
      'focus on "From now on"',
    );
    await mia.page.keyboard.press("ArrowDown");
    expect(await mia.frame.locator("parley-invite-dialog #h-7d").isChecked()).toBe(true);
    expect(await focused(mia.frame)).toBe("h-7d");
    await shot(mia.page, "1b-mia-invite-dialog");
    await mia.page.keyboard.press("Tab");
    expect(await focused(mia.frame)).toBe("Cancel");
    await mia.page.keyboard.press("Tab");
    expect(await focused(mia.frame)).toBe("Invite");
    await mia.page.keyboard.press("Enter");
    await until(
      () => notices(mia.frame),
      (n) => n.includes("You invited @noah"),
      "Mia's line for the invite",
    );
    await mia.frame.getByText(INVITE_NOAH).waitFor();
    await shot(mia.page, "1c-mia-invited");
  });

  it("2. Noah: the badge counts the invite; he accepts from the invites panel and reads exactly the last 7 days", async () => {
    const noah = await shopper("Noah", async (page) => {
      const badge = await until(
        () => launcherState(page),
        (l) => l.badge === "1",
        "the badge",
      );
      expect(badge.label).toBe("Open chat, 1 invite");
      await shot(page, "2a-noah-badge");
    });
    const invites = noah.frame.locator("parley-chat button[data-panel=invites]");
    await until(
      () => invites.getAttribute("aria-label"),
      (l) => l === "Invites, 1 pending",
      "the header's count",
    );
    await invites.click();
    const item = noah.frame.locator("parley-invites-panel li[data-invite]");
    await item.getByText("Mia invited you").waitFor();
    expect(await item.count()).toBe(1);
    const card = ((await item.textContent()) ?? "").replace(/\s+/g, " ");
    expect(card).toContain("Started the conversation");
    expect(card).toContain("Shop: Test Shop");
    expect(card).toContain("Mia (owner)");
    expect(card).toContain("History: the last 7 days");
    expect(card).toMatch(/Expires in (7|6) days/);
    await shot(noah.page, "2b-noah-invites-panel");

    await item.locator("button[data-action=accept]").focus();
    await noah.page.keyboard.press("Enter");
    await noah.frame.locator("parley-invites-panel").waitFor({ state: "detached" });
    for (const line of [...RECENT, INVITE_NOAH]) await noah.frame.getByText(line).waitFor();
    await until(
      () => notices(noah.frame),
      (n) => n.includes("You joined (invited by Mia)"),
      "Noah's joined line",
    );
    // Everything from the last 7 days is there, and nothing older: the gateway's floor and the grant agree.
    for (const line of OLD) expect(await noah.frame.getByText(line).count()).toBe(0);
    expect(await noah.frame.getByText("could not be decrypted").count()).toBe(0);
    // The older messages are not his: he is told so, not that the conversation starts here.
    await noah.frame.getByText("Earlier messages aren't shared with you.").waitFor();
    expect(await noah.frame.getByText("This is the start of the conversation").count()).toBe(0);
    // The grant that carried the keys is no bubble of its own ("This message type is not supported here").
    expect(await noah.frame.locator("parley-message").count()).toBe(RECENT.length + 1);
    expect(await noah.frame.getByText(UNSUPPORTED).count()).toBe(0);
    expect(await invites.getAttribute("aria-label")).toBe("Invites");
    await shot(noah.page, "2c-noah-reads-last-7-days");

    await until(
      () => notices(mia.frame),
      (n) => n.includes("Noah joined (invited by you)"),
      "Mia's joined line",
    );
    // Mia still reads all of it.
    for (const line of [...OLD, ...RECENT]) expect(await mia.frame.getByText(line).count()).toBe(1);
    expect(await mia.frame.getByText(UNSUPPORTED).count()).toBe(0);
  });

  it("3. Leo declines Mia's invite from his invites panel; Mia's timeline shows the decline", async () => {
    await invite(mia, "leo");
    const leo = await shopper("Leo");
    await leo.frame.locator("parley-chat button[data-panel=invites]").click();
    const item = leo.frame.locator("parley-invites-panel li[data-invite]");
    await item.getByText("Mia invited you").waitFor();
    expect(((await item.textContent()) ?? "").replace(/\s+/g, " ")).toContain("History: from when you join");
    await item.locator("button[data-action=decline]").click();
    await until(
      () => leo.frame.locator("parley-invites-panel #invites-status").textContent(),
      (t) => t === "You declined the invite from Mia.",
      "Leo's status line",
    );
    expect(await item.count()).toBe(0);
    await shot(leo.page, "3a-leo-declined");
    await until(
      () => notices(mia.frame),
      (n) => n.includes("@leo declined the invitation"),
      "Mia's decline line",
    );
    await shot(mia.page, "3b-mia-sees-decline");
  });

  it("4. Mia invites @ava and revokes it from the members panel: it leaves Ava's invites", async () => {
    await invite(mia, "ava");
    await waitFor(async () => ava.invites.value.some((i) => i.convId === convId), "Ava's invite");
    await mia.frame.locator("parley-chat button[data-panel=members]").click();
    const panel = "parley-members-panel";
    await until(
      () => texts(mia.frame, `${panel} [data-member]`),
      (m) => m.length === 2,
      "the members",
    );
    expect(await texts(mia.frame, `${panel} [data-member]`)).toEqual([
      "Mia (you) Owner Leave",
      "Noah @noah Member Remove Noah Invited by Mia",
    ]);
    await until(
      () => texts(mia.frame, `${panel} [data-invite]`),
      (i) => i.length === 1,
      "Ava's pending invite",
    );
    expect(await texts(mia.frame, `${panel} [data-invite]`)).toEqual([
      "Ava @ava Revoke invite for Ava Invited by Mia · offered: From now on",
    ]);
    await shot(mia.page, "4a-mia-members-pending-ava");
    await mia.frame.locator(`${panel} [data-action^=revoke-]`).click();
    await until(
      () => texts(mia.frame, `${panel} .muted`),
      (t) => t.includes("No invites are waiting."),
      "no pending",
    );
    await waitFor(async () => !ava.invites.value.some((i) => i.convId === convId), "the invite to leave Ava's list");
    expect((await ava.pendingInvites()).filter((i) => i.convId === convId)).toEqual([]);
    await shot(mia.page, "4b-mia-revoked-ava");
    await mia.frame.locator(`${panel} h2`).press("Escape");
    await mia.frame.locator(panel).waitFor({ state: "detached" });
    await until(
      () => notices(mia.frame),
      (n) => n.includes("The invitation for @ava was withdrawn"),
      "Mia's line for the revoke",
    );
    await shot(mia.page, "4c-mia-timeline");
  });

  it("5. Ada on the dashboard: Noah invited by Mia, the declined and the revoked invite in the timeline", async () => {
    await ada.bringToFront();
    await ada.click(`dashboard-inbox li[data-conv-id="${convId}"]`);
    await ada
      .locator("dashboard-conversation parley-message")
      .getByText(RECENT[1] as string)
      .waitFor();
    const noah = ada.locator("dashboard-members ul[data-list=members] > li").filter({ hasText: "Noah" });
    await noah.locator("[data-field=invited-by]").getByText("invited by Mia").waitFor();
    expect(await ada.locator("dashboard-members ul[data-list=members] > li").count()).toBe(2);
    expect(await ada.textContent("dashboard-members section")).toContain("No pending invites.");
    const lines = ada.locator("dashboard-conversation parley-message-list [data-notice]");
    const expected = [
      "Mia invited @noah",
      "Noah joined (invited by Mia)",
      "Mia invited @leo",
      "@leo declined the invitation",
      "Mia invited @ava",
      "The invitation for @ava was withdrawn",
    ];
    const seen = await until(
      async () => (await lines.allTextContents()).map((t) => t.replace(/\s+/g, " ").trim()),
      (n) => expected.every((e) => n.includes(e)),
      "the dashboard's timeline lines",
    );
    expect(seen).toEqual(expected);
    // The team reads the whole conversation, without a bubble for the history grant.
    for (const line of [...OLD, ...RECENT]) await ada.locator("dashboard-conversation").getByText(line).waitFor();
    expect(await ada.locator("dashboard-conversation").getByText(UNSUPPORTED).count()).toBe(0);
    await shot(ada, "5-ada-dashboard");
  });
});
