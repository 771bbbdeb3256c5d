/**
 * End-to-end encryption through the real stack: the admin agent's device makes
 * the shop's team key, a customer's conversation is sealed from epoch 1, the
 * agent reads through the team wrap, an invited friend reads only what comes
 * after the inviter's commit, and a removed friend holds no key for anything
 * sent after removal. Every plaintext (files, their names and captions too)
 * carries a random canary; afterwards the store, the gateway's logs, a capture
 * of every NATS subject and the blob directory are scanned.
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type ClientEvents, EncryptionUnavailableError, memoryStorage, type ParleyClient } from "@parley/sdk";
import { DeviceDirectory, EpochKeyring, loadOrCreateDeviceIdentity } from "@parley/sdk/crypto";
import { signCustomerToken } from "@parley/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAttack } from "./harness/attack.js";
import { startStack, type TestStack } from "./harness/stack.js";
import { startWiretap, type Wiretap } from "./harness/wiretap.js";
import { collectTexts, openedBy, waitFor } from "./helpers.js";

const canaries: string[] = [];
/** A plaintext carrying a fresh random canary. */
function text(label: string): string {
  const canary = `CANARY${crypto.randomUUID().replace(/-/g, "")}`;
  canaries.push(canary);
  return `${label} ${canary}`;
}
const label = (t: string | undefined) => t?.split(" ")[0];

