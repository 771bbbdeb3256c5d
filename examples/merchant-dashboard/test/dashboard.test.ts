// The merchant dashboard against the real thing: nats-server and the gateway
// (serving the widget's frame), the example shop backend with the storefront,
// the dashboard served by its own server on a third origin, and two Chromium
// pages: a customer chatting through the widget and an agent on the dashboard.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { AGENT_LOGIN, AGENT_PASSWORD, SHOP_ID, type TestStack, waitFor } from "@parley/gateway/testing";
import {
  artifactPath,
  type BrowserSession,
  chatFrame,
  exposeLauncherRoot,
  launchChromium,
  logIn,
} from "@parley/widget/testing";
import type { Frame, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DashboardServer } from "../serve.js";
import { type DashboardShop, startDashboardShop } from "./fixtures.js";

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** Every text a page or frame holds, shadow roots and form values included. */
function deepText(target: Page | Frame): Promise<string> {
  return target.evaluate(() => {
    const parts: string[] = [];
    const walk = (node: Node) => {
      if (node.nodeType === Node.TEXT_NODE) parts.push(node.textContent ?? "");
      if (node instanceof HTMLInputElement || node instanceof HTMLTextAreaElement) parts.push(node.value);
      if (node instanceof Element && node.shadowRoot) walk(node.shadowRoot);
      for (const child of node.childNodes) walk(child);
    };
    walk(document);
    return parts.join("\n");
  });
}

/** Every value in the frame's IndexedDB databases, as JSON. */
function frameStorage(frame: Frame): Promise<string> {
  return frame.evaluate(async () => {
    const out: unknown[] = [];
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const open = indexedDB.open(info.name as string);
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      for (const store of db.objectStoreNames) {
        const all = db.transaction(store).objectStore(store).getAll();
        out.push(await new Promise((resolve) => (all.onsuccess = () => resolve(all.result))));
      }
      db.close();
    }
    return JSON.stringify(out);
  });
}

/** Every message body the customer's client decrypted (and its outbox), through the frame's `<parley-chat>`. */
function customerBodies(frame: Frame, convId: string): Promise<string[]> {
  return frame.evaluate((id) => {
    type State = { messages: Array<{ body?: unknown }>; pending: Array<{ body?: unknown }> };
    const chat = document.querySelector("parley-chat") as unknown as {
      client: { conversation(id: string): { value: State } };
    };
    const state = chat.client.conversation(id).value;
    return [...state.messages, ...state.pending].map((m) => JSON.stringify(m.body ?? null));
  }, convId);
}

