// Invites and members on the merchant dashboard, against the real gateway and
// nats-server in Chromium, with what the gateway on this branch answers: an
// invite to a colleague (made through the SDK, offering the last 7 days)
// reaches the colleague's dashboard (a second browser, in German) as a badge
// and an invites list; accepting opens the conversation; both members panels
// show who invited whom; Leave, Remove, Decline; the reply box offers the
// invite dialog for a leading @handle; axe finds nothing serious in either
// language. The dialog's lookup, Revoke and Block are in group-invites.test.ts.

import { AGENT_LOGIN, AGENT_PASSWORD, type TestStack, waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import type { BrowserSession } from "@parley/widget/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DashboardServer } from "../serve.js";
import { axeSerious, BOB, shot, signIn, startTeamDashboard, type TeamDashboard } from "./group-helpers.js";

describe("invites and members on the dashboard", () => {
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

  const members = (page: Page) => page.locator("dashboard-members ul[data-list=members] > li");
  const member = (page: Page, name: string) => members(page).filter({ hasText: name });
  const open = async (page: Page, id: string) => {
    await page.bringToFront();
    await page.click(`dashboard-inbox li[data-conv-id="${id}"]`);
    await page.locator("dashboard-members ul[data-list=members]").waitFor();
  };

  let team: TeamDashboard;
  beforeAll(async () => {
    team = await startTeamDashboard();
    ({ stack, dashboard, english, german, adaSdk, cleo, mia } = team);
  });
  afterAll(async () => {
    await team?.close();
  });

  it("an invite offering the last 7 days reaches the colleague's dashboard: badge, list, accept opens the conversation", async () => {
    ada = await signIn(english, dashboard.url, AGENT_LOGIN, AGENT_PASSWORD);
    const conv = await mia.openConversation();
    convId = conv.id;
    await mia.send(convId, "My order never arrived");
    await open(ada, convId);
    await ada.locator("dashboard-conversation parley-message").getByText("My order never arrived").waitFor();

    bob = await signIn(german, dashboard.url, BOB.login, BOB.password);
    expect(await bob.locator("[data-invite-count]").count()).toBe(0);
    const invite = await adaSdk.invite(convId, "@bob", { history: "7d" });
    expect(invite.history).toBe("7d");

    // The badge counts it, live; the button says so to screen readers.
    await bob.waitForSelector('[data-action=invites] [data-invite-count="1"]');
    expect(await bob.textContent("[data-action=invites] .sr-only")).toBe("(offene Einladungen: 1)");
    await bob.click("[data-action=invites]");
    expect(await bob.getAttribute("[data-action=invites]", "aria-expanded")).toBe("true");
    const item = bob.locator(`dashboard-invites li[data-invite-id="${invite.id}"]`);
    await item.waitFor();
    expect(await item.locator("[data-field=inviter]").textContent()).toBe("Ada lädt dich ein");
    expect(await item.locator("[data-field=conversation]").textContent()).toBe("Unterhaltung mit Mia");
    expect(await item.locator("[data-field=history]").textContent()).toBe("Angebotener Verlauf: Letzte 7 Tage");
    expect(await item.locator("[data-field=expires]").textContent()).toMatch(/^Läuft ab: .*\d/);
    // The list is focused when opened, and keyboard-operable.
    expect(await bob.evaluate(() => document.activeElement?.localName)).toBe("dashboard-app");
    expect(await bob.locator("dashboard-invites h2:focus").count()).toBe(1);
    expect(await axeSerious(bob)).toEqual([]);
    await shot(bob, "invites-list-de");

    await item.locator("[data-action=accept]").focus();
    await bob.keyboard.press("Enter");
    // Accepted: the list closes, the badge goes, and the conversation opens with Bob in it.
    await bob.locator("dashboard-invites").waitFor({ state: "detached" });
    await bob.locator("[data-invite-count]").waitFor({ state: "detached" });
    await bob.locator("dashboard-conversation h2").getByText("Mia").waitFor();
    await member(bob, "Bob (du)").waitFor();
    expect(await member(bob, "Bob (du)").locator("[data-field=invited-by]").textContent()).toBe("eingeladen von Ada");
    expect(await member(bob, "Bob (du)").locator("[data-badge=team]").count()).toBe(1);
    expect(await member(bob, "Mia").getAttribute("data-role")).toBe("owner");
    expect(await member(bob, "Bob (du)").locator("[data-action=leave]").textContent()).toContain(
      "Unterhaltung verlassen",
    );
    expect(await axeSerious(bob)).toEqual([]);
    await shot(bob, "accepted-conversation-de");
  });

  it("the inviter's members panel shows who invited whom; Leave and Remove take people out", async () => {
    await ada.bringToFront();
    await member(ada, "Bob").locator("[data-field=invited-by]").waitFor();
    expect(await member(ada, "Bob").locator("[data-field=invited-by]").textContent()).toBe("invited by Ada");
    expect(await member(ada, "Bob").locator("[data-role=agent]").textContent()).toBe("Agent");
    expect(await member(ada, "Mia").locator("[data-role=owner]").textContent()).toBe("Owner");
    // The owner cannot be removed; Ada (the team, not a member here) has no Leave.
    expect(await member(ada, "Mia").locator("button").count()).toBe(0);
    expect(await ada.locator("dashboard-members [data-action=leave]").count()).toBe(0);
    expect(await axeSerious(ada)).toEqual([]);
    await shot(ada, "members-panel-en");

    // Bob leaves from his panel: gone from Ada's.
    await bob.bringToFront();
    await member(bob, "Bob (du)").locator("[data-action=leave]").click();
    await ada.bringToFront();
    await member(ada, "Bob").waitFor({ state: "detached" });
    expect((await mia.members(convId)).map((m) => m.displayName).sort()).toEqual(["Mia"]);

    // Cleo joins (through the SDK); Ada removes her with the keyboard.
    const toCleo = await adaSdk.invite(convId, "@cleo");
    const pending = await waitFor(
      async () => (await cleo.pendingInvites()).find((i) => i.id === toCleo.id),
      "Cleo's invite",
    );
    await cleo.acceptInvite(pending.id);
    const remove = member(ada, "Cleo").locator("[data-action=remove]");
    await remove.waitFor();
    expect(await remove.textContent()).toContain("Remove Cleo");
    await remove.focus();
    await ada.keyboard.press("Enter");
    await member(ada, "Cleo").waitFor({ state: "detached" });
    expect((await mia.members(convId)).some((m) => m.displayName === "Cleo")).toBe(false);
  });

  it("Decline takes an invite off the agent's list; the English list passes axe", async () => {
    await ada.bringToFront();
    const other = await stack.customer("Noor", { encryption: true });
    team.track(other);
    await other.connect();
    const conv = await other.openConversation();
    const invite = await cleo.invite(conv.id, "@ada", { history: "all" });
    await ada.waitForSelector('[data-action=invites] [data-invite-count="1"]');
    await ada.click("[data-action=invites]");
    const item = ada.locator(`dashboard-invites li[data-invite-id="${invite.id}"]`);
    await item.waitFor();
    expect(await item.locator("[data-field=inviter]").textContent()).toBe("Cleo invites you");
    await item.locator("[data-field=conversation]").getByText("Conversation with Noor").waitFor();
    expect(await item.locator("[data-field=history]").textContent()).toBe("History offered: Everything");
    expect(await axeSerious(ada)).toEqual([]);
    await shot(ada, "invites-list-en");
    await item.locator("[data-action=decline]").click();
    await item.waitFor({ state: "detached" });
    expect(await ada.textContent("dashboard-invites [role=status]")).toBe("No invites waiting for you.");
    expect(await adaSdk.pendingInvites()).toEqual([]);
    // Escape closes the list and gives focus back to its button.
    await ada.locator("dashboard-invites [data-action=close-invites]").focus();
    await ada.keyboard.press("Escape");
    await ada.locator("dashboard-invites").waitFor({ state: "detached" });
    expect(
      await ada.evaluate(() =>
        document.querySelector("dashboard-app")?.shadowRoot?.activeElement?.getAttribute("data-action"),
      ),
    ).toBe("invites");
  });

  it("a reply starting with someone's @handle offers the composer's invite, which asks to confirm first", async () => {
    await open(ada, convId);
    const invitesToCleo = async () =>
      (await adaSdk.invitations(convId)).filter((i) => i.inviteeHandle === "cleo").length;
    const before = await invitesToCleo();
    const box = ada.locator("dashboard-conversation parley-composer textarea");
    await box.fill("@cleo could you look at this?");
    const action = ada.locator("dashboard-conversation parley-composer .invite-action");
    await action.waitFor();
    expect((await action.textContent())?.trim()).toBe("Invite @cleo…");
    await action.click();
    const dialog = ada.locator("parley-invite-dialog dialog[open]");
    await dialog.waitFor();
    expect(await ada.locator("parley-invite-dialog label").allTextContents()).toEqual([
      "From now on",
      "Last 7 days",
      "Everything",
    ]);
    // Cancel: nothing is sent, and no invite is made.
    await ada.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    expect(await box.inputValue()).toBe("@cleo could you look at this?");
    expect(await invitesToCleo()).toBe(before);
    await box.fill("Thanks, on it.");
    await action.waitFor({ state: "detached" });
  });
});
