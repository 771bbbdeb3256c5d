// Group conversations on the merchant dashboard, the whole story of issue 13
// against the real gateway and nats-server in two Chromium browsers (Ada in
// English, her colleague Bob in German): Ada invites @bob from the open
// conversation with the invite dialog (lookup, confirmation with the verified
// team badge, "Last 7 days"); Bob's dashboard shows the badge and the invite
// (inviter with role and badge, customer, members, history, expiry); he
// accepts and the conversation opens; both members panels show who invited
// whom; a pending invite is revoked from the members panel; Block keeps an
// inviter's next invites away; axe finds nothing serious on the dialog, the
// invites list and the members panel in either language.
//
// Needs the gateway's handle.lookup, invite.revoke and invite.block and the
// invitee's view of an invite (inviter kind, shop, members), built on other
// branches of issue 13; invites.test.ts covers what runs without them.

import { AGENT_LOGIN, AGENT_PASSWORD, type TestStack, waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import type { BrowserSession } from "@parley/widget/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DashboardServer } from "../serve.js";
import { axeSerious, BOB, shot, signIn, startTeamDashboard, type TeamDashboard } from "./group-helpers.js";

describe("group conversations on the dashboard", () => {
  let stack: TestStack;
  let dashboard: DashboardServer;
  let english: BrowserSession;
  let german: BrowserSession;
  let ada: Page;
  let bob: Page;
  let adaSdk: ParleyClient;
  let cleo: ParleyClient;
  let mia: ParleyClient;
  let convId = "";

  const member = (page: Page, name: string) =>
    page.locator("dashboard-members ul[data-list=members] > li").filter({ hasText: name });
  const pending = (page: Page) => page.locator("dashboard-members ul[data-list=pending] > li");
  const dialog = (page: Page) => page.locator("dashboard-conversation dashboard-invite-dialog dialog[open]");
  /** The element focused inside the invite dialog's shadow root, by id or data-action. */
  const dialogFocus = (page: Page) =>
    page.evaluate(() => {
      const conv = document.querySelector("dashboard-app")?.shadowRoot?.querySelector("dashboard-conversation");
      const active = conv?.shadowRoot?.querySelector("dashboard-invite-dialog")?.shadowRoot?.activeElement;
      return active?.id || active?.getAttribute("data-action") || active?.getAttribute("value") || "";
    });
  const lookUp = async (page: Page, handle: string) => {
    await dialog(page).locator("#invite-handle").fill(handle);
    await dialog(page).locator("#invite-handle").press("Enter");
  };

  let team: TeamDashboard;
  beforeAll(async () => {
    team = await startTeamDashboard();
    ({ stack, dashboard, english, german, adaSdk, cleo, mia } = team);
  });
  afterAll(async () => {
    await team?.close();
  });

  it("Ada invites @bob from the conversation: lookup, confirmation with the team badge, Last 7 days", async () => {
    ada = await signIn(english, dashboard.url, AGENT_LOGIN, AGENT_PASSWORD);
    const conv = await mia.openConversation();
    convId = conv.id;
    await mia.send(convId, "My order never arrived");
    await ada.click(`dashboard-inbox li[data-conv-id="${convId}"]`);
    await ada.locator("dashboard-conversation parley-message").getByText("My order never arrived").waitFor();

    await ada.click("dashboard-conversation [data-action=invite]");
    await dialog(ada).waitFor();
    expect(await dialogFocus(ada)).toBe("invite-handle");
    await lookUp(ada, "@nobody_here");
    await dialog(ada).locator("[role=alert]").waitFor();
    expect(await dialog(ada).locator("[role=alert]").textContent()).toBe(
      "Could not invite @nobody_here: no one in this shop has that handle.",
    );

    await lookUp(ada, "bob");
    const who = dialog(ada).locator("[data-invitee]");
    await who.waitFor();
    expect(await who.locator("[data-field=name]").textContent()).toBe("Bob");
    expect(await who.locator("[data-field=handle]").textContent()).toBe("@bob");
    expect(await who.locator("[data-badge=team]").getAttribute("aria-label")).toBe(
      "Verified member of the shop's team",
    );
    // "From now on" is the default, and focused.
    expect(await dialog(ada).locator("input[name=history]:checked").getAttribute("value")).toBe("none");
    expect(await dialogFocus(ada)).toBe("none");
    expect(await axeSerious(ada)).toEqual([]);
    await shot(ada, "invite-dialog-en");

    // With the keyboard: down to "Last 7 days", then send.
    await ada.keyboard.press("ArrowDown");
    expect(await dialog(ada).locator("input[name=history]:checked").getAttribute("value")).toBe("7d");
    await dialog(ada).locator("[data-action=send]").click();
    await dialog(ada).waitFor({ state: "detached" });
    expect(await ada.textContent("dashboard-conversation .info[role=status]")).toBe("Invited @bob.");
    // The pending invite shows in the members panel, with its history and Revoke.
    await pending(ada).first().waitFor();
    expect(await pending(ada).first().textContent()).toContain("Bob, invited by Ada · Last 7 days");
    const sent = (await adaSdk.invitations(convId)).filter((i) => i.status === "pending");
    expect(sent.map((i) => [i.inviteeName, i.history])).toEqual([["Bob", "7d"]]);
    expect(await axeSerious(ada)).toEqual([]);
    await shot(ada, "invite-pending-en");
  });

  it("Bob sees the badge and the invite in German, accepts, and the conversation opens; both panels say who invited whom", async () => {
    bob = await signIn(german, dashboard.url, BOB.login, BOB.password);
    await bob.waitForSelector('[data-action=invites] [data-invite-count="1"]');
    await bob.click("[data-action=invites]");
    const item = bob.locator("dashboard-invites li[data-invite-id]");
    await item.waitFor();
    expect(await item.locator("[data-field=inviter]").textContent()).toBe("Ada lädt dich ein");
    expect(await item.locator(".from [data-role=agent]").textContent()).toBe("Agent");
    expect(await item.locator(".from [data-badge=team]").count()).toBe(1);
    expect(await item.locator("[data-field=conversation]").textContent()).toBe("Unterhaltung mit Mia");
    expect(await item.locator("[data-field=shop]").textContent()).toBe("Shop: Test Shop");
    expect(await item.locator("[data-field=members]").textContent()).toContain("Mia (Inhaber)");
    expect(await item.locator("[data-field=history]").textContent()).toBe("Angebotener Verlauf: Letzte 7 Tage");
    expect(await item.locator("[data-field=expires]").textContent()).toMatch(/^Läuft ab: .*\d/);
    expect(await axeSerious(bob)).toEqual([]);
    await shot(bob, "invite-received-de");

    await item.locator("[data-action=accept]").click();
    await bob.locator("dashboard-invites").waitFor({ state: "detached" });
    await bob.locator("dashboard-conversation h2").getByText("Mia").waitFor();
    await member(bob, "Bob (du)").locator("[data-field=invited-by]").getByText("eingeladen von Ada").waitFor();
    expect(await bob.locator("[data-invite-count]").count()).toBe(0);
    expect(await axeSerious(bob)).toEqual([]);
    await shot(bob, "members-panel-de");

    await ada.bringToFront();
    await member(ada, "Bob").locator("[data-field=invited-by]").getByText("invited by Ada").waitFor();
    await pending(ada).first().waitFor({ state: "detached" });
    expect(await ada.textContent("dashboard-members section")).toContain("No pending invites.");
    await shot(ada, "members-panel-both-en");
  });

  it("Bob's invite dialog in German: confirmation for @cleo passes axe; Escape closes it", async () => {
    await bob.bringToFront();
    await bob.click("dashboard-conversation [data-action=invite]");
    await dialog(bob).waitFor();
    await lookUp(bob, "@cleo");
    await dialog(bob).locator("[data-invitee]").waitFor();
    expect(await dialog(bob).locator("legend").textContent()).toBe("Was die Person lesen kann");
    expect(await dialog(bob).locator("[data-invitee] [data-badge=team]").count()).toBe(1);
    expect(await axeSerious(bob)).toEqual([]);
    await shot(bob, "invite-dialog-de");
    await bob.keyboard.press("Escape");
    await dialog(bob).waitFor({ state: "detached" });
    expect((await adaSdk.invitations(convId)).filter((i) => i.status === "pending")).toEqual([]);
  });

  it("a pending invite is revoked from the members panel: it leaves the invitee's inbox", async () => {
    await ada.bringToFront();
    await ada.click("dashboard-conversation [data-action=invite]");
    await lookUp(ada, "@cleo");
    await dialog(ada).locator("[data-action=send]").click();
    await dialog(ada).waitFor({ state: "detached" });
    const line = pending(ada).filter({ hasText: "Cleo" });
    await line.waitFor();
    expect(await line.textContent()).toContain("Cleo, invited by Ada · From now on");
    await waitFor(async () => cleo.invites.value.some((i) => i.convId === convId), "Cleo's invite");
    const revoke = line.locator("[data-action=revoke]");
    expect(await revoke.textContent()).toContain("Revoke invite for Cleo");
    await revoke.focus();
    await ada.keyboard.press("Enter");
    await line.waitFor({ state: "detached" });
    await waitFor(async () => !cleo.invites.value.some((i) => i.convId === convId), "the invite to leave Cleo's inbox");
    expect((await cleo.pendingInvites()).filter((i) => i.convId === convId)).toEqual([]);
    const history = await adaSdk.invitations(convId);
    expect(history.find((i) => i.inviteeName === "Cleo")?.status).toBe("revoked");
    await shot(ada, "invite-revoked-en");
  });

  it("Block: the invite goes, and the blocked inviter's next invite never reaches the agent", async () => {
    await ada.bringToFront();
    const first = await cleo.invite(convId, "@ada");
    await ada.waitForSelector('[data-action=invites] [data-invite-count="1"]');
    await ada.click("[data-action=invites]");
    const item = ada.locator(`dashboard-invites li[data-invite-id="${first.id}"]`);
    await item.waitFor();
    expect(await item.locator(".from [data-badge=team]").count()).toBe(1);
    expect(await axeSerious(ada)).toEqual([]);
    await shot(ada, "invites-list-block-en");
    await item.locator("[data-action=block]").click();
    await item.waitFor({ state: "detached" });
    expect(await ada.textContent("dashboard-invites [role=status]")).toBe("No invites waiting for you.");
    expect((await adaSdk.blocked()).map((b) => b.principalId)).toEqual([cleo.principal.id]);

    const noor = stack.customer("Noor", { encryption: true });
    team.track(noor);
    await noor.connect();
    const other = await noor.openConversation();
    const again = await cleo.invite(other.id, "@ada");
    expect(again.status).toBe("pending");
    expect(await adaSdk.pendingInvites()).toEqual([]);
    expect(await ada.locator("[data-invite-count]").count()).toBe(0);
  });
});
