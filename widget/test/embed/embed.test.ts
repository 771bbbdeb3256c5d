// The widget embedded in a real storefront, in real Chromium, against a real
// gateway and nats-server: the launcher loads nothing before intent, the chat
// runs in the gateway-origin frame with end-to-end encryption, the storefront
// hears counts and metadata only, and the frame's CSP and bridge hold.
import type { ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../../gateway/test/helpers.js";
import { type BrowserSession, launchChromium } from "../harness/browser.js";
import { chatFrame, type Embed, exposeLauncherRoot, launcherState, logIn, startEmbed } from "./fixtures.js";

describe("the widget on a storefront", () => {
  let embed: Embed;
  let browser: BrowserSession;
  let agent: ParleyClient;
  const toAgent: Array<{ convId: string; text: string | undefined }> = [];

  beforeAll(async () => {
    embed = await startEmbed();
    // The admin agent's device makes the shop's team key, so customers' first epochs can wrap to it.
    agent = embed.stack.agent({ encryption: true });
    agent.on("message", ({ conversationId, message }) =>
      toAgent.push({ convId: conversationId, text: message.body?.type === "text" ? message.body.text : undefined }),
    );
    await agent.connect();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    await embed?.[Symbol.asyncDispose]();
  });

  it("chats end to end: storefront -> frame -> agent (decrypted) -> reply renders; badge counts while closed; the storefront sees no text", async () => {
    const page = await browser.newPage();
    await exposeLauncherRoot(page);
    await logIn(page, embed.storefront, "Mia");
    await page.evaluate(() => {
      const w = window as unknown as { __seen: unknown[]; Parley: (...a: unknown[]) => void };
      w.__seen = [];
      w.Parley("on", "unread", (e: unknown) => w.__seen.push(["unread", e]));
      w.Parley("on", "message", (e: unknown) => w.__seen.push(["message", e]));
    });
    await page.hover("parley-launcher");

    const frame = await chatFrame(page);
    await page.click("parley-launcher");

    const hello = `hello from the storefront ${crypto.randomUUID()}`;
    const composer = frame.getByRole("textbox").first();
    await composer.fill(hello);
    await composer.press("Enter");

    const received = await waitFor(() => toAgent.find((m) => m.text === hello), "the agent to decrypt the message");
    const reply = `reply ${crypto.randomUUID()}`;
    await agent.send(received.convId, reply);
    await frame.getByText(reply).waitFor();

    await page.evaluate(() => (window as unknown as { Parley: (c: string) => void }).Parley("close"));
    const more = [`more one ${crypto.randomUUID()}`, `more two ${crypto.randomUUID()}`];
    for (const text of more) await agent.send(received.convId, text);
    await waitFor(async () => (await launcherState(page)).badge === "2", "the badge to show 2");
    expect((await launcherState(page)).label).toBe("Open chat, 2 unread messages");

    const seen = (await page.evaluate(() => (window as unknown as { __seen: unknown[] }).__seen)) as Array<
      [string, Record<string, unknown>]
    >;
    expect(seen.filter(([k]) => k === "unread").map(([, e]) => e.count)).toContain(2);
    const messages = seen.filter(([k]) => k === "message").map(([, e]) => e);
    expect(messages.length).toBeGreaterThanOrEqual(4);
    for (const m of messages) expect(Object.keys(m).sort()).toEqual(["conversationId", "from", "ts"]);
    expect(messages.map((m) => m.from)).toEqual(["customer", "agent", "agent", "agent"]);
    const everything = JSON.stringify(seen);
    for (const text of [hello, reply, ...more]) expect(everything).not.toContain(text);
    // The unread count outlives the page: the storefront keeps it for the returning visitor.
    expect(await page.evaluate(() => localStorage.getItem("parley:unread:shop_test"))).toBe("2");
    await page.close();
  });
});