describe("the merchant dashboard", () => {
  let shop: DashboardShop;
  let stack: TestStack;
  let backend: DashboardShop["backend"];
  let dashboard: DashboardServer;
  let browser: BrowserSession;
  let agent: Page;
  let customer: Page;
  let frame: Frame;
  let convId = "";
  const word = `zebra${crypto.randomUUID().slice(0, 8)}`;
  /** The newest message in the customer's conversation (sent by the agent after the note). */
  let after = "";

  const row = (id: string) => `dashboard-inbox li[data-conv-id="${id}"]`;
  const filter = (name: string) => agent.click(`dashboard-inbox button[data-filter="${name}"]`);
  const listed = async (name: string) => {
    await filter(name);
    return agent.locator(row(convId)).count();
  };
  // Chromium throttles animation frames in the page that is not in front (Playwright's clicks wait for
  // stable frames, the message list marks read on one): each step brings its page to the front.
  const customerSays = async (text: string) => {
    await customer.bringToFront();
    const box = frame.getByRole("textbox").first();
    await box.fill(text);
    await box.press("Enter");
    await frame.getByText(text).waitFor();
    await agent.bringToFront();
  };

  beforeAll(async () => {
    shop = await startDashboardShop({
      extraOrigins: ["https://shop.test"],
      cannedReplies: ["Thanks for waiting!", "Could you send your order number?"],
    });
    ({ stack, backend, dashboard } = shop);
    browser = await launchChromium({ viewport: { width: 1400, height: 860 } });
  });
  afterAll(async () => {
    await browser?.close();
    await shop?.[Symbol.asyncDispose]();
  });

  it("the agent signs in: the first admin's device makes the team key; the page runs under a strict CSP", async () => {
    agent = await browser.newPage();
    const response = await agent.goto(`${dashboard.url}/`);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`connect-src ${stack.url} ${new URL(stack.nats.wsUrl).origin}`);
    expect(await agent.inputValue("dashboard-login input[name=shop]")).toBe(SHOP_ID);
    await agent.fill("dashboard-login input[name=login]", AGENT_LOGIN);
    await agent.fill("dashboard-login input[name=password]", "wrong password");
    await agent.click("dashboard-login button[type=submit]");
    await agent.waitForSelector("dashboard-login [role=alert]");
    await agent.fill("dashboard-login input[name=password]", AGENT_PASSWORD);
    await agent.click("dashboard-login button[type=submit]");
    await agent.waitForSelector("dashboard-inbox");
    // The admin's device holds the key (it made it): no waiting banner.
    const team = await waitFor(
      () => agent.evaluate(() => document.querySelector("dashboard-app")?.dataset.alerts !== undefined),
      "the app to be signed in",
    );
    expect(team).toBe(true);
    expect(await agent.locator("[data-team=waiting], [data-team=no-key]").count()).toBe(0);
    expect(await agent.evaluate(() => document.visibilityState)).toBe("visible");
  });

  it("the customer writes: the inbox shows the conversation live with unread 1, then 2; opening it (Tab, Enter) clears the count", async () => {
    customer = await browser.newPage();
    await exposeLauncherRoot(customer);
    await logIn(customer, backend.url, "Mia");
    await customer.hover("parley-launcher");
    frame = await chatFrame(customer);
    await customer.click("parley-launcher");
    await customerSays(`Hello, my ${word} mug arrived broken`);

    const first = await agent.waitForSelector('dashboard-inbox li[data-conv-id][data-unread="1"]');
    convId = (await first.getAttribute("data-conv-id")) ?? "";
    expect(convId).not.toBe("");
    expect(await agent.textContent(`${row(convId)} .preview`)).toContain(word);
    // The customer's name comes with the members, loaded beside the history.
    await waitFor(async () => (await agent.textContent(`${row(convId)} .name`)) === "Mia", "the customer's name");

    await customerSays("Are you there?");
    await agent.waitForSelector(`${row(convId)}[data-unread="2"]`);
    expect(await agent.textContent(`${row(convId)} .preview`)).toBe("Are you there?");

    // By keyboard, as an agent who never picked one: Tab from the search box lands on the row, Enter opens it.
    await agent.focus("dashboard-inbox input#search");
    await agent.keyboard.press("Tab");
    await agent.keyboard.press("Enter");
    await agent.waitForSelector(`${row(convId)}[aria-selected="true"]`);
    await agent.waitForSelector(`${row(convId)}[data-unread="0"]`);
    await agent.locator("dashboard-conversation parley-message").getByText("Are you there?").waitFor();
    // The customer's details, from their token claims as the team sees them.
    expect(await agent.textContent('dashboard-customer [data-field="name"]')).toBe("Mia");
    expect(await agent.textContent('dashboard-customer [data-field="external-id"]')).toBe(
      `shopper-${Buffer.from("mia").toString("base64url")}`,
    );
  });

  it("the agent replies (a canned reply, edited) and the customer's widget shows it", async () => {
    await agent.selectOption("dashboard-conversation select#canned", "Thanks for waiting!");
    const box = agent.locator("dashboard-conversation parley-composer textarea");
    await waitFor(async () => (await box.inputValue()) === "Thanks for waiting!", "the canned reply in the composer");
    const reply = `Thanks for waiting! A new one ships today (${crypto.randomUUID().slice(0, 8)}).`;
    await box.fill(reply);
    await box.press("Enter");
    await frame.getByText(reply).waitFor();
    await agent.locator("dashboard-conversation parley-message").getByText(reply).waitFor();
  });

  it("assignment and close: mine lists it, unassigned does not; closed lists it; the customer writing reopens it", async () => {
    expect(await listed("unassigned")).toBe(1);
    expect(await listed("mine")).toBe(0);
    await agent.click('dashboard-conversation button[data-action="assign-me"]');
    await agent.waitForSelector('dashboard-conversation button[data-action="unassign"]');
    await waitFor(async () => (await listed("mine")) === 1, "the mine filter to list the conversation");
    expect(await listed("unassigned")).toBe(0);
    await filter("mine");
    expect(await agent.textContent(`${row(convId)} .meta`)).toContain("Assigned to you");

    await agent.click('dashboard-conversation button[data-action="close"]');
    await agent.waitForSelector('dashboard-conversation [data-status="closed"]');
    await waitFor(async () => (await listed("closed")) === 1, "the closed filter to list the conversation");
    expect(await listed("open")).toBe(0);
    expect(await listed("mine")).toBe(0);

    await customerSays("One more question about the mug");
    await agent.waitForSelector('dashboard-conversation [data-status="open"]');
    await waitFor(async () => (await listed("open")) === 1, "the open filter to list the reopened conversation");
    expect(await listed("closed")).toBe(0);
  });

  it("an internal note shows on the dashboard and never reaches the customer's page or decrypted store", async () => {
    await filter("open");
    await agent.click(row(convId));
    await agent.waitForSelector("dashboard-notes form");
    const marker = `note-canary-${crypto.randomUUID()}`;
    await agent.fill("dashboard-notes textarea", `Customer is a regular; refund approved ${marker}`);
    await agent.click("dashboard-notes button[type=submit]");
    await agent.locator("dashboard-notes li").getByText(marker).waitFor();
    expect(await agent.textContent("dashboard-notes .banner")).toBe("Internal note — customers never see this");

    // A message sent after the note reaches the customer: everything before it has been delivered too.
    after = `After the note ${crypto.randomUUID().slice(0, 8)}`;
    const box = agent.locator("dashboard-conversation parley-composer textarea");
    await box.fill(after);
    await box.press("Enter");
    await frame.getByText(after).waitFor();

    const text = await deepText(frame);
    expect(text).toContain(after);
    expect(text).not.toContain(marker);
    const bodies = await customerBodies(frame, convId);
    expect(bodies.some((b) => b.includes(after))).toBe(true);
    expect(bodies.filter((b) => b.includes(marker))).toEqual([]);
    expect(await frameStorage(frame)).not.toContain(marker);
    expect(await deepText(customer)).not.toContain(marker);
  });

  it("search over the decrypted local history finds the conversation by a word from an earlier customer message", async () => {
    await agent.fill("dashboard-inbox input[type=search]", word.toUpperCase());
    await agent.waitForSelector(row(convId));
    expect(await agent.textContent("dashboard-conversation .matches mark")).toBe(word);
    await agent.fill("dashboard-inbox input[type=search]", `${word}-nowhere`);
    await agent.waitForSelector("dashboard-inbox .empty");
    expect(await agent.locator(row(convId)).count()).toBe(0);
    await agent.fill("dashboard-inbox input[type=search]", "");
    await agent.waitForSelector(row(convId));
  });

  it("the conversation scrolls, and a photo arriving while the agent is at the bottom ends up fully in view", async () => {
    await agent.click(row(convId));
    for (let i = 1; i <= 14; i++) {
      await customerSays(
        `Line ${i} of a long story: ${"the parcel went to the wrong town, then back again. ".repeat(3)}`,
      );
    }
    const log = agent.locator("dashboard-conversation parley-message-list .log");
    const where = () =>
      log.evaluate((el) => {
        const box = el.getBoundingClientRect();
        const messages = el.querySelectorAll("parley-message");
        const last = messages[messages.length - 1];
        const img = last?.shadowRoot?.querySelector("img");
        const rect = last?.getBoundingClientRect();
        return {
          scrolls: el.scrollHeight > el.clientHeight,
          fromBottom: el.scrollHeight - el.scrollTop - el.clientHeight,
          lastInView: !!rect && rect.top >= box.top - 1 && rect.bottom <= box.bottom + 1,
          image: img ? img.complete && img.naturalHeight > 0 && img.getBoundingClientRect().height : 0,
        };
      });
    await waitFor(async () => {
      const w = await where();
      return w.scrolls && w.fromBottom <= 2 && w.lastInView;
    }, "the agent's view to sit at the newest message");

    // The customer sends a photo from the widget; it renders, then its picture loads and grows the bubble.
    await customer.bringToFront();
    const png = await customer.evaluate(() => {
      const canvas = document.createElement("canvas");
      canvas.width = 600;
      canvas.height = 800;
      const g = canvas.getContext("2d");
      if (!g) throw new Error("no 2d context");
      g.fillStyle = "#0b5cad";
      g.fillRect(0, 0, 600, 800);
      return canvas.toDataURL("image/png").split(",")[1] ?? "";
    });
    // The agent's download of the picture is held until its message has rendered and the view settled
    // at the bottom: the picture then grows the message by itself, with nothing else to re-render the list.
    const held: Route[] = [];
    await agent.route(/\/v1\/files\/[^?]+\?/, (route) => {
      if (route.request().method() === "GET") held.push(route);
      else void route.continue();
    });
    await frame
      .locator("parley-composer input[type=file]")
      .setInputFiles({ name: "parcel.png", mimeType: "image/png", buffer: Buffer.from(png, "base64") });
    await frame.locator("parley-composer [part=send-button]").click();
    await agent.bringToFront();
    await waitFor(() => held.length > 0, "the agent's page to ask for the picture");
    await waitFor(async () => {
      const w = await where();
      return w.image === 0 && w.fromBottom <= 2 && w.lastInView;
    }, "the photo's message to render at the bottom, its picture not loaded yet");
    for (const route of held) await route.continue();
    await agent.unroute(/\/v1\/files\/[^?]+\?/);
    let last: unknown;
    await waitFor(
      async () => {
        const w = await where();
        last = w;
        return w.image && w.image > 100 && w.fromBottom <= 2 && w.lastInView;
      },
      "the photo to load fully in view at the bottom",
      30_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(last)}`);
    });
    // A text again as the newest message, which the later tests read back as the preview.
    after = `Photo attached (${crypto.randomUUID().slice(0, 8)}).`;
    await customerSays(after);
  });

  it("axe finds no serious or critical violation; screenshots of the inbox and the conversation", async () => {
    await agent.click(row(convId));
    await agent.locator("dashboard-conversation parley-message").first().waitFor();
    // Evaluated through the DevTools protocol: the page's CSP (rightly) refuses an injected inline script.
    await agent.evaluate(AXE);
    const violations = await agent.evaluate(async () => {
      const axe = (window as unknown as { axe: { run(ctx: unknown, o: unknown): Promise<{ violations: unknown[] }> } })
        .axe;
      const result = await axe.run(document, { resultTypes: ["violations"] });
      return (result.violations as Array<{ id: string; impact: string; nodes: Array<{ target: unknown }> }>).map(
        (v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => JSON.stringify(n.target)) }),
      );
    });
    if (violations.length > 0) console.info("axe (minor and moderate):", JSON.stringify(violations));
    expect(violations.filter((v) => v.impact === "serious" || v.impact === "critical")).toEqual([]);
    await agent.screenshot({ path: artifactPath("dashboard-conversation.png") });

    // A second customer (an SDK client in Node) writes: newest activity goes first, with its unread count.
    const noor = stack.customer("noor", { encryption: true });
    await noor.connect();
    const conv = await noor.openConversation();
    // With the tab hidden, a new message raises an alert (chime, and a notification where allowed).
    await agent.evaluate(() =>
      Object.defineProperty(document, "visibilityState", { configurable: true, get: () => "hidden" }),
    );
    await noor.send(conv.id, "Do you ship to Norway?");
    await agent.waitForSelector(`${row(conv.id)}[data-unread="1"]`);
    expect(await agent.evaluate(() => document.querySelector("dashboard-app")?.dataset.alerts)).toBe("1");
    await agent.evaluate(() => delete (document as unknown as { visibilityState?: string }).visibilityState);
    const order = await agent.$$eval("dashboard-inbox li[data-conv-id]", (lis) => lis.map((li) => li.dataset.convId));
    expect(order).toEqual([conv.id, convId]);
    expect(await agent.textContent(`${row(conv.id)} .preview`)).toBe("Do you ship to Norway?");
    await noor.close();

    // The inbox by keyboard: arrows move between conversations, Enter and Space open one.
    await agent.focus(row(convId));
    await agent.keyboard.press("ArrowUp");
    const focused = () =>
      agent.evaluate(() => {
        let el: Element | null = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        return el?.getAttribute("data-conv-id");
      });
    await waitFor(async () => (await focused()) === conv.id, "focus on the conversation above");
    await agent.keyboard.press("Enter");
    await agent.waitForSelector(`${row(conv.id)}[aria-selected="true"]`);
    await waitFor(async () => (await agent.textContent("dashboard-conversation h2")) === "noor", "noor's conversation");
    await agent.keyboard.press("ArrowDown");
    await waitFor(async () => (await focused()) === convId, "focus on the conversation below");
    await agent.keyboard.press(" ");
    await agent.waitForSelector(`${row(convId)}[aria-selected="true"]`);
    await agent.screenshot({
      path: artifactPath("dashboard-inbox.png"),
      clip: { x: 0, y: 0, width: 720, height: 420 },
    });
  });

  it("the session survives a reload; logging out returns to the sign-in form for good", async () => {
    await agent.reload();
    await agent.waitForSelector(row(convId));
    expect(await agent.locator("dashboard-login").count()).toBe(0);
    await agent.click('dashboard-app button[data-action="logout"]');
    await agent.waitForSelector("dashboard-login input[name=login]");
    await agent.reload();
    await agent.waitForSelector("dashboard-login input[name=login]");
    expect(await agent.locator("dashboard-inbox").count()).toBe(0);
    expect(browser.errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);
  });

  it("a new agent's device waits for an admin; the admin's dashboard approves it at sign-in and it then reads", async () => {
    await stack.gateway.admin.addAgent(SHOP_ID, {
      login: "ben@shop.test",
      password: "ben's long password",
      displayName: "Ben",
      role: "agent",
      kind: "agent",
      handle: "ben",
    });
    // No admin device is online (Ada logged out): Ben's new device waits, and cannot read the conversation yet.
    const ben = await browser.newPage();
    await ben.goto(`${dashboard.url}/`);
    await ben.fill("dashboard-login input[name=login]", "ben@shop.test");
    await ben.fill("dashboard-login input[name=password]", "ben's long password");
    await ben.click("dashboard-login button[type=submit]");
    await ben.waitForSelector("[data-team=waiting]");
    expect(await ben.textContent("[data-team=waiting]")).toContain("Waiting for an admin to approve this device");
    await ben.waitForSelector(row(convId));
    // The row is listed first, its newest message (which this device cannot open) follows.
    await waitFor(
      async () =>
        (await ben.textContent(`${row(convId)} .preview`)) === "Encrypted message (this device has no key for it yet)",
      "Ben's inbox to show the conversation as not readable yet",
    );

    // Ada signs in again: her device wraps the team key to Ben's, and her dashboard says so.
    await agent.bringToFront();
    await agent.fill("dashboard-login input[name=login]", AGENT_LOGIN);
    await agent.fill("dashboard-login input[name=password]", AGENT_PASSWORD);
    await agent.click("dashboard-login button[type=submit]");
    await agent.waitForSelector("[data-team=approved]");

    await ben.bringToFront();
    await ben.waitForSelector("[data-team=waiting]", { state: "detached" });
    await waitFor(
      async () => (await ben.textContent(`${row(convId)} .preview`).catch(() => null)) === after,
      "Ben's dashboard to decrypt the conversation",
    );
    await ben.close();
  });
});
