/**
 * Key backup (ADR 0016) through a real gateway, nats-server and store: a
 * customer's first device backs up the epoch keys it holds; a second device of
 * the same customer, given the same secret by the shop's backend, reads every
 * earlier message. Without the secret, or with a wrong one, it reads none and
 * each message says why ("no_key") instead of looking damaged. Entries the
 * store swapped or changed are refused. The secret, the backup key and the
 * epoch keys never reach the store or the gateway's logs; bad input to the two
 * new ops gets stable error codes and stores nothing.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type ChatMessage, type KeyValueStorage, memoryStorage, type ParleyClient } from "@parley/sdk";
import { deriveBackupKey } from "@parley/sdk/crypto";
import { fromBase64Url, toBase64Url } from "@parley/sdk/internal";
import { keyBackupSecret } from "@parley/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { codeOf, waitFor } from "./helpers.js";

const MASTER = "shop-key-backup-master-secret-0123456789";
const OTHER_MASTER = "another-shop-master-secret-9876543210abc";

let stack: TestStack;
const clients: ParleyClient[] = [];
const errors = new Map<ParleyClient, string[]>();

beforeAll(async () => {
  stack = await startStack();
  // The admin agent's device makes the team key every epoch is also sealed to.
  await track(stack.agent({ encryption: true })).connect();
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await stack?.[Symbol.asyncDispose]();
});

function track(client: ParleyClient): ParleyClient {
  clients.push(client);
  const list: string[] = [];
  errors.set(client, list);
  client.on("error", (e) => list.push(e.message));
  return client;
}

/** A device of customer `sub`, with its own storage, given `secret` (or none) by the shop's backend. */
async function device(sub: string, secret: string | undefined, storage: KeyValueStorage = memoryStorage()) {
  const client = track(
    stack.client({
      auth: {
        kind: "customer",
        shopId: SHOP_ID,
        getToken: () => stack.customerToken(sub, sub),
        ...(secret === undefined ? {} : { getKeyBackupSecret: async () => secret }),
      },
      encryption: true,
      storage,
    }),
  );
  await client.connect();
  return client;
}

const textOf = (m: ChatMessage) => (m.body?.type === "text" ? m.body.text : undefined);

/** Loads the conversation on `client` and waits until `count` messages are there with settled bodies. */
async function loadAll(client: ParleyClient, convId: string, count: number): Promise<ChatMessage[]> {
  await client.loadConversation(convId);
  return waitFor(() => {
    const messages = client.conversation(convId).value.messages as ChatMessage[];
    return messages.length >= count ? messages : undefined;
  }, `${count} messages in ${convId}`);
}

/** First device: a conversation over two epochs (a policy change commits the second). Resolves its id and texts. */
async function history(first: ParleyClient, label: string): Promise<{ convId: string; texts: string[] }> {
  const conv = await first.openConversation();
  const texts = [`${label} one`, `${label} two`, `${label} three`, `${label} four`];
  await first.send(conv.id, texts[0] as string);
  await first.send(conv.id, texts[1] as string);
  await first.setHistoryPolicy(conv.id, "full");
  await first.send(conv.id, texts[2] as string);
  await first.send(conv.id, texts[3] as string);
  await waitFor(async () => {
    const { entries } = await first.request("keys.backup.list", { convId: conv.id });
    return entries.length === 2;
  }, "both epochs in the key backup");
  return { convId: conv.id, texts };
}

/** Every file of the embedded store (database, WAL) as latin1 text. */
async function storeDump(): Promise<string> {
  const dir = stack.config.dataDir;
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) await walk(path);
      else out.push(await readFile(path, "latin1"));
    }
  };
  await walk(dir);
  return out.join("\n");
}

