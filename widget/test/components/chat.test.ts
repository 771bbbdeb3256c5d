// <parley-chat> in real Chromium against a real gateway and nats-server: a
// customer in the page and an agent SDK client in Node talk end to end with
// encryption, and the bubble's delivery state goes sending -> sent, or shows
// "Not sent" with a working Retry while the gateway is down. A message typed
// while the chat still connects leaves the composer and goes out once connected.
// The composer's keys: Shift+Enter, and the @ list's arrows, Enter, Tab and Escape.

import { collectTexts, waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureEnv, openChat, poll, startFixtureEnv } from "./fixture.js";

/** A valid 1x1 PNG. */
const PNG_1X1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

describe("<parley-chat> with a real customer client", () => {
  let env: FixtureEnv;
  let agent: ParleyClient;
  let toAgent: Map<string, string[]>;
  let page: Page;
  let convId: string;

  beforeAll(async () => {
    env = await startFixtureEnv();
    agent = env.stack.agent({ encryption: true });
    toAgent = collectTexts(agent);
    await agent.connect(); // the admin agent's device makes the team key
    page = await openChat(env, { encryption: true, customer: "widget-e2e", shopName: "Test Shop" });
  });
  afterAll(async () => {
    await agent?.close();
    await env?.close();
  });

  const bubble = (text: string) => page.locator("parley-message", { hasText: text });

  it("sends a message the agent decrypts, and renders the agent's reply", async () => {
    await poll(() => page.locator("parley-chat header h2").textContent()).toBe("Test Shop");
    await poll(() => page.locator("parley-message-list .empty h2").textContent()).toBe("Ask us anything");
    const input = page.locator("parley-composer textarea");
    await input.fill("Hello from the widget");
    await input.press("Enter");
    convId = await page.waitForFunction(() => window.__chat.current).then((h) => h.jsonValue() as Promise<string>);
    await waitFor(() => toAgent.get(convId)?.includes("Hello from the widget"), "the agent to decrypt the message");
    await poll(() => bubble("Hello from the widget").locator("[data-state]").getAttribute("data-state")).toBe("sent");
    expect(await input.inputValue()).toBe("");

    await agent.send(convId, "Hi! How can I help?");
    await poll(() => bubble("How can I help").locator(".sender").textContent()).toBe("Ada");
    const stored = await env.stack.gateway.store.since(convId, 0, 10);
    expect(stored.every((m) => m.envelope.alg === "xc20p-ed25519")).toBe(true);
  });

  it("takes a message typed while the chat still connects: the composer clears, the message goes out once connected", async () => {
    let connect = () => {};
    const held = new Promise<void>((resolve) => {
      connect = resolve;
    });
    const early = await openChat(env, { encryption: true, customer: "widget-early", tokenAfter: held });
    const input = early.locator("parley-composer textarea");
    await input.fill("typed before the connection");
    await input.press("Enter");
    await poll(() => input.inputValue()).toBe("");
    expect(await early.evaluate(() => window.__client.status.value.state)).toBe("connecting");
    connect();
    const sent = early.locator("parley-message", { hasText: "typed before the connection" });
    await poll(() => sent.locator("[data-state]").getAttribute("data-state")).toBe("sent");
    const earlyConv = await early.evaluate(() => window.__chat.current ?? "");
    await waitFor(() => toAgent.get(earlyConv)?.includes("typed before the connection"), "the early message");
    expect(await sent.count()).toBe(1);
    expect(await early.locator("parley-composer [role=alert]").count()).toBe(0);
    await early.close();
  });

  it("Shift+Enter makes a new line instead of sending", async () => {
    const input = page.locator("parley-composer textarea");
    await input.fill("line one");
    await input.press("Shift+Enter");
    await input.pressSequentially("line two");
    expect(await input.inputValue()).toBe("line one\nline two");
    await input.press("Enter");
    await waitFor(() => toAgent.get(convId)?.includes("line one\nline two"), "the two-line message");
  });

  it("moves through the @ list with the arrows (wrapping), picks with Enter or Tab, and Escape closes it", async () => {
    // A composer of its own: the chat's would get its people replaced whenever presence or members change.
    await page.evaluate(() => {
      const host = document.createElement("div");
      host.id = "mention-test";
      const composer = document.createElement("parley-composer");
      composer.mentionable = [
        { handle: "ada", displayName: "Ada", member: true },
        { handle: "alan", displayName: "Alan", member: true },
        { handle: "bea", displayName: "Bea", member: true },
      ];
      host.append(composer);
      document.body.append(host);
    });
    const input = page.locator("#mention-test parley-composer textarea");
    const options = page.locator("#mention-test parley-composer [role=option]");
    const texts = async (l: typeof options) => (await l.allTextContents()).map((t) => t.trim());
    const selected = () => texts(page.locator("#mention-test parley-composer [role=option][aria-selected=true]"));
    await input.fill("");
    await input.pressSequentially("hi @a");
    await poll(() => texts(options)).toEqual(["Ada@ada", "Alan@alan"]);
    expect(await selected()).toEqual(["Ada@ada"]);
    expect(await input.getAttribute("aria-activedescendant")).toBe("mention-0");
    await input.press("ArrowDown");
    await poll(selected).toEqual(["Alan@alan"]);
    expect(await input.getAttribute("aria-activedescendant")).toBe("mention-1");
    await input.press("ArrowDown"); // wraps to the first
    await poll(selected).toEqual(["Ada@ada"]);
    await input.press("ArrowUp"); // wraps to the last
    await poll(selected).toEqual(["Alan@alan"]);
    await input.press("Enter"); // picks instead of sending
    await poll(() => input.inputValue()).toBe("hi @alan ");
    expect(await options.count()).toBe(0);
    expect(await input.getAttribute("aria-activedescendant")).toBeNull();
    await input.pressSequentially("@b");
    await poll(selected).toEqual(["Bea@bea"]);
    await input.press("Tab");
    await poll(() => input.inputValue()).toBe("hi @alan @bea ");
    await input.pressSequentially("@");
    await poll(() => options.count()).toBe(3);
    await input.press("Escape");
    await poll(() => options.count()).toBe(0);
    expect(await input.inputValue()).toBe("hi @alan @bea @");
    await page.evaluate(() => document.getElementById("mention-test")?.remove());
  });

  it("shows sending while the gateway is down, then sent once it is back", async () => {
    await page.evaluate(() => {
      window.__chat.stallAfter = 600_000;
    });
    await env.stack.gateway.stop();
    const input = page.locator("parley-composer textarea");
    await input.fill("sent while the gateway is down");
    await input.press("Enter");
    const state = bubble("sent while the gateway is down").locator("[data-state]");
    await poll(() => state.getAttribute("data-state")).toBe("sending");
    await env.stack.restartGateway();
    await poll(() => state.getAttribute("data-state"), 20_000).toBe("sent");
    await waitFor(() => toAgent.get(convId)?.includes("sent while the gateway is down"), "the delayed message");
  });

  it("marks a message not sent when the gateway stays unreachable; Retry sends it", async () => {
    await page.evaluate(() => {
      window.__chat.stallAfter = 500;
    });
    await env.stack.gateway.stop();
    const input = page.locator("parley-composer textarea");
    await input.fill("retry me");
    await input.press("Enter");
    const msg = bubble("retry me");
    await poll(() => msg.locator("[data-state]").getAttribute("data-state")).toBe("failed");
    await poll(() => msg.locator("button", { hasText: "Retry" }).count()).toBe(1);
    await env.stack.restartGateway();
    // Retry sends it at once; the outbox would also send it by itself once the gateway answers, and a
    // reconnect re-renders the row (the stall clock starts again), so the button may be replaced or
    // gone by the time it is clicked. Click it while it is offered, until the message is sent.
    const retry = msg.locator("button", { hasText: "Retry" });
    await waitFor(async () => {
      if ((await msg.locator("[data-state]").getAttribute("data-state")) === "sent") return true;
      if ((await retry.count()) === 1) await retry.click({ timeout: 1_000 }).catch(() => undefined);
      return false;
    }, "the retried message to be sent");
    await waitFor(() => toAgent.get(convId)?.includes("retry me"), "the retried message");
    expect(toAgent.get(convId)?.filter((t) => t === "retry me")).toHaveLength(1);
  });

  it("shows the agent typing, and Seen once the agent read the customer's last message", async () => {
    agent.typing(convId, true);
    await poll(() => page.locator("parley-typing-indicator [part=typing]").textContent()).toContain("Ada is typing");
    agent.typing(convId, false);
    await poll(() => page.locator("parley-typing-indicator [part=typing]").textContent()).toBe("");
    const input = page.locator("parley-composer textarea");
    await input.fill("Please read this");
    await input.press("Enter");
    const state = bubble("Please read this").locator("[data-state]");
    await poll(() => state.getAttribute("data-state")).toBe("sent");
    const seq = await page.evaluate(() => window.__client.conversation(window.__chat.current ?? "").value.lastSeq);
    await agent.markRead(convId, seq);
    await poll(() => state.getAttribute("data-state")).toBe("seen");
    expect(await state.textContent()).toBe("Seen");
    expect(await page.locator("parley-message [data-state=seen]").count()).toBe(1);
  });

  it("counts unread while the page is hidden and marks read when it is visible again", async () => {
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" });
    });
    await agent.send(convId, "While you were away");
    await poll(() => page.evaluate(() => window.__unread.at(-1))).toBe(1);
    await page.evaluate(() => {
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "visible" });
      document.dispatchEvent(new Event("visibilitychange"));
    });
    await poll(() => page.evaluate(() => window.__unread.at(-1))).toBe(0);
    // The agent sees the customer's marker move up to the newest message.
    const customerId = await page.evaluate(() => window.__client.principal.id);
    const newest = await page.evaluate(() => window.__client.conversation(window.__chat.current ?? "").value.lastSeq);
    await poll(() => agent.conversation(convId).value.readBy[customerId] ?? 0).toBe(newest);
  });

  it("invites by a leading @handle of a non-member, then sends the message", async () => {
    const friend = env.stack.customer("widget-friend");
    await friend.connect();
    await friend.updateProfile({ handle: "widget_friend" });
    const invited = new Promise<string>((resolve) => friend.on("invite", (i) => resolve(i.convId)));
    const input = page.locator("parley-composer textarea");
    await input.fill("@widget_friend can you help me choose?");
    await input.press("Enter");
    // The confirmation (members.test.ts covers it): Invite with the default history.
    await page.locator("parley-invite-dialog button.primary").click();
    expect(await invited).toBe(convId);
    await poll(() => page.locator("parley-composer [role=status]").textContent()).toBe("Invited @widget_friend");
    await waitFor(
      () => toAgent.get(convId)?.includes("@widget_friend can you help me choose?"),
      "the message after the invite",
    );
    await friend.close();
  });

  it("attaches an image with a preview, uploads it, and shows thumbnails both ways", async () => {
    const png = Buffer.from(PNG_1X1, "base64");
    await page
      .locator("parley-composer input[type=file]")
      .setInputFiles({ name: "photo.png", mimeType: "image/png", buffer: png });
    const preview = page.locator("parley-composer [part=attachments] img");
    await poll(() => preview.getAttribute("src")).toMatch(/^blob:/);
    await page.locator("parley-composer [part=send-button]").click();
    const received = await waitFor(
      () => agent.conversation(convId).value.messages.find((m) => m.body?.type === "file"),
      "the agent to receive the file message",
    );
    if (received.body?.type !== "file") throw new Error("not a file");
    expect(received.body.file.name).toBe("photo.png");
    expect(received.body.file.image).toEqual({ width: 1, height: 1 });
    expect(Buffer.from(await agent.downloadFile(convId, received.body.file))).toEqual(png);
    await poll(() => page.locator("parley-composer [part=attachments]").count()).toBe(0);
    const own = page.locator("parley-message[own]", { hasText: "photo.png" });
    await poll(() => own.locator("img").getAttribute("src")).toMatch(/^blob:/);

    await agent.sendFile(convId, new Uint8Array(png), {
      name: "reply.png",
      mime: "image/png",
      image: { width: 1, height: 1 },
    });
    const theirs = page.locator("parley-message:not([own])", { hasText: "reply.png" });
    await poll(() => theirs.locator("img").getAttribute("src")).toMatch(/^blob:/);
    expect(await theirs.locator("img").getAttribute("alt")).toBe("Image: reply.png");
    expect(await theirs.locator(".file button").getAttribute("aria-label")).toBe("Download reply.png");
  });

  it("shows a device-change notice when the agent writes from a new device, with its security code", async () => {
    const laptop = env.stack.agent({ encryption: true }); // a fresh storage: a new device for Ada
    await laptop.connect();
    await waitFor(async () => {
      try {
        await laptop.send(convId, "from my new laptop");
        return true;
      } catch {
        return false; // the team key reaches the new device once the first device wraps it
      }
    }, "the new device to send");
    await page.locator("parley-message", { hasText: "from my new laptop" }).waitFor();
    const notice = page.locator("parley-device-notice [part=notice]");
    await poll(() => notice.count()).toBeGreaterThan(0);
    expect(await notice.first().locator("span").first().textContent()).toBe("Ada added a new device");
    await notice.first().getByRole("button", { name: "View security code" }).click();
    await poll(() => notice.first().locator("code").textContent()).toMatch(/^\d{5}( \d{5}){11}$/);
    await notice.first().getByRole("button", { name: "Dismiss notice" }).click();
    await laptop.close();
  });

  it("tells the visitor of their own new device in the second person, in German too", async () => {
    const phone = env.stack.customer("widget-e2e", { encryption: true }); // the same customer, a new device
    await phone.connect();
    await phone.send(convId, "from my phone");
    await page.locator("parley-message", { hasText: "from my phone" }).waitFor();
    const own = page.locator("parley-device-notice [part=notice]", { hasText: "You added a new device" });
    await poll(() => own.count()).toBe(1);
    // Not "{name} added…" with the name "You": German needs its own sentence ("Sie haben", not "Sie hat").
    await page.evaluate(() => {
      window.__chat.locale = "de";
    });
    const german = page.locator("parley-device-notice [part=notice]", {
      hasText: "Sie haben ein neues Gerät hinzugefügt",
    });
    await poll(() => german.count()).toBe(1);
    await german.getByRole("button", { name: "Hinweis schließen" }).click();
    await page.evaluate(() => {
      window.__chat.locale = "en";
    });
    await phone.close();
  });

  it("shows a friend invited later, offered no history, nothing from before it joined", async () => {
    // The invite offers no history (the default): the gateway does not even serve what was said before
    // (its history floor, ADR 0024); the friend is told earlier messages are not shared, not that the
    // conversation starts here.
    const owner = env.stack.customer("widget-owner", { encryption: true });
    await owner.connect();
    const conv = await owner.openConversation();
    await owner.send(conv.id, "said before the friend joined");
    const friendPage = await openChat(env, { encryption: true, customer: "widget-late-friend" });
    await friendPage.evaluate(() => window.__client.updateProfile({ handle: "late_friend" }));
    await owner.invite(conv.id, "@late_friend");
    await friendPage.evaluate(async () => {
      const [invite] = await window.__client.pendingInvites();
      if (!invite) throw new Error("no invite");
      await window.__client.acceptInvite(invite.id);
    });
    await waitFor(async () => {
      const { commits } = await owner.request("epoch.list", { convId: conv.id, after: 1 });
      return commits.some((c) => c.reason === "add");
    }, "the owner's add commit");
    await owner.send(conv.id, "said after the friend joined");
    await friendPage.evaluate((id) => {
      window.__chat.conversationId = id;
    }, conv.id);
    const after = friendPage.locator("parley-message", { hasText: "said after the friend joined" });
    await after.waitFor();
    await poll(() => friendPage.locator("parley-message").count()).toBe(1);
    expect(await friendPage.locator("parley-history-notice [part=notice]").allTextContents()).toEqual([
      "Earlier messages aren't shared with you.",
    ]);
    expect(await friendPage.getByText("This is the start of the conversation").count()).toBe(0);
    expect(await friendPage.locator("parley-message .unreadable").count()).toBe(0);
    const bubbles = await friendPage.locator("parley-message .bubble").allTextContents();
    expect(bubbles.filter((t) => t.includes("said before"))).toEqual([]);
    await owner.close();
  });

  it("reports no page errors", () => {
    expect(env.browser.errors.filter((e) => !e.includes("Failed to load resource"))).toEqual([]);
  });
});
