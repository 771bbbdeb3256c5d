// Interactions of <parley-chat> in real Chromium against a real gateway and
// nats-server: images pasted or dropped into the composer are previewed and
// reach an agent end to end encrypted, byte for byte; big uploads show a
// progress bar that only moves forward and can be cancelled; the connection
// banner follows a NATS outage; and a reader scrolled up gets a "New messages"
// button instead of a jump.

import { collectTexts, waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import type { Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureEnv, openChat, poll, startFixtureEnv } from "./fixture.js";

/** Makes a PNG of the given size in the page (canvas), as base64. */
function makePng(page: Page, width: number, height: number): Promise<string> {
  return page.evaluate(
    async ([w, h]) => {
      const canvas = document.createElement("canvas");
      canvas.width = w;
      canvas.height = h;
      const ctx = canvas.getContext("2d");
      if (!ctx) throw new Error("no 2d context");
      ctx.fillStyle = "#0f766e";
      ctx.fillRect(0, 0, w, h);
      ctx.fillStyle = "#f59e0b";
      ctx.fillRect(1, 1, Math.max(1, w - 2), Math.max(1, h - 2));
      const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, "image/png"));
      if (!blob) throw new Error("toBlob gave nothing");
      const bytes = new Uint8Array(await blob.arrayBuffer());
      let s = "";
      for (const b of bytes) s += String.fromCharCode(b);
      return btoa(s);
    },
    [width, height] as const,
  );
}

