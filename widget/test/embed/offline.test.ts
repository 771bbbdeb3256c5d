// The network goes away under the embedded widget, in real Chromium through
// the real storefront, launcher and frame against a real gateway: the chat
// says it is offline or reconnecting, stops claiming the team is online, shows
// a message written meanwhile as waiting for the network (not "Sending…"
// forever, not "Not sent"), and once the network is back it is delivered
// exactly once and every offline state clears.
//
// Two real ways to lose the network: Chromium's own offline switch (what the
// browser does when the device loses its connection: requests fail and the
// page hears `offline`, while an open WebSocket may linger), and the WebSocket
// port itself going dark (a TCP proxy in front of nats-server drops every
// connection and refuses new ones, as a partition would).

import { startTcpProxy, type TcpProxy, waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import type { Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath, type BrowserSession, launchChromium } from "../harness/browser.js";
import { chatFrame, type Embed, exposeLauncherRoot, logIn, startEmbed } from "./fixtures.js";

type Win = Window & { Parley: (...args: unknown[]) => unknown };

/** What the chat shows about the connection: banner, presence line, and the state of a message. */
function shown(frame: Frame, text: string) {
  return frame.evaluate((t) => {
    const chat = document.querySelector("parley-chat")?.shadowRoot;
    const banner = chat?.querySelector("parley-connection-status")?.shadowRoot?.querySelector("[part=status]");
    const presence = chat?.querySelector("parley-presence")?.shadowRoot?.querySelector("[part=presence]");
    const list = chat?.querySelector("parley-message-list")?.shadowRoot;
    let state: string | undefined;
    let meta: string | undefined;
    for (const m of list?.querySelectorAll("parley-message") ?? []) {
      if (!m.shadowRoot?.querySelector(".bubble")?.textContent?.includes(t)) continue;
      state = m.shadowRoot.querySelector<HTMLElement>(".meta [data-state]")?.dataset.state;
      meta = m.shadowRoot.querySelector(".meta")?.textContent?.replace(/\s+/g, " ").trim();
    }
    return {
      banner: banner?.textContent?.trim() ?? "",
      presence: presence?.textContent?.trim() ?? "",
      state,
      meta,
    };
  }, text);
}

describe("the embedded widget without a network", () => {
  let embed: Embed;
  let browser: BrowserSession;
  let agent: ParleyClient;
  let proxy: TcpProxy;
  const received: string[] = [];
  const convOf = new Map<string, string>();

  beforeAll(async () => {
    embed = await startEmbed();
    agent = embed.stack.agent({ encryption: true });
    agent.on("message", ({ conversationId, message }) => {
      const text = message.body?.type === "text" ? message.body.text : "";
      received.push(text);
      if (text.startsWith("opening ")) convOf.set(text, conversationId);
    });
    await agent.connect();
    // From here on, sessions (and the frame's CSP) name a proxy in front of nats-server's WebSocket,
    // which the test can cut: the gateway reads this list per request. The agent keeps its direct link.
    proxy = await startTcpProxy({ host: "127.0.0.1", port: Number(new URL(embed.stack.nats.wsUrl).port) });
    embed.stack.config.natsWsUrls.splice(0, Number.POSITIVE_INFINITY, `ws://127.0.0.1:${proxy.port}`);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await agent?.close();
    await proxy?.close();
    await embed?.[Symbol.asyncDispose]();
  });

  async function openChat(page: Page, name: string): Promise<Frame> {
    await exposeLauncherRoot(page);
    await logIn(page, embed.storefront, name);
    await page.click("parley-launcher");
    const frame = await chatFrame(page);
    const opening = `opening ${name} ${crypto.randomUUID()}`;
    const composer = frame.getByRole("textbox").first();
    await composer.fill(opening);
    await composer.press("Enter");
    await waitFor(() => convOf.get(opening), "the agent to read the opening message", 30_000);
    await waitFor(async () => (await shown(frame, opening)).presence === "Ada is online", "Ada to show as online");
    return frame;
  }

  for (const way of ["the browser goes offline", "the WebSocket port goes dark"] as const) {
    it(`${way}: offline banner, no "online" claim, the message waits for the network; delivered once when back`, async () => {
      const page = await browser.newPage();
      try {
        await run(page);
      } finally {
        await browser.context.setOffline(false);
        proxy.restore();
        await page.close();
      }
    });
    const run = async (page: Page) => {
      const frame = await openChat(page, way === "the browser goes offline" ? "Otto" : "Petra");
      expect((await shown(frame, "opening")).banner).toBe("");

      // The frame fetches the German catalog the first time German is asked for (i18n loadCatalog); a
      // visitor who had German before the outage has it. Fetch it now, then take the network away.
      await page.evaluate(() => (window as unknown as Win).Parley("locale", "de"));
      const placeholder = () => frame.getByRole("textbox").first().getAttribute("placeholder");
      await waitFor(async () => (await placeholder()) === "Nachricht schreiben…", "the German catalog");
      await page.evaluate(() => (window as unknown as Win).Parley("locale", "en"));
      await waitFor(async () => (await placeholder()) === "Write a message…", "English again");

      if (way === "the browser goes offline") await browser.context.setOffline(true);
      else proxy.cut();

      const text = `written offline ${crypto.randomUUID()}`;
      const composer = frame.getByRole("textbox").first();
      await composer.fill(text);
      await composer.press("Enter");
      let seen: unknown;
      const offline = await waitFor(async () => {
        const s = await shown(frame, text);
        seen = s;
        return s.banner !== "" && s.state === "queued" ? s : undefined;
      }, "the chat to show it is offline and the message waiting").catch((err: Error) => {
        throw new Error(`${err.message}; it shows ${JSON.stringify(seen)}`);
      });
      expect(offline.banner).toMatch(/offline|reconnecting/i);
      expect(offline.presence).not.toMatch(/online/i);
      expect(offline.meta).toBe("Waiting for network");
      await page.screenshot({
        path: artifactPath(`widget-offline-${way === "the browser goes offline" ? "browser" : "port"}.png`),
      });
      // In German too.
      await page.evaluate(() => (window as unknown as Win).Parley("locale", "de"));
      await waitFor(async () => (await shown(frame, text)).meta === "Wartet auf Netzwerk", "the German pending text");
      await page.evaluate(() => (window as unknown as Win).Parley("locale", "en"));
      expect(received).not.toContain(text);

      if (way === "the browser goes offline") await browser.context.setOffline(false);
      else proxy.restore();

      await waitFor(
        async () => {
          const s = await shown(frame, text);
          return s.banner === "" && s.state === "sent" && s.presence === "Ada is online";
        },
        "the chat to be back online with the message sent",
        60_000,
      );
      await waitFor(() => received.includes(text), "the agent to receive the message");
      // Nothing left to send, and the agent got it once (a later message proves the stream moved on).
      const after = `after ${crypto.randomUUID()}`;
      await composer.fill(after);
      await composer.press("Enter");
      await waitFor(() => received.includes(after), "the next message");
      expect(received.filter((t) => t === text)).toHaveLength(1);
    };
  }
});
