/**
 * Internal notes through a real gateway and nats-server: the shop's team adds
 * and reads them (sealed with a key derived from the team key), customers can
 * neither list nor receive them, and the store and NATS hold no plaintext.
 */
import { encodeUser } from "@nats-io/jwt";
import { jwtAuthenticator, type NatsConnection } from "@nats-io/nats-core";
import { createUser, fromSeed } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import { type ClientEvents, EncryptionUnavailableError, type ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withDualTransport } from "./harness/dual-transport.js";
import { SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { codeOf, waitFor } from "./helpers.js";

const decoder = new TextDecoder();
let stack: TestStack;
let tap: NatsConnection;
const captured: string[] = [];
const clients: ParleyClient[] = [];

function track<T extends ParleyClient>(client: T): T {
  clients.push(client);
  return client;
}

/** A non-bearer TCP user in the app account that may subscribe to `>`: sees every subject the gateway publishes on. */
async function wiretap(): Promise<NatsConnection> {
  const ukp = createUser();
  const jwt = await encodeUser(
    "notes-wiretap",
    ukp,
    stack.nats.auth.appAccountPub,
    {
      sub: { allow: [">"] },
      pub: { allow: ["_INBOX.>"] },
      bearer_token: false,
      allowed_connection_types: ["STANDARD"],
    },
    { signer: fromSeed(new TextEncoder().encode(stack.nats.auth.appSigningSeed)) },
  );
  return withDualTransport(() =>
    connect({ servers: [stack.nats.url], authenticator: jwtAuthenticator(jwt, ukp.getSeed()) }),
  );
}

beforeAll(async () => {
  stack = await startStack();
  tap = await wiretap();
  tap.subscribe(">", {
    callback: (_err, msg) => {
      captured.push(`${msg.subject} ${decoder.decode(msg.data)}`);
    },
  });
  await tap.flush();
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await tap?.close();
  await stack?.[Symbol.asyncDispose]();
});

describe("internal notes", () => {
  it("reach the shop's team decrypted, and nobody else", async () => {
    const ada = track(stack.agent({ encryption: true }));
    await ada.connect();
    await stack.gateway.admin.addAgent(SHOP_ID, {
      login: "bo@shop.test",
      password: "another long password",
      displayName: "Bo",
      role: "agent",
      kind: "agent",
      handle: "bo",
    });
    const bo = track(
      stack.client({
        auth: { kind: "agent", shopId: SHOP_ID, login: "bo@shop.test", password: "another long password" },
        encryption: true,
      }),
    );
    await bo.connect();
    // Bo's device waits for Ada's (admin) device to wrap the team key to it.
    await waitFor(async () => (await bo.request("team.wrap.get", {})).wraps.length > 0, "Bo's team key wrap");

    const mia = track(stack.customer("notes-mia", { encryption: true }));
    await mia.connect();
    const miaEvents: Array<ClientEvents["note"]> = [];
    mia.on("note", (e) => miaEvents.push(e));
    const conv = await mia.openConversation();
    await mia.send(conv.id, "is my order on its way?");

    const boNotes: Array<ClientEvents["note"]> = [];
    bo.on("note", (e) => boNotes.push(e));
    const marker = `MARKER${crypto.randomUUID().replace(/-/g, "")}`;
    const added = await ada.addNote(conv.id, `VIP customer, refund if late ${marker}`);
    expect(added).toMatchObject({ convId: conv.id, author: ada.principal.id, authorName: "Ada" });

    const live = await waitFor(() => boNotes.find((e) => e.note.id === added.id), "Bo to get the note live");
    expect(live.note.text).toBe(`VIP customer, refund if late ${marker}`);
    expect(live.note.authorName).toBe("Ada");
    const listed = await bo.notes(conv.id);
    expect(listed.map((n) => n.text)).toEqual([`VIP customer, refund if late ${marker}`]);

    // The customer can neither list nor add notes, and got no event.
    expect(await codeOf(mia.request("note.list", { convId: conv.id }))).toBe("forbidden");
    await expect(mia.addNote(conv.id, "let me in")).rejects.toBeInstanceOf(EncryptionUnavailableError);
    const copied = (await stack.gateway.store.listNotes(conv.id, 1))[0]?.envelope;
    expect(await codeOf(mia.request("note.add", { convId: conv.id, envelope: copied as never }))).toBe("forbidden");
    await mia.send(conv.id, "hello?");
    await waitFor(() => mia.conversation(conv.id).value.messages.length >= 2, "the customer's own messages");
    expect(miaEvents).toHaveLength(0);
    expect(JSON.stringify(mia.conversation(conv.id).value)).not.toContain(marker);

    // A stranger gets not_found; the store and every NATS subject hold ciphertext only.
    const stranger = track(stack.customer("notes-stranger"));
    await stranger.connect();
    expect(await codeOf(stranger.request("note.list", { convId: conv.id }))).toBe("not_found");
    const stored = await stack.gateway.store.listNotes(conv.id, 10);
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(marker);
    await tap.flush();
    expect(captured.some((line) => line.startsWith(`team.${SHOP_ID}.ev`) && line.includes(added.id))).toBe(true);
    expect(captured.some((line) => line.includes(marker))).toBe(false);
    expect(captured.some((line) => line.startsWith(`user.${mia.principal.id}.ev`) && line.includes(added.id))).toBe(
      false,
    );
  });

  it("refuses plaintext notes and notes for another conversation", async () => {
    const ada = track(stack.agent({ encryption: true }));
    await ada.connect();
    const mia = track(stack.customer("notes-mia-2", { encryption: true }));
    await mia.connect();
    const conv = await mia.openConversation();
    const other = await mia.openConversation();
    const plain = {
      v: 1 as const,
      convId: conv.id,
      epoch: 1,
      msgId: "n_plain",
      senderDevice: "d_x",
      ts: 1,
      alg: "none" as const,
      nonce: "",
      ct: "aGk",
      sig: "",
    };
    expect(await codeOf(ada.request("note.add", { convId: conv.id, envelope: plain }))).toBe("bad_request");
    expect(
      await codeOf(ada.request("note.add", { convId: other.id, envelope: { ...plain, alg: "xc20p-ed25519" } })),
    ).toBe("bad_request");
    expect(await stack.gateway.store.listNotes(conv.id, 10)).toEqual([]);
    expect(await stack.gateway.store.listNotes(other.id, 10)).toEqual([]);
  });
});
