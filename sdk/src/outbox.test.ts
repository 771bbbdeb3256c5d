import { describe, expect, it } from "vitest";
import { Outbox, type OutboxEntry, ownSealedBody } from "./outbox.js";
import type { Envelope, StoredMessage } from "./protocol/index.js";
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

  it("keeps another tab's unsent entries when it writes (two outboxes on one storage key), and drops only what it removed", async () => {
    const storage = memoryStorage();
    const tabA = new Outbox(storage, "k");
    const tabB = new Outbox(storage, "k");
    await tabA.load();
    await tabB.load(); // both open before either queued anything
    await tabA.add(entry("m_aaaaaaaaaaaaaaaa"));
    await tabB.add(entry("m_bbbbbbbbbbbbbbbb"));
    const stored = async () =>
      (JSON.parse((await storage.get("k")) ?? "[]") as OutboxEntry[]).map((e) => e.envelope.msgId).sort();
    expect(await stored()).toEqual(["m_aaaaaaaaaaaaaaaa", "m_bbbbbbbbbbbbbbbb"]);
    // Tab A is closed with its message unsent: a tab opened later still finds it.
    const later = new Outbox(storage, "k");
    await later.load();
    expect(later.entries.map((e) => e.envelope.msgId).sort()).toEqual(["m_aaaaaaaaaaaaaaaa", "m_bbbbbbbbbbbbbbbb"]);
    // B's message acknowledged: removed from storage, and B's next write does not bring it back.
    await tabB.remove("m_bbbbbbbbbbbbbbbb");
    expect(await stored()).toEqual(["m_aaaaaaaaaaaaaaaa"]);
    await tabB.add(entry("m_cccccccccccccccc"));
    expect(await stored()).toEqual(["m_aaaaaaaaaaaaaaaa", "m_cccccccccccccccc"]);
  });

  it("keeps another tab's entries across its own writes in a row, and takes in what that tab wrote in between", async () => {
    const storage = memoryStorage();
    const tabA = new Outbox(storage, "k");
    const tabB = new Outbox(storage, "k");
    const stored = async () =>
      (JSON.parse((await storage.get("k")) ?? "[]") as OutboxEntry[]).map((e) => e.envelope.msgId).sort();
    await tabB.add(entry("m_bbbbbbbbbbbbbbbb"));
    // A's writes in a row: nothing else wrote between them, so A need not read the list back each time.
    await tabA.add(entry("m_aaaaaaaaaaaaaaaa"));
    await tabA.add(entry("m_a2a2a2a2a2a2a2a2"));
    await tabA.remove("m_aaaaaaaaaaaaaaaa");
    expect(await stored()).toEqual(["m_a2a2a2a2a2a2a2a2", "m_bbbbbbbbbbbbbbbb"]);
    // B writes in between: A's next write keeps B's new entry.
    await tabB.add(entry("m_cccccccccccccccc"));
    await tabA.add(entry("m_dddddddddddddddd"));
    expect(await stored()).toEqual([
      "m_a2a2a2a2a2a2a2a2",
      "m_bbbbbbbbbbbbbbbb",
      "m_cccccccccccccccc",
      "m_dddddddddddddddd",
    ]);
    // B's message acknowledged there: A's next write does not bring it back.
    await tabB.remove("m_bbbbbbbbbbbbbbbb");
    await tabA.remove("m_a2a2a2a2a2a2a2a2");
    expect(await stored()).toEqual(["m_cccccccccccccccc", "m_dddddddddddddddd"]);
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

describe("ownSealedBody", () => {
  const sealed: Envelope = {
    v: 1,
    convId: "cv_1",
    epoch: 2,
    msgId: "m_own0000000000000",
    senderDevice: "d_me",
    ts: 5,
    alg: "xc20p-ed25519",
    nonce: "bm9uY2U",
    ct: "Y2lwaGVydGV4dA",
    sig: "c2lnbmF0dXJl",
  };
  const body = { type: "text" as const, text: "hello" };
  const mine: OutboxEntry = { convId: "cv_1", envelope: sealed, body, queuedAt: 1, attempts: 1 };
  const self = { principalId: "p_me", deviceId: "d_me" };
  const stored = (envelope: Partial<Envelope> = {}, extra: Partial<StoredMessage> = {}): StoredMessage => ({
    convId: "cv_1",
    seq: 7,
    msgId: sealed.msgId,
    sender: "p_me",
    ts: 9,
    envelope: { ...sealed, ...envelope },
    ...extra,
  });

  it("gives the held body for the envelope this device sealed, unchanged", () => {
    expect(ownSealedBody(mine, stored(), self)).toBe(body);
  });

  it("opens instead when any envelope field differs from what was sealed", () => {
    for (const [field, value] of [
      ["ct", "b3RoZXI"],
      ["sig", "b3RoZXI"],
      ["nonce", "b3RoZXI"],
      ["epoch", 3],
      ["ts", 6],
      ["senderDevice", "d_other"],
      ["convId", "cv_2"],
    ] as const) {
      expect(ownSealedBody(mine, stored({ [field]: value }), self), field).toBeUndefined();
    }
    const extraField = { ...stored(), envelope: { ...sealed, extra: "x" } as Envelope };
    expect(ownSealedBody(mine, extraField, self)).toBeUndefined();
  });

  it("opens instead for another sender, another device of ours, another conversation or no session", () => {
    expect(ownSealedBody(mine, stored({}, { sender: "p_other" }), self)).toBeUndefined();
    expect(ownSealedBody(mine, stored({}, { convId: "cv_2" }), self)).toBeUndefined();
    expect(ownSealedBody(mine, stored(), { principalId: "p_me", deviceId: "d_second" })).toBeUndefined();
    expect(ownSealedBody(mine, stored(), { principalId: undefined, deviceId: "d_me" })).toBeUndefined();
  });

  it("never takes an entry that was not sealed yet, has no body, or is plaintext", () => {
    const header = { ...sealed, nonce: "", ct: "", sig: "" };
    expect(ownSealedBody({ ...mine, envelope: header }, stored(header), self)).toBeUndefined();
    expect(ownSealedBody({ ...mine, body: undefined }, stored(), self)).toBeUndefined();
    const plain = { ...sealed, alg: "none" as const, sig: "" };
    expect(ownSealedBody({ ...mine, envelope: plain }, stored(plain), self)).toBeUndefined();
    expect(ownSealedBody(undefined, stored(), self)).toBeUndefined();
  });
});
