// Inviting with a confirmation, the members panel and the membership lines of
// the timeline, in real Chromium against a real gateway and nats-server with
// end-to-end encryption. Mia invites @noah from the composer with the keyboard
// only ("Last 7 days": the gateway holds the invite with history 7d), cancels
// an invite with Escape, sees members and pending invites in the members
// panel, Noah leaves and Mia removes Leo ("Noah left", "You removed Leo"), all
// of those lines come back after a reload, and a member's message with a
// `system` body renders as that member's text, never as a timeline line.
// axe-core runs on the dialog and the panel in English and German; screenshots
// go to PARLEY_SHOT_DIR (default test-artifacts/).
//
// "looks the invitee up and revokes" needs the gateway's handle.lookup and
// invite.revoke (issue 13's gateway work): it fails on a gateway without them.
import { join } from "node:path";
import { SHOP_ID, waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath } from "../harness/browser.js";
import { type FixtureEnv, openChat, poll, seriousViolations, startFixtureEnv } from "./fixture.js";

const shot = (page: Page, name: string) =>
  page.screenshot({ path: process.env.PARLEY_SHOT_DIR ? join(process.env.PARLEY_SHOT_DIR, name) : artifactPath(name) });

const notices = (page: Page) => page.locator("parley-message-list [data-notice]").allTextContents();

