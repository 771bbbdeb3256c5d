// The chat's on-demand panels in real Chromium against a real gateway and nats-server: the
// profile panel changes the display name and sets an (ASCII) handle; the invites panel shows an
// invite another customer sent, live and after a reload, accepting opens that conversation (and
// the conversation switcher in that panel goes back), declining removes it; all of it by keyboard, with focus
// moved into a panel and back to its opener on Escape. axe-core finds nothing serious or critical
// on the profile and invites views in English and German. Screenshots go to
// widget/test-artifacts/panels-*.png.
import type { ParleyClient } from "@parley/sdk";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath } from "../harness/browser.js";
import { type FixtureEnv, openChat, poll, seriousViolations, startFixtureEnv } from "./fixture.js";

const shot = (name: string) => artifactPath(`panels-${name}`);

/** The focused element through shadow roots: its tag, text and data-panel/data-action. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return {
      tag: el?.localName ?? "",
      panel: el?.getAttribute("data-panel") ?? "",
      action: el?.getAttribute("data-action") ?? "",
      text: el?.textContent?.trim() ?? "",
    };
  });

const headerButton = (page: Page, name: string) => page.locator(`parley-chat button[data-panel=${name}]`);

/** Presses Tab until the focused element matches, at most `max` times. */
async function tabTo(page: Page, match: (f: Awaited<ReturnType<typeof focused>>) => boolean, max = 25) {
  for (let i = 0; i < max; i++) {
    if (match(await focused(page))) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`Tab never reached the control; focus is on ${JSON.stringify(await focused(page))}`);
}