describe("end-to-end encryption through the gateway", () => {
  let stack: TestStack;
  let tap: Wiretap;
  const clients: ParleyClient[] = [];
  beforeAll(async () => {
    stack = await startStack();
    tap = await startWiretap(stack);
  });
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await tap?.[Symbol.asyncDispose]();
    await stack?.[Symbol.asyncDispose]();
  });

  const track = (c: ParleyClient) => {
    clients.push(c);
    return c;
  };
  const failures = (c: ParleyClient) => {
    const list: ClientEvents["decode-failed"][] = [];
    c.on("decode-failed", (e) => list.push(e));
    return list;
  };

  it("seals a customer's conversation; the admin agent reads it through the team key and replies", async () => {
    const agent = track(stack.agent({ encryption: true }));
    const toAgent = collectTexts(agent);
    await agent.connect();
    const { key } = await agent.request("team.get", { shopId: agent.principal.shopId });
    expect(key?.version).toBe(1);

    const customerStorage = memoryStorage();
    const customer = track(stack.customer("e2e-owner", { encryption: true, storage: customerStorage }));
    const toCustomer = collectTexts(customer);
    await customer.connect();
    const conv = await customer.openConversation();
    const { commits } = await customer.request("epoch.list", { convId: conv.id, after: 0 });
    expect(commits.map((c) => [c.epoch, c.reason, c.historyPolicy, c.teamWrap !== ""])).toEqual([
      [1, "create", "none", true],
    ]);

    const hello = text("hello");
    const sent = await customer.send(conv.id, hello);
    expect(sent.body).toEqual({ type: "text", text: hello });
    const stored = await stack.gateway.store.since(conv.id, 0, 10);
    expect(stored[0]?.envelope.alg).toBe("xc20p-ed25519");
    expect(stored[0]?.envelope.epoch).toBe(1);

    await waitFor(() => toAgent.get(conv.id)?.includes(hello), "the agent to decrypt the customer's message");
    const reply = text("reply");
    await agent.send(conv.id, reply);
    await waitFor(() => toCustomer.get(conv.id)?.includes(reply), "the customer to decrypt the agent's reply");
    expect(toCustomer.get(conv.id)).toEqual([hello, reply]);
  });

  it("an invited friend reads what comes after the inviter's commit, not before; a removed friend holds no later key", async (ctx) => {
    const row = asAttack(ctx, {
      area: "members",
      attack: "removed member's device, given every stored ciphertext after its removal",
      expected: "decrypts 0 new messages",
    });
    const owner = track(stack.customer("e2e-inviter", { encryption: true }));
    const friendStorage = memoryStorage();
    const friend = track(stack.customer("e2e-friend", { encryption: true, storage: friendStorage }));
    const agent = track(stack.agent({ encryption: true }));
    const toFriend = collectTexts(friend);
    const friendFailures = failures(friend);
    const toAgent = collectTexts(agent);
    await agent.connect();
    await owner.connect();
    await friend.connect();
    await friend.updateProfile({ handle: "e2e_friend" });

    const conv = await owner.openConversation();
    const before = text("before");
    await owner.send(conv.id, before);

    const invited = new Promise<string>((resolve) => friend.on("invite", (i) => resolve(i.id)));
    await owner.invite(conv.id, "@e2e_friend");
    await friend.acceptInvite(await invited);
    // The inviter commits epoch 2 with the friend's devices on the `joined` event.
    await waitFor(async () => {
      const { commits } = await owner.request("epoch.list", { convId: conv.id, after: 1 });
      return commits.some((c) => c.reason === "add" && c.members.some((m) => m.principalId === friend.principal.id));
    }, "the inviter's add commit");

    const after = text("after");
    await owner.send(conv.id, after);
    await friend.loadConversation(conv.id);
    await waitFor(
      () => friend.conversation(conv.id).value.messages.some((m) => m.body?.type === "text" && m.body.text === after),
      "the friend to read the message after joining",
    );
    // Offered no history, the friend is not even served what came before (the gateway's history floor, ADR 0024).
    const friendView = friend.conversation(conv.id).value.messages;
    expect(friendView.find((m) => m.seq === 1)).toBeUndefined();
    expect(friendFailures.some((f) => f.seq === 1)).toBe(false);
    await waitFor(() => toAgent.get(conv.id)?.includes(after), "the agent to read both epochs");
    expect(toAgent.get(conv.id)?.map(label)).toEqual(["before", "after"]);

    // The friend speaks under epoch 2; then the owner removes the friend and commits epoch 3 without it.
    const fromFriend = text("friend");
    await friend.send(conv.id, fromFriend);
    await owner.removeMember(conv.id, friend.principal.id);
    await waitFor(async () => {
      const { commits } = await owner.request("epoch.list", { convId: conv.id, after: 2 });
      return commits.some((c) => c.reason === "remove");
    }, "the remover's commit");
    const secrets = [text("secret1"), text("secret2"), text("secret3")];
    for (const s of secrets) await owner.send(conv.id, s);
    await waitFor(() => toAgent.get(conv.id)?.includes(secrets[2] ?? ""), "the agent to read after the removal");
    expect(toFriend.get(conv.id) ?? []).not.toContain(secrets[0]);

    // What the removed device can do with everything sent after removal: its own keys, the commits, the envelopes.
    const all = await stack.gateway.store.since(conv.id, 0, 100);
    const afterRemoval = all.filter((m) => m.envelope.epoch >= 3);
    expect(afterRemoval).toHaveLength(3);
    const { commits } = await owner.request("epoch.list", { convId: conv.id, after: 0 });
    const identity = await loadOrCreateDeviceIdentity(friendStorage, `parley:device:${friend.principal.id}`);
    const directory = await DeviceDirectory.open({
      storage: friendStorage,
      storageKey: `parley:devices:${friend.principal.id}`,
    });
    const { devices } = await owner.request("device.list", { principalIds: [owner.principal.id] });
    await directory.learn(devices);
    const keyring = await EpochKeyring.open({
      storage: friendStorage,
      convId: conv.id,
      identity,
      directory,
      storageKeyPrefix: `parley:epochs:${friend.principal.id}:`,
    });
    await keyring.apply(commits);
    expect(keyring.epoch).toBe(3);
    expect(keyring.keyFor(2)).toBeDefined();
    expect(keyring.keyFor(3)).toBeUndefined();
    const { opened: decrypted } = await openedBy(
      { identity, keyring, directory },
      afterRemoval.map((m) => m.envelope),
    );
    expect(decrypted).toBe(0);
    row.observed(`${decrypted} of ${afterRemoval.length} later messages decrypted; no key for epoch 3`);
  });

  it("tells an agent that cannot read an epoch sealed while its shop had no team key why, instead of hanging", async () => {
    const shopId = "shop_nokey";
    const secret = "nokey-shop-secret-0123456789abcdefghijkl";
    await stack.gateway.admin.putShop(shopId, {
      name: "No Key Shop",
      tokenKey: { alg: "HS256", secret },
      allowedOrigins: ["https://shop.test"],
      allowGuests: false,
    });
    const login = { login: "bo@nokey.test", password: "bo's long password" };
    await stack.gateway.admin.addAgent(shopId, { ...login, displayName: "Bo", role: "agent", kind: "agent" });
    const customer = track(
      stack.client({
        auth: {
          kind: "customer",
          shopId,
          getToken: () => signCustomerToken({ shopId, key: { alg: "HS256", secret }, customer: { id: "nk-1" } }),
        },
        encryption: true,
      }),
    );
    await customer.connect();
    const conv = await customer.openConversation();
    const msg = text("noteam");
    await customer.send(conv.id, msg);
    const { commits } = await customer.request("epoch.list", { convId: conv.id, after: 0 });
    expect(commits[0]?.teamWrap).toBe("");

    // A plain (non-admin) agent cannot make the team key, so it can never read epoch 1.
    const agent = track(stack.client({ auth: { kind: "agent", shopId, ...login }, encryption: true }));
    const agentFailures = failures(agent);
    await agent.connect();
    await agent.loadConversation(conv.id);
    const failure = await waitFor(() => agentFailures.find((f) => f.conversationId === conv.id), "decode-failed");
    expect(failure.error).toBeInstanceOf(EncryptionUnavailableError);
    expect((failure.error as EncryptionUnavailableError).reason).toBe("no_team_wrap");
    expect(failure.error.message).toMatch(/no team key/);
    expect(agent.conversation(conv.id).value.messages[0]?.body).toBeUndefined();
  });

  it("carries files whose contents, names and captions carry canaries; the agent reads them", async () => {
    const agent = track(stack.agent({ encryption: true }));
    await agent.connect();
    const customer = track(stack.customer("e2e-files", { encryption: true }));
    await customer.connect();
    const conv = await customer.openConversation();
    // Contents: canaries at the start, across the first chunk boundary and at the end of a 3-chunk file.
    const inside = [text("file-start"), text("file-boundary"), text("file-end")];
    const bytes = new Uint8Array(2 * 65_536 + 1000);
    const put = (at: number, t: string) => bytes.set(new TextEncoder().encode(t), at);
    put(0, inside[0] ?? "");
    put(65_536 - 20, inside[1] ?? "");
    put(bytes.length - 60, inside[2] ?? "");
    const small = new TextEncoder().encode(text("small-file"));
    const sent = [
      await customer.sendFile(conv.id, new Blob([bytes]), {
        name: text("name"),
        mime: "application/octet-stream",
        caption: text("caption"),
      }),
      await customer.sendFile(conv.id, small, { name: "note.txt", mime: "text/plain" }),
    ];
    for (const [i, m] of sent.entries()) {
      const ref = await waitFor(() => {
        const got = agent.conversation(conv.id).value.messages.find((x) => x.msgId === m.msgId);
        return got?.body?.type === "file" ? got.body.file : undefined;
      }, "the agent to decrypt the file message");
      const plain = await agent.downloadFile(conv.id, ref);
      expect(Buffer.from(plain).equals(Buffer.from(i === 0 ? bytes : small))).toBe(true);
    }
  });

  it("leaves no canary in the store, the gateway's logs, any NATS subject or the blob store", async (ctx) => {
    const row = asAttack(ctx, {
      area: "leak",
      attack: "canaries in plaintexts, files and names",
      expected: "0 found in store, logs, NATS capture, blobs",
    });
    await tap.flush();
    const { captured } = tap;
    const subjects = new Set(captured.map((c) => c.split(".", 1)[0]));
    const dump: string[] = [];
    const listed = [
      ...(await stack.gateway.store.listConversationsOfShop("shop_test", 500)),
      ...(await stack.gateway.store.listConversationsOfShop("shop_nokey", 500)),
    ];
    for (const c of listed) dump.push(JSON.stringify(await stack.gateway.store.since(c.id, 0, 1000)));
    const blobFiles = await filesUnder(stack.config.blobDir);
    const blobs = (await Promise.all(blobFiles.map((f) => readFile(f, "latin1")))).join("\n");
    const haystacks = { store: dump.join("\n"), logs: stack.logs(), nats: captured.join("\n"), blobs };
    const found = Object.fromEntries(
      Object.entries(haystacks).map(([where, hay]) => [where, canaries.filter((c) => hay.includes(c)).length]),
    );
    console.log(
      `canaries sent: ${canaries.length}; found: ${JSON.stringify(found)}; NATS messages captured: ${captured.length} on ${[...subjects].sort().join(", ")}; store bytes ${haystacks.store.length}; blob files ${blobFiles.length}, bytes ${blobs.length}`,
    );
    expect(canaries.length).toBeGreaterThan(5);
    expect(captured.length).toBeGreaterThan(20);
    expect(blobFiles.filter((f) => f.endsWith(".bin"))).toHaveLength(2);
    expect(found).toEqual({ store: 0, logs: 0, nats: 0, blobs: 0 });
    row.observed(`${canaries.length} canaries: ${JSON.stringify(found)}`);
  });
});

/** Every file under `dir` (the blob store's data, records and temp files). */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    out.push(...(entry.isDirectory() ? await filesUnder(path) : [path]));
  }
  return out;
}