describe("key backup", () => {
  const secretOf = (sub: string) => keyBackupSecret({ secret: MASTER, customerId: sub });

  it("lets a customer's second device with the same secret read every earlier message", async () => {
    const secret = await secretOf("kb-ada");
    const storageA = memoryStorage();
    const a = await device("kb-ada", secret, storageA);
    const { convId, texts } = await history(a, "ada");

    const b = await device("kb-ada", secret);
    expect(b.deviceId).not.toBe(a.deviceId);
    const seen = await loadAll(b, convId, 4);
    await waitFor(() => (b.conversation(convId).value.messages as ChatMessage[]).every((m) => m.body), "bodies");
    const read = b.conversation(convId).value.messages as ChatMessage[];
    expect(read.map(textOf)).toEqual(texts);
    expect(seen.every((m) => m.sharedBy === undefined && m.unreadable === undefined)).toBe(true);

    // The new device joins the conversation's keys from here on: its reply reaches the first device.
    await b.send(convId, "ada from the second device");
    await waitFor(
      () =>
        (a.conversation(convId).value.messages as ChatMessage[]).some(
          (m) => textOf(m) === "ada from the second device",
        ),
      "the first device to read the second's reply",
    );
    expect(errors.get(b)).toEqual([]);

    // Nothing the gateway keeps or logs holds the secret, the backup key or an epoch key.
    const backupKey = (await deriveBackupKey(secret, SHOP_ID, a.principal.id)).key;
    const stored = JSON.parse((await storageA.get(`parley:epochs:${a.principal.id}:${convId}`)) ?? "{}") as {
      keys: [number, string][];
    };
    const epochKeys = stored.keys.map(([, k]) => fromBase64Url(k));
    expect(epochKeys).toHaveLength(3); // the two epochs of the history and the one the second device committed
    const needles = [
      secret,
      secret.slice(3),
      toBase64Url(backupKey),
      Buffer.from(backupKey).toString("latin1"),
      Buffer.from(backupKey).toString("hex"),
      ...epochKeys.flatMap((k) => [toBase64Url(k), Buffer.from(k).toString("latin1"), Buffer.from(k).toString("hex")]),
    ];
    const haystacks = { store: await storeDump(), logs: stack.logs() };
    // The scan can see: the dump holds the backup rows themselves.
    const rows = await stack.gateway.store.listKeyBackups(a.principal.id, convId, 0, 10);
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(haystacks.store).toContain(row.ct);
    const found = Object.fromEntries(
      Object.entries(haystacks).map(([where, hay]) => [where, needles.filter((n) => hay.includes(n)).length]),
    );
    console.log(`key backup leak scan: ${needles.length} needles; found ${JSON.stringify(found)}`);
    expect(found).toEqual({ store: 0, logs: 0 });
  });

  it("without the secret, or with a wrong one, reads none of it and says why, and the backup stays intact", async () => {
    const secret = await secretOf("kb-ben");
    const a = await device("kb-ben", secret);
    const { convId, texts } = await history(a, "ben");

    for (const other of [undefined, await keyBackupSecret({ secret: OTHER_MASTER, customerId: "kb-ben" })]) {
      const c = await device("kb-ben", other);
      const seen = await loadAll(c, convId, 4);
      expect(seen.map((m) => [m.body, m.unreadable])).toEqual(texts.map(() => [undefined, "no_key"]));
      if (other) {
        await waitFor(() => errors.get(c)?.some((e) => e.includes("did not open")), "the refused entries reported");
        // It sends (committing an epoch with its keys) and backs those up; what it could not open stays as it was.
        await c.send(convId, "ben with the wrong secret");
        await waitFor(async () => {
          const { entries } = await c.request("keys.backup.list", { convId });
          return entries.length === 3;
        }, "the wrong-secret device's own epoch backed up");
      }
    }
    // The right secret still opens the first two epochs on yet another device.
    const d = await device("kb-ben", secret);
    await loadAll(d, convId, 5);
    const read = await waitFor(() => {
      const ms = d.conversation(convId).value.messages as ChatMessage[];
      return ms.slice(0, 4).every((m) => m.body) ? ms : undefined;
    }, "the right secret to open the first four");
    expect(read.slice(0, 4).map(textOf)).toEqual(texts);
  });

  it("refuses a backup entry the store swapped to another epoch or changed by one bit", async () => {
    const secret = await secretOf("kb-cy");
    const a = await device("kb-cy", secret);
    const { convId } = await history(a, "cy");
    const principalId = a.principal.id;
    const [e1, e2] = await stack.gateway.store.listKeyBackups(principalId, convId, 0, 10);
    if (!e1 || !e2) throw new Error("expected two entries");
    const flipped = fromBase64Url(e2.ct);
    flipped[40] = (flipped[40] as number) ^ 0x01;
    // Epoch 1's entry now holds epoch 2's ciphertext; epoch 2's has one bit flipped.
    await stack.gateway.store.putKeyBackups(principalId, [
      { ...e1, ct: e2.ct },
      { ...e2, ct: toBase64Url(flipped) },
    ]);

    const b = await device("kb-cy", secret);
    const seen = await loadAll(b, convId, 4);
    expect(seen.map((m) => [m.body, m.unreadable])).toEqual(seen.map(() => [undefined, "no_key"]));
    await waitFor(() => errors.get(b)?.some((e) => e.includes("did not open")), "the refused entries reported");
  });
});