describe("the chat's profile and invites panels", () => {
  let env: FixtureEnv;
  let agent: ParleyClient;
  let mia: ParleyClient;
  let leo: ParleyClient;

  beforeAll(async () => {
    env = await startFixtureEnv();
    agent = env.stack.agent({ encryption: true });
    await agent.connect(); // the admin agent's device makes the team key
    mia = env.stack.customer("Mia", { encryption: true });
    leo = env.stack.customer("Leo", { encryption: true });
    await mia.connect();
    await leo.connect();
  });
  afterAll(async () => {
    await leo?.close();
    await mia?.close();
    await agent?.close();
    await env?.close();
  });

  it("changes the display name and sets a handle, by keyboard, and Escape returns focus", async () => {
    const noah = await openChat(env, { encryption: true, customer: "noah-profile" });
    await noah.setViewportSize({ width: 440, height: 760 });
    await noah.getByText("Ask us anything").waitFor();
    // Keyboard only: Tab to the profile button, Enter opens the panel with focus inside.
    await noah.locator("parley-composer textarea").focus();
    await tabTo(noah, (f) => f.panel === "profile");
    await noah.keyboard.press("Enter");
    await noah.locator("parley-profile-panel[role=dialog]").waitFor();
    await poll(async () => (await focused(noah)).text).toBe("Close");
    expect(await noah.locator("parley-profile-panel").getAttribute("aria-label")).toBe("Your profile");

    // Display name: Tab to the field, type, Enter saves.
    await tabTo(noah, (f) => f.tag === "input");
    await noah.keyboard.press("Control+A");
    await noah.keyboard.type("Noah N.");
    await noah.keyboard.press("Enter");
    await poll(() => noah.locator("parley-profile-panel #name-note").textContent()).toBe("Your name is now Noah N..");
    expect(await noah.evaluate(() => window.__client.principal.displayName)).toBe("Noah N.");

    // Handle: the rules while it cannot be one, then saved.
    const handle = noah.locator("parley-profile-panel #handle");
    await handle.focus();
    await noah.keyboard.type("9x");
    await poll(() => noah.locator("parley-profile-panel #handle-rules li").allTextContents()).toEqual([
      "3 to 32 characters: not met",
      "Starts with a letter: not met",
      "Only letters, digits and _: met",
    ]);
    expect(await handle.getAttribute("aria-invalid")).toBe("true");
    await noah.screenshot({ path: shot("profile-rules-en.png") });
    await handle.fill("");
    await noah.keyboard.type("Noah_Profile");
    await poll(() => noah.locator("parley-profile-panel #handle-rules li").allTextContents()).toEqual([
      "Saved as @noah_profile",
    ]);
    await noah.keyboard.press("Enter");
    await poll(() => noah.locator("parley-profile-panel #handle-note").textContent()).toBe(
      "Your handle is now @noah_profile.",
    );
    expect(await noah.evaluate(() => window.__client.principal.handle)).toBe("noah_profile");
    await poll(() => noah.locator("parley-profile-panel").getByText("Your handle is @noah_profile.").count()).toBe(1);
    await noah.screenshot({ path: shot("profile-en.png") });
    expect(await seriousViolations(noah)).toEqual([]);

    // Escape closes the panel and gives focus back to the profile button.
    await noah.keyboard.press("Escape");
    await poll(() => noah.locator("parley-profile-panel").count()).toBe(0);
    expect(await focused(noah)).toMatchObject({ panel: "profile" });
    expect(await noah.evaluate(() => window.__closed)).toBe(0); // Escape closed the panel, not the chat

    // German.
    await noah.evaluate(() => {
      window.__chat.locale = "de";
    });
    await headerButton(noah, "profile").click();
    await noah.locator("parley-profile-panel").getByText("Ihr Handle ist @noah_profile.").waitFor();
    expect(await noah.locator("parley-profile-panel").getAttribute("aria-label")).toBe("Ihr Profil");
    await noah.screenshot({ path: shot("profile-de.png") });
    expect(await seriousViolations(noah)).toEqual([]);
    await noah.close();
  });

  it("shows an invite live and after a reload; accept opens it, the switcher goes back, decline removes one", async () => {
    const noahId = "noah-invites";
    let noah = await openChat(env, { encryption: true, customer: noahId });
    await noah.setViewportSize({ width: 440, height: 760 });
    await noah.evaluate(() => window.__client.updateProfile({ handle: "noah_inv" }));
    // Noah has a conversation of his own.
    const input = noah.locator("parley-composer textarea");
    await input.fill("hello from noah");
    await input.press("Enter");
    const own = await noah.waitForFunction(() => window.__chat.current).then((h) => h.jsonValue() as Promise<string>);
    await noah.getByText("hello from noah").waitFor();
    expect(await headerButton(noah, "invites").getAttribute("aria-label")).toBe("Invites");

    // Mia invites him into hers: the count reaches his header live.
    const conv = await mia.openConversation();
    await mia.send(conv.id, "Mia's question");
    await mia.invite(conv.id, "@noah_inv", { history: "7d" });
    await poll(() => headerButton(noah, "invites").getAttribute("aria-label")).toBe("Invites, 1 pending");
    expect(await noah.locator("parley-chat [part=invite-badge]").textContent()).toBe("1");

    // After a reload (a new page of the same customer) the count and the invite are there.
    await noah.close();
    noah = await openChat(env, { encryption: true, customer: noahId });
    await noah.setViewportSize({ width: 440, height: 760 });
    await poll(() => headerButton(noah, "invites").getAttribute("aria-label")).toBe("Invites, 1 pending");
    await headerButton(noah, "invites").click();
    const panel = noah.locator("parley-invites-panel");
    await panel.getByText("Mia invited you").waitFor();
    await panel.getByText("History: the last 7 days").waitFor();
    expect(await panel.getByText(/^Expires in (7|6) days/).count()).toBe(1);
    await noah.screenshot({ path: shot("invites-en.png") });
    expect(await seriousViolations(noah)).toEqual([]);
    await noah.evaluate(() => {
      window.__chat.locale = "de";
    });
    await panel.getByText("Mia hat Sie eingeladen").waitFor();
    await panel.getByText("Verlauf: die letzten 7 Tage").waitFor();
    await noah.screenshot({ path: shot("invites-de.png") });
    expect(await seriousViolations(noah)).toEqual([]);
    await noah.evaluate(() => {
      window.__chat.locale = "en";
    });

    // Accept, by keyboard: the chat shows Mia's conversation, the panel closes.
    await panel.locator("button[data-action=accept]").focus();
    await noah.keyboard.press("Enter");
    await poll(() => noah.evaluate(() => window.__chat.current)).toBe(conv.id);
    await poll(() => panel.count()).toBe(0);
    expect(await headerButton(noah, "invites").getAttribute("aria-label")).toBe("Invites");
    // (Reading the 7 days before is the history-grant work; what Mia writes now reaches him.)
    await mia.send(conv.id, "welcome, Noah");
    await noah.getByText("welcome, Noah").waitFor();
    await noah.screenshot({ path: shot("invites-accepted-en.png") });

    // Two conversations now: the switcher in the invites panel goes back to his own.
    await headerButton(noah, "invites").click();
    await panel.getByText("Your conversations").waitFor();
    await noah.screenshot({ path: shot("invites-switcher-en.png") });
    await panel.locator(`button[data-conversation="${own}"]`).click();
    await poll(() => noah.evaluate(() => window.__chat.current)).toBe(own);

    // Leo invites him too; Noah declines: the invite leaves the list and the count.
    const leoConv = await leo.openConversation();
    await leo.invite(leoConv.id, "@noah_inv");
    await poll(() => headerButton(noah, "invites").getAttribute("aria-label")).toBe("Invites, 1 pending");
    await headerButton(noah, "invites").click();
    await panel.getByText("Leo invited you").waitFor();
    await panel.locator("button[data-action=decline]").click();
    await poll(() => panel.locator("#invites-status").textContent()).toBe("You declined the invite from Leo.");
    await poll(() => panel.locator("li[data-invite]").count()).toBe(0);
    expect(await headerButton(noah, "invites").getAttribute("aria-label")).toBe("Invites");
    expect((await leo.invitations(leoConv.id)).map((i) => i.status)).toEqual(["declined"]);
    await noah.screenshot({ path: shot("invites-declined-en.png") });
    await noah.close();
  });

  it("blocks an inviter after asking (needs the gateway's invite.block and block.list)", async () => {
    const noah = await openChat(env, { encryption: true, customer: "noah-block" });
    await noah.setViewportSize({ width: 440, height: 760 });
    await noah.evaluate(() => window.__client.updateProfile({ handle: "noah_block" }));
    const conv = await leo.openConversation();
    await leo.invite(conv.id, "@noah_block");
    await poll(() => headerButton(noah, "invites").getAttribute("aria-label")).toBe("Invites, 1 pending");
    await headerButton(noah, "invites").click();
    const panel = noah.locator("parley-invites-panel");
    await panel.locator("button[data-action=block]").click();
    // Asked first, with focus on the confirmation; Cancel goes back.
    await poll(async () => (await focused(noah)).action).toBe("block-yes");
    await noah.screenshot({ path: shot("invites-block-confirm-en.png") });
    await noah.keyboard.press("Tab");
    await noah.keyboard.press("Enter");
    await poll(async () => (await focused(noah)).action).toBe("block");
    await noah.keyboard.press("Enter");
    await poll(async () => (await focused(noah)).action).toBe("block-yes");
    await noah.keyboard.press("Enter");
    await poll(() => panel.locator("#invites-status").textContent()).toBe(
      "You blocked Leo. You can unblock them in your profile.",
    );
    await poll(() => panel.locator("li[data-invite]").count()).toBe(0);
    // The profile lists Leo, and unblocks him.
    await headerButton(noah, "profile").click();
    const profile = noah.locator("parley-profile-panel");
    await profile.getByRole("button", { name: "Unblock Leo" }).click();
    await poll(() => profile.getByText("Leo is unblocked.").count()).toBe(1);
    await noah.close();
  });

  it("says whether a handle is free as it is typed (needs the gateway's handle.check)", async () => {
    const noah = await openChat(env, { encryption: true, customer: "noah-check" });
    await noah.evaluate(() => window.__client.updateProfile({ handle: "noah_check" }));
    await headerButton(noah, "profile").click();
    const line = noah.locator("parley-profile-panel #handle-availability");
    expect(await line.getAttribute("aria-live")).toBe("polite");
    await noah.locator("parley-profile-panel #handle").fill("noah_inv");
    await poll(() => line.textContent()).toBe("@noah_inv is taken: someone already has it.");
    await noah.locator("parley-profile-panel #handle").fill("noah_free_one");
    await poll(() => line.textContent()).toBe("@noah_free_one is available.");
    await noah.locator("parley-profile-panel #handle").fill("support");
    await poll(() => line.textContent()).toBe("@support is kept for the shop's team.");
    await noah.screenshot({ path: shot("profile-availability-en.png") });
    await noah.close();
  });
});
