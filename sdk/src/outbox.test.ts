import { describe, expect, it } from "vitest";
import { Outbox, type OutboxEntry } from "./outbox.js";
import type { KeyValueStorage } from "./storage.js";
import { memoryStorage } from "./storage.js";

const entry = (msgId: string): OutboxEntry => ({
  convId: "cv_1",
  queuedAt: 1,
  attempts: 0,
  envelope: {
    v: 1,
    convId: "cv_1",
    epoch: 0,
    msgId,
    senderDevice: "d_1",
    ts: 1,
    alg: "none",
    nonce: "",
    ct: "e30",
    sig: "",
  },
});

describe("Outbox", () => {
  it("is in storage by the time add resolves, and a new outbox on the same storage reloads it", async () => {
    const storage = memoryStorage();
    const a = new Outbox(storage, "k");
    await a.add(entry("m_aaaaaaaaaaaaaaaa"));
    await a.add(entry("m_bbbbbbbbbbbbbbbb"));
    const b = new Outbox(storage, "k");
    await b.load();
    expect(b.entries.map((e) => e.envelope.msgId)).toEqual(["m_aaaaaaaaaaaaaaaa", "m_bbbbbbbbbbbbbbbb"]);
  });

  it("coalesces changes made together into few writes and never lets an older write land last", async () => {
    const writes: string[] = [];
    let delay = 20;
    const slow: KeyValueStorage = {
      async get() {
        return undefined;
      },
      async set(_k, v) {
        const d = delay;
        delay = 0; // the first write is slow, later ones fast: a race if writes overlapped
        await new Promise((r) => setTimeout(r, d));
        writes.push(v);
      },
      async delete() {
        writes.push("<deleted>");
      },
    };
    const box = new Outbox(slow, "k");
    await Promise.all(Array.from({ length: 100 }, (_, i) => box.add(entry(`m_${String(i).padStart(16, "0")}`))));
    await box.remove("m_0000000000000000");
    expect(writes.length).toBeLessThanOrEqual(3);
    expect((JSON.parse(writes.at(-1) ?? "[]") as OutboxEntry[]).length).toBe(99);
  });

  it("deletes the key when empty and keeps a failure across reloads", async () => {
    const storage = memoryStorage();
    const box = new Outbox(storage, "k");
    await box.add(entry("m_cccccccccccccccc"));
    await box.setFailed("m_cccccccccccccccc", { code: "forbidden", message: "no" });
    const reloaded = new Outbox(storage, "k");
    await reloaded.load();
    expect(reloaded.entries[0]?.failed).toEqual({ code: "forbidden", message: "no" });
    await box.remove("m_cccccccccccccccc");
    expect(await storage.get("k")).toBeUndefined();
  });
});