describe("<parley-chat> interactions", () => {
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
    page = await openChat(env, { encryption: true, customer: "widget-interactions" });
    const input = page.locator("parley-composer textarea");
    await input.fill("hello, I have pictures");
    await input.press("Enter");
    convId = await page.waitForFunction(() => window.__chat.current).then((h) => h.jsonValue() as Promise<string>);
    await waitFor(() => toAgent.get(convId)?.includes("hello, I have pictures"), "the first message");
  });
  afterAll(async () => {
    await agent?.close();
    await env?.close();
  });

  const attachments = () => page.locator("parley-composer [part=attachments] li");
  const fileMessage = (name: string) =>
    agent.conversation(convId).value.messages.find((m) => m.body?.type === "file" && m.body.file.name === name);

  /** Sends what the composer holds and checks the agent downloads `png` under `name`, sealed end to end. */
  async function sendAndCheck(name: string, png: Buffer, size: { width: number; height: number }) {
    await page.locator("parley-composer [part=send-button]").click();
    const received = await waitFor(() => fileMessage(name), `the agent to receive ${name}`);
    if (received.body?.type !== "file") throw new Error("not a file");
    expect(received.body.file.mime).toBe("image/png");
    expect(received.body.file.image).toEqual(size);
    const downloaded = Buffer.from(await agent.downloadFile(convId, received.body.file));
    expect(downloaded.equals(png)).toBe(true);
    const stored = await env.stack.gateway.store.since(convId, received.seq - 1, 1);
    expect(stored[0]?.envelope.alg).toBe("xc20p-ed25519");
    expect(JSON.stringify(stored[0]?.envelope)).not.toContain(name);
    await poll(() => attachments().count()).toBe(0);
    await poll(() => page.locator("parley-message[own]", { hasText: name }).locator("img").getAttribute("src")).toMatch(
      /^blob:/,
    );
  }

  it("previews an image pasted into the composer and sends it end to end encrypted", async () => {
    const b64 = await makePng(page, 3, 2);
    const prevented = await page.evaluate(
      ([data]) => {
        const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
        const dt = new DataTransfer();
        dt.items.add(new File([bytes], "pasted.png", { type: "image/png" }));
        const area = window.__chat.shadowRoot?.querySelector("parley-composer")?.shadowRoot?.querySelector("textarea");
        if (!area) throw new Error("no textarea");
        area.focus();
        const event = new ClipboardEvent("paste", {
          clipboardData: dt,
          bubbles: true,
          cancelable: true,
          composed: true,
        });
        area.dispatchEvent(event);
        return event.defaultPrevented;
      },
      [b64] as const,
    );
    expect(prevented).toBe(true); // the file is taken; nothing is pasted as text
    await poll(() => attachments().count()).toBe(1);
    expect(await attachments().locator(".name").textContent()).toBe("pasted.png");
    await poll(() => attachments().locator("img").getAttribute("src")).toMatch(/^blob:/);
    await poll(() =>
      attachments()
        .locator("img")
        .evaluate((img: HTMLImageElement) => img.naturalWidth),
    ).toBe(3);
    expect(await page.locator("parley-composer textarea").inputValue()).toBe("");
    await sendAndCheck("pasted.png", Buffer.from(b64, "base64"), { width: 3, height: 2 });
  });

  it("takes an image dropped on the composer or on the message list, and sends it", async () => {
    const drop = (target: "composer" | "list", name: string, data: string) =>
      page.evaluate(
        ([where, fileName, bytes64]) => {
          const bytes = Uint8Array.from(atob(bytes64), (c) => c.charCodeAt(0));
          const dt = new DataTransfer();
          dt.items.add(new File([bytes], fileName, { type: "image/png" }));
          const el =
            where === "composer"
              ? window.__chat.shadowRoot
                  ?.querySelector("parley-composer")
                  ?.shadowRoot?.querySelector<HTMLElement>("[part=composer]")
              : window.__chat.shadowRoot
                  ?.querySelector("parley-message-list")
                  ?.shadowRoot?.querySelector<HTMLElement>(".log");
          if (!el) throw new Error(`no ${where}`);
          const init = { dataTransfer: dt, bubbles: true, cancelable: true, composed: true };
          const over = new DragEvent("dragover", init);
          el.dispatchEvent(over);
          const dropped = new DragEvent("drop", init);
          el.dispatchEvent(dropped);
          // Both cancelled: the browser neither refuses the drop nor opens the file in place of the chat.
          return { over: over.defaultPrevented, drop: dropped.defaultPrevented };
        },
        [target, name, data] as const,
      );

    const onComposer = await makePng(page, 4, 4);
    expect(await drop("composer", "dropped.png", onComposer)).toEqual({ over: true, drop: true });
    await poll(() => attachments().count()).toBe(1);
    await poll(() => attachments().locator("img").getAttribute("src")).toMatch(/^blob:/);
    expect(await page.locator("parley-composer .drop").count()).toBe(0); // the hint goes away after the drop
    await sendAndCheck("dropped.png", Buffer.from(onComposer, "base64"), { width: 4, height: 4 });

    const onList = await makePng(page, 5, 3);
    expect(await drop("list", "on-the-list.png", onList)).toEqual({ over: true, drop: true });
    await poll(() => attachments().count()).toBe(1);
    expect(await attachments().locator(".name").textContent()).toBe("on-the-list.png");
    await poll(() => attachments().locator("img").getAttribute("src")).toMatch(/^blob:/);
    await sendAndCheck("on-the-list.png", Buffer.from(onList, "base64"), { width: 5, height: 3 });

    // Dropped text is left to the textarea (the browser inserts it): no file, nothing cancelled.
    const textDrop = await page.evaluate(() => {
      const area = window.__chat.shadowRoot?.querySelector("parley-composer")?.shadowRoot?.querySelector("textarea");
      if (!area) throw new Error("no textarea");
      const dt = new DataTransfer();
      dt.setData("text/plain", "some dragged words");
      const dropped = new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true, composed: true });
      area.dispatchEvent(dropped);
      return dropped.defaultPrevented;
    });
    expect(textDrop).toBe(false);
    expect(await attachments().count()).toBe(0);
  });

  /** Pastes a file of `bytes` random bytes made in the page into the composer. */
  function pasteBigFile(name: string, bytes: number): Promise<void> {
    return page.evaluate(
      ([fileName, size]) => {
        const data = new Uint8Array(size);
        for (let i = 0; i < size; i += 65_536) crypto.getRandomValues(data.subarray(i, i + 65_536));
        const dt = new DataTransfer();
        dt.items.add(new File([data], fileName, { type: "application/octet-stream" }));
        const area = window.__chat.shadowRoot?.querySelector("parley-composer")?.shadowRoot?.querySelector("textarea");
        area?.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
      },
      [name, bytes] as const,
    );
  }

  /**
   * Holds the next upload request that carries the file until the returned route is continued or
   * aborted. Chromium first tries a streamed body, which it refuses over HTTP/1.1 (the SDK then sends
   * the bytes buffered): that attempt, with no body to intercept, goes through.
   */
  async function holdNextUpload(): Promise<{ held: Promise<Route>; release(): Promise<void> }> {
    let resolve!: (r: Route) => void;
    const held = new Promise<Route>((r) => {
      resolve = r;
    });
    const handler = (route: Route) => {
      if (route.request().method() === "POST" && (route.request().postDataBuffer()?.length ?? 0) > 0) resolve(route);
      else void route.continue().catch(() => undefined);
    };
    await page.route("**/v1/files?*", handler);
    return { held, release: () => page.unroute("**/v1/files?*", handler) };
  }

  it("shows upload progress that never goes back and ends complete", async () => {
    const SIZE = 3 * 1024 * 1024 + 12_345;
    // Every value the progress bar shows, recorded in the page as it changes.
    await page.evaluate(() => {
      const shadow = window.__chat.shadowRoot?.querySelector("parley-composer")?.shadowRoot;
      if (!shadow) throw new Error("no composer");
      const seen: Array<{ value: number; max: number }> = [];
      (window as unknown as { __progress: typeof seen }).__progress = seen;
      const note = (bar: HTMLProgressElement) => {
        const last = seen.at(-1);
        if (!last || last.value !== bar.value || last.max !== bar.max) seen.push({ value: bar.value, max: bar.max });
      };
      // From the mutation records: a bar removed in the same turn as its last change still counts.
      const record = (records: MutationRecord[]) => {
        for (const r of records) {
          const bars = r.type === "attributes" ? [r.target] : [...r.addedNodes];
          for (const n of bars) {
            if (n instanceof HTMLProgressElement) note(n);
            else if (n instanceof Element) n.querySelectorAll("progress").forEach(note);
          }
        }
      };
      new MutationObserver(record).observe(shadow, { subtree: true, childList: true, attributes: true });
    });
    const hold = await holdNextUpload();
    await pasteBigFile("big.bin", SIZE);
    await poll(() => attachments().count()).toBe(1);
    await page.locator("parley-composer [part=send-button]").click();
    const route = await hold.held;
    const bar = page.locator("parley-composer progress");
    await poll(() => bar.count()).toBe(1);
    expect(await bar.getAttribute("aria-label")).toBe("Uploading big.bin");
    expect(Number(await bar.getAttribute("max"))).toBe(SIZE);
    await route.continue();
    await hold.release(); // (removing the handler first would let Playwright continue the held request itself)
    const received = await waitFor(() => fileMessage("big.bin"), "the agent to receive big.bin", 30_000);
    await poll(() => attachments().count()).toBe(0);
    const seen = await page.evaluate(
      () => (window as unknown as { __progress: Array<{ value: number; max: number }> }).__progress,
    );
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const s of seen) expect(s.max).toBe(SIZE);
    for (let i = 1; i < seen.length; i++) expect(seen[i]?.value).toBeGreaterThanOrEqual(seen[i - 1]?.value ?? 0);
    expect(seen[0]?.value).toBe(0);
    expect(seen.at(-1)?.value).toBe(SIZE);
    if (received.body?.type !== "file") throw new Error("not a file");
    expect(received.body.file.size).toBe(SIZE);
  });

  it("cancels an upload in flight: nothing is sent for it", async () => {
    const hold = await holdNextUpload();
    await pasteBigFile("cancel-me.bin", 2 * 1024 * 1024);
    await page.locator("parley-composer [part=send-button]").click();
    const route = await hold.held; // the request left the page and waits at the network
    const cancel = page.getByRole("button", { name: "Cancel upload of cancel-me.bin" });
    await poll(() => cancel.count()).toBe(1);
    await cancel.click();
    await poll(() => attachments().count()).toBe(0);
    await route.continue().catch(() => undefined); // the page aborted the request: nothing to continue
    await hold.release();
    const input = page.locator("parley-composer textarea");
    await input.fill("after the cancelled upload");
    await input.press("Enter");
    await waitFor(() => toAgent.get(convId)?.includes("after the cancelled upload"), "the text after the cancel");
    expect(fileMessage("cancel-me.bin")).toBeUndefined();
    expect(await page.locator("parley-composer [role=alert]").count()).toBe(0); // a cancel is not a failure
    const own = await page.evaluate(
      (id) =>
        window.__client
          .conversation(id)
          .value.messages.filter((m) => m.body?.type === "file" && m.body.file.name === "cancel-me.bin").length,
      convId,
    );
    expect(own).toBe(0);
    expect(await page.locator("parley-message", { hasText: "cancel-me.bin" }).count()).toBe(0);
  });

  it("shows New messages instead of jumping when the reader scrolled up; the button goes to the bottom", async () => {
    for (let i = 1; i <= 40; i++) await agent.send(convId, `history line ${i}`);
    await page.locator("parley-message", { hasText: "history line 40" }).waitFor();
    const log = () =>
      page.evaluate(() => {
        const el = window.__chat.shadowRoot
          ?.querySelector("parley-message-list")
          ?.shadowRoot?.querySelector<HTMLElement>(".log");
        if (!el) throw new Error("no log");
        return { top: el.scrollTop, height: el.scrollHeight, client: el.clientHeight };
      });
    // Pinned to the bottom once everything rendered.
    await poll(async () => {
      const l = await log();
      return l.height - l.top - l.client;
    }).toBeLessThanOrEqual(32);
    const before = await log();
    expect(before.height - before.client).toBeGreaterThan(1000); // enough to scroll
    const middle = Math.round((before.height - before.client) / 2);
    await page.evaluate((top) => {
      const el = window.__chat.shadowRoot?.querySelector("parley-message-list")?.shadowRoot?.querySelector(".log");
      if (el) el.scrollTop = top;
    }, middle);
    const pill = page.locator("[part=new-messages]");
    expect(await pill.count()).toBe(0);
    const anchor = await page.evaluate(() => {
      const el = window.__chat.shadowRoot?.querySelector("parley-message-list")?.shadowRoot?.querySelector(".log");
      if (!el) throw new Error("no log");
      const top = el.getBoundingClientRect().top;
      for (const m of el.querySelectorAll<HTMLElement>("parley-message")) {
        const rect = m.getBoundingClientRect();
        if (rect.bottom > top) return { key: m.dataset.key ?? "", offset: rect.top - top };
      }
      throw new Error("nothing visible");
    });

    await agent.send(convId, "a reply below the fold");
    await poll(() => pill.count()).toBe(1);
    expect((await pill.textContent())?.trim()).toBe("New messages");
    await page.locator("parley-message", { hasText: "a reply below the fold" }).waitFor({ state: "attached" });
    // Two frames: the list restores the reader's place after the bubble rendered.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const after = await log();
    expect(Math.abs(after.top - middle)).toBeLessThanOrEqual(2);
    expect(after.height).toBeGreaterThan(before.height); // the reply is in the DOM below
    const moved = await page.evaluate((key) => {
      const el = window.__chat.shadowRoot?.querySelector("parley-message-list")?.shadowRoot?.querySelector(".log");
      const m = el?.querySelector<HTMLElement>(`parley-message[data-key="${key}"]`);
      if (!el || !m) return undefined;
      return m.getBoundingClientRect().top - el.getBoundingClientRect().top;
    }, anchor.key);
    expect(moved).toBeDefined();
    expect(Math.abs((moved ?? 0) - anchor.offset)).toBeLessThanOrEqual(2);

    await pill.click();
    await poll(async () => {
      const l = await log();
      return l.height - l.top - l.client;
    }).toBeLessThanOrEqual(32);
    await poll(() => pill.count()).toBe(0);
    const reply = await page.locator("parley-message", { hasText: "a reply below the fold" }).evaluate((m) => {
      const log = m.closest(".log");
      if (!log) return false;
      const box = log.getBoundingClientRect();
      const rect = m.getBoundingClientRect();
      return rect.top >= box.top - 1 && rect.bottom <= box.bottom + 1;
    });
    expect(reply).toBe(true);
  });

  it("shows the reconnecting banner while NATS is down and hides it once it is back", async () => {
    const status = page.locator("parley-connection-status [role=status]");
    const banner = page.locator("parley-chat [part=status]");
    expect(await status.getAttribute("data-state")).toBe("connected");
    expect(await banner.count()).toBe(0);
    await env.stack.nats.stop();
    try {
      await poll(() => status.getAttribute("data-state"), 20_000).toBe("reconnecting");
      expect(await banner.textContent()).toBe("Connection lost. Reconnecting…");
    } finally {
      await env.stack.nats.restart();
    }
    await poll(() => status.getAttribute("data-state"), 30_000).toBe("connected");
    expect(await banner.count()).toBe(0);
    // Working again, both ways.
    await agent.send(convId, "back after the outage");
    await page.locator("parley-message", { hasText: "back after the outage" }).waitFor({ timeout: 20_000 });
    const input = page.locator("parley-composer textarea");
    await input.fill("me too");
    await input.press("Enter");
    await waitFor(() => toAgent.get(convId)?.includes("me too"), "the customer's message after the outage", 20_000);
  });

  it("reports no page errors", () => {
    const errors = env.browser.errors.filter(
      (e) => !e.includes("Failed to load resource") && !/WebSocket connection to .* failed/.test(e),
    );
    expect(errors).toEqual([]);
  });
});