describe("keys.backup.put and keys.backup.list refuse bad input with stable codes", () => {
  it("answers bad_request, not_found, forbidden and rate_limited, and stores nothing refused", async () => {
    const secret = await keyBackupSecret({ secret: MASTER, customerId: "kb-bad" });
    const owner = await device("kb-bad", secret);
    const conv = await owner.openConversation();
    await owner.send(conv.id, "one");
    const ct = "A".repeat(96);
    const put = (client: ParleyClient, entries: unknown) =>
      codeOf(client.request("keys.backup.put", { entries } as never));
    const entry = (over: Record<string, unknown> = {}) => ({ convId: conv.id, epoch: 1, v: 1, ct, ...over });

    expect(await put(owner, [])).toBe("bad_request");
    expect(
      await put(
        owner,
        Array.from({ length: 101 }, () => entry()),
      ),
    ).toBe("bad_request");
    expect(await put(owner, [entry({ ct: "A".repeat(95) })])).toBe("bad_request");
    expect(await put(owner, [entry({ ct: `${"A".repeat(95)}=` })])).toBe("bad_request");
    expect(await put(owner, [entry({ convId: { $gt: "" } })])).toBe("bad_request");
    expect(await put(owner, [entry({ epoch: 0 })])).toBe("bad_request");
    expect(await put(owner, [entry({ v: 0 })])).toBe("bad_request");
    expect(await put(owner, [entry({ extra: 1 })])).toBe("bad_request");
    expect(await put(owner, [entry(), entry()])).toBe("bad_request"); // the same epoch twice
    expect(await put(owner, [entry({ epoch: 2 })])).toBe("bad_request"); // not committed yet
    expect(await put(owner, [entry({ convId: "cv_missing" })])).toBe("not_found");
    expect(await codeOf(owner.request("keys.backup.list", { convId: "cv_missing" }))).toBe("not_found");
    expect(await codeOf(owner.request("keys.backup.list", { convId: conv.id, limit: 501 }))).toBe("bad_request");

    // Another customer: not a member, so the conversation does not exist for them.
    const stranger = await device("kb-stranger", undefined);
    expect(await put(stranger, [entry()])).toBe("not_found");
    expect(await codeOf(stranger.request("keys.backup.list", { convId: conv.id }))).toBe("not_found");

    // Invited later under the default policy, it may list, but not back up an epoch it was not in.
    await stranger.updateProfile({ handle: "kb_stranger" });
    const invited = new Promise<string>((resolve) => stranger.on("invite", (i) => resolve(i.id)));
    await owner.invite(conv.id, "@kb_stranger");
    await stranger.acceptInvite(await invited);
    await waitFor(async () => {
      const { commits } = await owner.request("epoch.list", { convId: conv.id, after: 0 });
      return commits.some((c) => c.reason === "add");
    }, "the owner's add commit");
    expect(await put(stranger, [entry()])).toBe("forbidden");
    expect((await stranger.request("keys.backup.list", { convId: conv.id })).entries).toEqual([]);
    // What was said before it joined is not served to it at all (offered no history: the history floor).
    expect((await stranger.request("msg.history", { convId: conv.id })).messages).toEqual([]);

    // The shop's team and guests have no key backup.
    const agent = track(stack.agent({ encryption: true }));
    await agent.connect();
    expect(await put(agent, [entry()])).toBe("forbidden");
    const guest = track(stack.client({ auth: { kind: "guest", shopId: SHOP_ID }, encryption: true }));
    await guest.connect();
    expect(await put(guest, [entry()])).toBe("forbidden");

    // A mixed put (one good entry, one for an epoch that does not list the caller) stores nothing.
    await owner.setHistoryPolicy(conv.id, "full");
    // The owner's device backs up the new epoch's key in the background: let that land first.
    await waitFor(async () => {
      const { epoch } = (await owner.request("conv.get", { convId: conv.id })).conversation;
      const stored = await stack.gateway.store.listKeyBackups(owner.principal.id, conv.id, 0, 10);
      return stored.some((e) => e.epoch === epoch);
    }, "the owner's backup of the policy epoch");
    const before = await stack.gateway.store.listKeyBackups(owner.principal.id, conv.id, 0, 10);
    expect(await put(owner, [entry({ epoch: 3, v: 7 }), entry({ convId: "cv_missing" })])).toBe("not_found");
    expect(await stack.gateway.store.listKeyBackups(owner.principal.id, conv.id, 0, 10)).toEqual(before);

    // Past the per-principal limit (120 a minute): rate_limited, and the connection stays usable.
    const codes: string[] = [];
    for (let i = 0; i < 125; i++) {
      codes.push(
        await owner.request("keys.backup.list", { convId: conv.id }).then(
          () => "ok",
          (err: { code?: string }) => err.code ?? "?",
        ),
      );
    }
    expect(codes.filter((c) => c === "rate_limited").length).toBeGreaterThan(0);
    expect(codes.filter((c) => c !== "ok" && c !== "rate_limited")).toEqual([]);
    expect((await owner.request("conv.get", { convId: conv.id })).conversation.id).toBe(conv.id);
  });
});