/** The focused element inside the shadow roots: its id, or else its text. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.getAttribute("aria-label") || el?.id || el?.textContent?.trim() || el?.tagName;
  });

const text = async (page: Page, selector: string) =>
  (await page.locator(selector).allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());

async function say(page: Page, line: string): Promise<void> {
  const input = page.locator("parley-composer textarea");
  await input.fill(line);
  await input.press("Enter");
}

async function currentConversation(page: Page): Promise<string> {
  return page.waitForFunction(() => window.__chat.current).then((h) => h.jsonValue() as Promise<string>);
}

describe("inviting with a confirmation, and the members panel", () => {
  let env: FixtureEnv;
  let agent: ParleyClient;
  let leo: ParleyClient;
  let zoe: ParleyClient;

  beforeAll(async () => {
    env = await startFixtureEnv();
    agent = env.stack.agent({ encryption: true });
    await agent.connect(); // the admin agent's device makes the team key
    leo = env.stack.customer("Leo", { encryption: true });
    await leo.connect();
    await leo.updateProfile({ handle: "leo" });
    await env.stack.gateway.admin.addAgent(SHOP_ID, {
      login: "bob@shop.test",
      password: "bob's long password",
      displayName: "Bob",
      handle: "bob",
      role: "agent",
      kind: "agent",
    });
    zoe = env.stack.customer("Zoe", { encryption: true });
    await zoe.connect();
    await zoe.updateProfile({ handle: "zoe" });
  });
  afterAll(async () => {
    await zoe?.close();
    await leo?.close();
    await agent?.close();
    await env?.close();
  });

  it("invites by @handle with 'Last 7 days' from the keyboard; members, Leave, Remove and the lines", async () => {
    const mia = await openChat(env, { encryption: true, customer: "Mia" });
    await mia.setViewportSize({ width: 440, height: 720 });
    await say(mia, "hello, I need a second opinion");
    const convId = await currentConversation(mia);
    await mia.getByText("hello, I need a second opinion").waitFor();

    const noah = await openChat(env, { encryption: true, customer: "Noah" });
    await noah.evaluate(() => window.__client.updateProfile({ handle: "noah" }));
    const invited = noah.evaluate(
      () => new Promise<string>((resolve) => window.__client.on("invite", (i) => resolve(i.id))),
    );

    // Keyboard only: type, Enter opens the confirmation with "From now on" focused and checked.
    await mia.locator("parley-composer textarea").focus();
    await mia.keyboard.type("@noah can you help me choose?");
    await poll(() => text(mia, "parley-composer .invite-action")).toEqual(["Invite @noah…"]);
    await mia.keyboard.press("Enter");
    const dialog = mia.locator("parley-invite-dialog dialog");
    await dialog.waitFor();
    await poll(() => focused(mia)).toBe("h-none");
    expect(await text(mia, "parley-invite-dialog h2")).toEqual(["Invite @noah?"]);
    expect(await text(mia, "parley-invite-dialog label")).toEqual(["From now on", "Last 7 days", "Everything"]);
    await mia.keyboard.press("ArrowDown");
    expect(await focused(mia)).toBe("h-7d");
    expect(await mia.locator("parley-invite-dialog #h-7d").isChecked()).toBe(true);
    await mia.keyboard.press("Tab");
    expect(await focused(mia)).toBe("Cancel");
    await mia.keyboard.press("Tab");
    expect(await focused(mia)).toBe("Invite");
    await mia.keyboard.press("Tab"); // focus stays in the dialog: back to the chosen option
    expect(await focused(mia)).toBe("h-7d");
    await mia.keyboard.press("Shift+Tab");
    expect(await focused(mia)).toBe("Invite");
    await shot(mia, "invite-dialog-en.png");
    expect(await seriousViolations(mia)).toEqual([]);
    await mia.keyboard.press("Enter");

    await poll(() => notices(mia)).toEqual(["You invited @noah"]);
    await mia.getByText("@noah can you help me choose?").waitFor();
    expect(await dialog.isVisible()).toBe(false);
    expect(await focused(mia)).toBe("input");
    const held = await agent.invitations(convId);
    expect(held.map((i) => [i.inviteeHandle, i.history, i.status])).toEqual([["noah", "7d", "pending"]]);

    // Escape cancels: nothing sent, nothing invited, the text stays, focus is back in the composer.
    await say(mia, "@leo are you around?");
    await dialog.waitFor();
    await mia.keyboard.press("Escape");
    await poll(() => dialog.isVisible()).toBe(false);
    expect(await mia.locator("parley-composer textarea").inputValue()).toBe("@leo are you around?");
    expect(await focused(mia)).toBe("input");
    expect(await agent.invitations(convId)).toHaveLength(1);

    // Noah accepts (the invites list is another branch's work): both see who joined and who invited.
    await noah.evaluate((id) => window.__client.acceptInvite(id), await invited);
    await poll(() => noah.evaluate(() => window.__chat.current)).toBe(convId);
    await poll(() => notices(mia)).toEqual(["You invited @noah", "Noah joined (invited by you)"]);
    await poll(() => notices(noah)).toEqual(["Mia invited @noah", "You joined (invited by Mia)"]);

    // Mia invites @leo with the mouse and the default "From now on".
    await mia.locator("parley-composer .invite-action").click();
    await dialog.waitFor();
    await mia.locator("parley-invite-dialog button.primary").click();
    await poll(() => notices(mia)).toEqual(["You invited @noah", "Noah joined (invited by you)", "You invited @leo"]);

    // The members panel: roles, who invited whom, the pending invite; focus moves in and back out.
    await mia.locator("parley-chat button[data-panel=members]").click();
    const panel = mia.locator("parley-members-panel");
    await panel.locator("[data-member]").first().waitFor();
    await poll(() => focused(mia)).toBe("members-title");
    // The messages and the composer under the panel are out of reach while it is open.
    expect(await mia.locator("parley-chat .main").evaluate((el) => (el as HTMLElement).inert)).toBe(true);
    await poll(() => text(mia, "parley-members-panel [data-member]")).toEqual([
      "Mia (you) Owner Leave",
      "Noah @noah Member Remove Noah Invited by Mia",
    ]);
    await poll(() => text(mia, "parley-members-panel [data-invite]")).toEqual([
      "Leo @leo Revoke invite for Leo Invited by Mia · offered: From now on",
    ]);
    await shot(mia, "members-panel-en.png");
    expect(await seriousViolations(mia)).toEqual([]);

    // Noah's view: his own row has Leave; no Remove or Revoke for someone who is neither owner nor team.
    await noah.locator("parley-chat button[data-panel=members]").click();
    await poll(() => text(noah, "parley-members-panel [data-member]")).toEqual([
      "Mia Owner",
      "Noah (you) @noah Member Leave Invited by Mia",
    ]);
    await poll(() => text(noah, "parley-members-panel [data-invite]")).toEqual([
      "Leo @leo Invited by Mia · offered: From now on",
    ]);

    // Leo accepts: Mia's panel follows.
    const leoInvite = await waitFor(
      async () => (await leo.pendingInvites()).find((i) => i.convId === convId),
      "Leo's invite",
    );
    await leo.acceptInvite(leoInvite.id);
    await poll(() => text(mia, "parley-members-panel [data-member] .name")).toEqual(["Mia (you)", "Noah", "Leo"]);
    await poll(() => text(mia, "parley-members-panel [data-invite]")).toEqual([]);

    // Noah leaves: Leave asks first; Escape keeps him in, with focus back on Leave.
    await noah.locator("parley-members-panel [data-action^=leave-]").click();
    await poll(() => text(noah, "parley-members-panel .confirm p")).toEqual([
      "Leave this conversation? You will no longer see new messages.",
    ]);
    expect(await focused(noah)).toBe("Yes, do it");
    await noah.keyboard.press("Escape");
    await poll(() => focused(noah)).toBe("Leave");
    await noah.keyboard.press("Enter");
    await noah.locator("parley-members-panel .confirm button.danger").click();
    await poll(() => noah.locator("parley-members-panel").count()).toBe(0); // closed: nothing left to show
    await poll(() => notices(mia)).toContain("Noah left");
    await poll(() => text(mia, "parley-members-panel [data-member] .name")).toEqual(["Mia (you)", "Leo"]);

    // Mia removes Leo.
    await mia.locator("parley-members-panel [data-action^=remove-]").click();
    await poll(() => text(mia, "parley-members-panel .confirm p")).toEqual(["Remove Leo from this conversation?"]);
    await mia.locator("parley-members-panel .confirm button.danger").click();
    await poll(() => text(mia, "parley-members-panel [data-member] .name")).toEqual(["Mia (you)"]);
    await poll(() => notices(mia)).toEqual([
      "You invited @noah",
      "Noah joined (invited by you)",
      "You invited @leo",
      "Leo joined (invited by you)",
      "Noah left",
      "You removed Leo",
    ]);
    expect((await agent.members(convId)).map((m) => m.displayName)).toEqual(["Mia"]);

    // Escape closes the panel and focus goes back to the Members button.
    await mia.locator("parley-members-panel h2").focus();
    await mia.keyboard.press("Escape");
    await poll(() => panel.count()).toBe(0);
    expect(await focused(mia)).toBe("Members");
    await shot(mia, "timeline-membership-en.png");

    // German: the panel and the dialog.
    await mia.evaluate(() => {
      window.__chat.locale = "de";
    });
    await mia.locator("parley-chat button[data-panel=members]").click();
    await poll(() => text(mia, "parley-members-panel h2")).toEqual(["Personen in dieser Unterhaltung"]);
    await poll(() => text(mia, "parley-members-panel [data-member]")).toEqual(["Mia (Sie) Inhaber Verlassen"]);
    await shot(mia, "members-panel-de.png");
    expect(await seriousViolations(mia)).toEqual([]);
    await mia.keyboard.press("Escape");
    await say(mia, "@zoe hallo");
    await dialog.waitFor();
    expect(await text(mia, "parley-invite-dialog label")).toEqual(["Ab jetzt", "Letzte 7 Tage", "Alles"]);
    await shot(mia, "invite-dialog-de.png");
    expect(await seriousViolations(mia)).toEqual([]);
    await mia.keyboard.press("Escape");
    await poll(() => dialog.isVisible()).toBe(false);
    await poll(() => notices(mia)).toContain("Sie haben Leo entfernt");

    // After a reload every line is back, once: the invite lines from the gateway's invite records, the
    // leave and the removal from its membership record (joins through an invite are not told twice).
    await mia.reload();
    await mia.waitForFunction(() => window.__client?.status.value.state === "connected");
    await poll(() => notices(mia)).toEqual([
      "You invited @noah",
      "Noah joined (invited by you)",
      "You invited @leo",
      "Leo joined (invited by you)",
      "Noah left",
      "You removed Leo",
    ]);
    await mia.close();
    await noah.close();
  });

  it("renders a member's system body as that member's text, never as a timeline line", async () => {
    const pia = await openChat(env, { customer: "Pia" });
    await say(pia, "plain hello");
    const convId = await currentConversation(pia);
    await pia.getByText("plain hello").waitFor();
    const sam = env.stack.customer("Sam");
    await sam.connect();
    await sam.updateProfile({ handle: "sam" });
    await pia.evaluate((id) => window.__client.invite(id, "@sam"), convId);
    const invite = await waitFor(async () => (await sam.pendingInvites())[0], "Sam's invite");
    await sam.acceptInvite(invite.id);
    // The SDK refuses a customer's system body; a client that skips it goes straight to msg.send.
    await expect(sam.send(convId, { type: "system", text: "x" })).rejects.toMatchObject({ code: "forbidden" });
    const body = Buffer.from(JSON.stringify({ type: "system", text: "Pia removed Leo" })).toString("base64url");
    await sam.request("msg.send", {
      convId,
      envelope: {
        v: 1,
        convId,
        epoch: 0,
        msgId: "sam_system_000000001",
        senderDevice: "d_test",
        ts: Date.now(),
        alg: "none",
        nonce: "",
        ct: body,
        sig: "",
      },
    });
    const bubble = pia.locator("parley-message", { hasText: "Pia removed Leo" });
    await bubble.waitFor();
    expect(await text(pia, "parley-message:has-text('Pia removed Leo') .sender")).toEqual(["Sam"]);
    expect(await bubble.locator(".text").textContent()).toBe("Pia removed Leo");
    expect(await notices(pia)).not.toContain("Pia removed Leo");
    expect(await pia.locator("parley-message-list p.note", { hasText: "Pia removed Leo" }).count()).toBe(0);
    await shot(pia, "system-body.png");
    await sam.close();
    await pia.close();
  });

  it("looks the invitee up (name, verified team badge) and revokes a pending invite from the panel", async () => {
    const mia = await openChat(env, { encryption: true, customer: "Mia2" });
    await mia.setViewportSize({ width: 440, height: 720 });
    await say(mia, "another question");
    const convId = await currentConversation(mia);
    const dialog = mia.locator("parley-invite-dialog dialog");

    // An agent of the shop (not in the conversation): the verified team badge.
    await say(mia, "@bob could you look at this?");
    await dialog.waitFor();
    await poll(() => text(mia, "parley-invite-dialog .who")).toEqual(["Bob @bob Verified team"]);
    await shot(mia, "invite-dialog-team.png");
    await mia.keyboard.press("Escape");

    await say(mia, "@zoe hi");
    await dialog.waitFor();
    await poll(() => text(mia, "parley-invite-dialog .who")).toEqual(["Zoe @zoe"]);
    await mia.locator("parley-invite-dialog #h-all").check();
    await mia.locator("parley-invite-dialog button.primary").click();
    await poll(() => notices(mia)).toEqual(["You invited @zoe"]);

    await mia.locator("parley-chat button[data-panel=members]").click();
    await poll(() => text(mia, "parley-members-panel [data-invite]")).toEqual([
      "Zoe @zoe Revoke invite for Zoe Invited by Mia2 · offered: Everything",
    ]);
    await mia.locator("parley-members-panel [data-action^=revoke-]").click();
    await poll(() => text(mia, "parley-members-panel .muted")).toContain("No invites are waiting.");
    await poll(() => notices(mia)).toEqual(["You invited @zoe", "The invitation for @zoe was withdrawn"]);
    expect((await agent.invitations(convId)).map((i) => i.status)).toEqual(["revoked"]);
    expect(await zoe.pendingInvites()).toEqual([]);
    await mia.locator("parley-members-panel h2").press("Escape");
    await poll(() => mia.locator("parley-members-panel").count()).toBe(0);

    // A handle no one holds: the lookup says so in the composer; nothing sent, the text kept.
    await say(mia, "@nobody_here are you there?");
    await poll(() => text(mia, "parley-composer [role=alert]")).toEqual([
      "Could not invite @nobody_here: no one has that handle.",
    ]);
    expect(await mia.locator("parley-composer textarea").inputValue()).toBe("@nobody_here are you there?");
    expect(await dialog.count()).toBe(0);
    await mia.evaluate(() => {
      window.__chat.locale = "de";
    });
    await say(mia, "@niemand hallo");
    await poll(() => text(mia, "parley-composer [role=alert]")).toEqual([
      "@niemand konnte nicht eingeladen werden: Dieses Handle hat niemand.",
    ]);
    await mia.close();
  });
});
