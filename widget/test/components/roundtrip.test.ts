// End-to-end encryption in real Chromium: the SDK client in the page and an
// agent SDK client in Node exchange text, cards and files of several sizes in
// both directions through a real gateway and nats-server. The browser's
// libsodium (wasm) and Node's must agree on every byte.

import { waitFor } from "@parley/gateway/testing";
import type { ChatMessage, FileRef, ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureEnv, openChat, startFixtureEnv } from "./fixture.js";

/** Sizes around the 64 KiB chunk boundary, an empty file, and a few chunks. */
const SIZES = [0, 1, 65_535, 65_536, 65_537, 200_003];

/** The same pseudo-random bytes in the page and in Node, from a size and a seed. */
function bytesFor(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe("round trips in Chromium", () => {
  let env: FixtureEnv;
  let agent: ParleyClient;
  let convId: string;
  let page: Awaited<ReturnType<typeof openChat>>;

  beforeAll(async () => {
    env = await startFixtureEnv();
    agent = env.stack.agent({ encryption: true });
    await agent.connect(); // the admin agent's device makes the team key
    page = await openChat(env, { encryption: true, customer: "roundtrip" });
    convId = await page.evaluate(async () => (await window.__client.openConversation()).id);
  });

  afterAll(async () => {
    await agent?.close();
    await env?.close();
  });

  const agentMessage = (predicate: (m: ChatMessage) => boolean) =>
    waitFor(async () => {
      await agent.loadConversation(convId);
      return agent.conversation(convId).value.messages.find(predicate);
    }, "the agent to decrypt the message");

  it("carries text and an opaque card from the page to Node and back", async () => {
    await page.evaluate(
      async ({ id }) => {
        await window.__client.send(id, "text from Chromium ✓ äöü 🚀");
        await window.__client.send(id, {
          type: "card",
          card: { kind: "order", orderId: "PX-1001", lines: [{ sku: "A", qty: 2 }] },
        });
      },
      { id: convId },
    );
    const text = await agentMessage((m) => m.body?.type === "text" && m.body.text.startsWith("text from Chromium"));
    expect(text.body).toEqual({ type: "text", text: "text from Chromium ✓ äöü 🚀" });
    const card = await agentMessage((m) => m.body?.type === "card");
    expect(card.body).toEqual({
      type: "card",
      card: { kind: "order", orderId: "PX-1001", lines: [{ sku: "A", qty: 2 }] },
    });

    await agent.send(convId, { type: "card", card: { kind: "bill-split", total: 4200, shares: [2100, 2100] } });
    const back = await page.waitForFunction(
      (id) =>
        window.__client
          .conversation(id)
          .value.messages.find((m) => m.body?.type === "card" && m.body.card.kind === "bill-split")?.body ?? false,
      convId,
    );
    expect(await back.jsonValue()).toEqual({
      type: "card",
      card: { kind: "bill-split", total: 4200, shares: [2100, 2100] },
    });
  });

  it("uploads files of several sizes from the page that Node downloads byte for byte", async () => {
    for (const [i, size] of SIZES.entries()) {
      const seed = 1000 + i;
      await page.evaluate(
        async ({ id, size, seed, name, source }) => {
          const bytesFor = new Function(`return ${source}`)() as (size: number, seed: number) => Uint8Array;
          await window.__client.sendFile(id, new Blob([bytesFor(size, seed) as Uint8Array<ArrayBuffer>]), {
            name,
            mime: "application/octet-stream",
          });
        },
        { id: convId, size, seed, name: `page-${size}.bin`, source: bytesFor.toString() },
      );
      const message = await agentMessage((m) => m.body?.type === "file" && m.body.file.name === `page-${size}.bin`);
      const file = (message.body as { file: FileRef }).file;
      expect(file.size).toBe(size);
      const bytes = await agent.downloadFile(convId, file);
      expect(bytes.length).toBe(size);
      expect(Buffer.from(bytes).equals(Buffer.from(bytesFor(size, seed)))).toBe(true);
    }
  });

  it("downloads in the page, byte for byte, what Node uploaded", async () => {
    for (const [i, size] of SIZES.entries()) {
      const seed = 2000 + i;
      await agent.sendFile(convId, bytesFor(size, seed), {
        name: `node-${size}.bin`,
        mime: "application/octet-stream",
      });
      // waitForFunction takes a returned promise as truthy at once, so it only waits for the message (synchronously);
      // the download and comparison run after it.
      const name = `node-${size}.bin`;
      await page.waitForFunction(
        ({ id, name }) =>
          window.__client
            .conversation(id)
            .value.messages.some((x) => x.body?.type === "file" && x.body.file.name === name),
        { id: convId, name },
        { timeout: 20_000 },
      );
      const same = await page.evaluate(
        async ({ id, name, size, seed, source }) => {
          const m = window.__client
            .conversation(id)
            .value.messages.find((x) => x.body?.type === "file" && x.body.file.name === name);
          if (m?.body?.type !== "file") return "missing";
          const bytes = await window.__client.downloadFile(id, m.body.file);
          const bytesFor = new Function(`return ${source}`)() as (size: number, seed: number) => Uint8Array;
          const want = bytesFor(size, seed);
          return bytes.length === want.length && bytes.every((b, j) => b === want[j]) ? "same" : "different";
        },
        { id: convId, name, size, seed, source: bytesFor.toString() },
      );
      expect(same).toBe("same");
    }
  });
});
