/**
 * History grants through a real gateway and nats-server, end to end
 * encrypted, carried out per invite (ADR 0025). Mia's conversation has three
 * epochs whose signed commit times the test sets (20, 10 and 3 days ago: a
 * real client stamps commits with the clock of now), one line in each; then
 * she invites Ben offering `none`, `7d` or `all`, and her client, which makes
 * the add commit, grants exactly the keys the choice allows: none; epochs 2
 * and 3 (current within the 7 days before Ben accepted; epoch 1 ended 10 days
 * ago); or all three. Ben's device keeps only what his own invite allows: a
 * grant carrying more is trimmed, and one sent although his invite offered
 * `none` is refused. The shop's team hands history over by the same choice.
 *
 * The gateway's own floor (which messages it serves an invited member) is
 * another matter: these tests check which keys Ben's device holds and what
 * those keys open, reading the stored envelopes directly.
 */
import { type ChatMessage, type InviteHistory, memoryStorage, type ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";
import { grantedKeys, HeldDevice, readableWith } from "./history-grants.device.js";

const DAY = 24 * 60 * 60 * 1000;
const LINES = ["twenty days ago", "ten days ago", "three days ago"];
/** How many days ago each of epochs 1-3 was committed. */
const AGES = [20, 10, 3];

let stack: TestStack;
const clients: ParleyClient[] = [];

beforeAll(async () => {
  stack = await startStack();
  // The admin agent's device makes the shop's team key, which every conversation's epochs are sealed to.
  const agent = track(stack.agent({ encryption: true }));
  await agent.connect();
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await stack?.[Symbol.asyncDispose]();
});

function track<T extends ParleyClient>(client: T): T {
  clients.push(client);
  return client;
}

const textOf = (m: ChatMessage | undefined) => (m?.body?.type === "text" ? m.body.text : undefined);

/** A customer with end-to-end encryption and a handle; `storage` holds its device identity and keys. */
async function customer(id: string, handle?: string) {
  const storage = memoryStorage();
  const errors: Error[] = [];
  const client = track(stack.customer(id, { encryption: true, storage }));
  client.on("error", (e) => errors.push(e));
  await client.connect();
  if (handle) await client.updateProfile({ handle });
  return { client, storage, errors };
}

type Customer = Awaited<ReturnType<typeof customer>>;

/**
 * Mia's conversation, made by her device held by the test: epochs 1-3 signed 20, 10 and 3 days ago,
 * one line in each. Her client stays connected: it applies the commits as they come.
 */
async function oldConversation(prefix: string) {
  const mia = await customer(`${prefix}-mia`);
  const device = await HeldDevice.of(mia.client, mia.storage);
  const { conversation } = await mia.client.request("conv.open", {});
  const now = Date.now();
  for (const [i, text] of LINES.entries()) {
    const ts = now - (AGES[i] as number) * DAY;
    const commit = await device.commit(conversation.id, i === 0 ? "create" : "rotate", ts, [mia.client.principal.id]);
    await device.send(conversation.id, commit.epoch, { type: "text", text });
  }
  return { mia, device, convId: conversation.id };
}

/** `inviter` invites `invitee` offering `history`; the invitee accepts; resolves the epoch that added it. */
async function inviteAndJoin(inviter: ParleyClient, invitee: Customer, convId: string, history?: InviteHistory) {
  const handle = invitee.client.principal.handle as string;
  const invited = new Promise<string>((resolve) => invitee.client.on("invite", (i) => resolve(i.id)));
  await inviter.invite(convId, `@${handle}`, history ? { history } : {});
  await invitee.client.acceptInvite(await invited);
  return waitFor(async () => {
    const { commits } = await inviter.request("epoch.list", { convId, after: 0 });
    return commits.find(
      (c) => c.reason === "add" && c.members.some((m) => m.principalId === invitee.client.principal.id),
    )?.epoch;
  }, "the add commit");
}

/** What the keys Ben's device got by grant open among the conversation's stored messages. */
async function readableByGrant(ben: Customer, convId: string, device: HeldDevice) {
  const keys = await grantedKeys(ben.storage, ben.client.principal.id, convId);
  const stored = await stack.gateway.store.since(convId, 0, 100);
  const plain = new Map([...keys].map(([e, { key }]) => [e, key]));
  return {
    epochs: [...keys.keys()].sort(),
    by: new Set([...keys.values()].map((k) => k.by)),
    keys: plain,
    stored,
    texts: await readableWith(plain, stored, device.identity),
  };
}

describe("history grants per invite", () => {
  it("none: the invitee gets no key from before it joined", async () => {
    const { mia, convId } = await oldConversation("hg-none");
    const ben = await customer("hg-none-ben", "hg_none_ben");
    await inviteAndJoin(mia.client, ben, convId); // the default choice
    await mia.client.send(convId, "welcome Ben");
    await ben.client.loadConversation(convId);
    await waitFor(
      () => (ben.client.conversation(convId).value.messages as ChatMessage[]).some((m) => textOf(m) === "welcome Ben"),
      "Ben to read the welcome",
    );
    expect(await grantedKeys(ben.storage, ben.client.principal.id, convId)).toEqual(new Map());
    // No grant was sent: Mia's client stored only the welcome after the three old lines.
    expect((await stack.gateway.store.since(convId, 0, 100)).length).toBe(4);
    expect(mia.errors).toEqual([]);
  });

  it("7d: the invitee holds the keys of the epochs current in the last 7 days, not the older one", async () => {
    const { mia, device, convId } = await oldConversation("hg-7d");
    const ben = await customer("hg-7d-ben", "hg_7d_ben");
    const joined = await inviteAndJoin(mia.client, ben, convId, "7d");
    expect(joined).toBe(4);
    await ben.client.loadConversation(convId);
    await waitFor(async () => (await grantedKeys(ben.storage, ben.client.principal.id, convId)).size > 0, "the grant");
    const got = await readableByGrant(ben, convId, device);
    expect(got.epochs).toEqual([2, 3]);
    expect(got.by).toEqual(new Set([mia.client.principal.id]));
    expect(got.keys).toEqual(new Map([2, 3].map((e) => [e, device.keys.get(e)])));
    expect(got.texts).toEqual(["ten days ago", "three days ago"]);
    expect(ben.errors).toEqual([]);
  });

  it("all: the invitee reads everything, marked as shared by the inviter, and can pass it on", async () => {
    const { mia, device, convId } = await oldConversation("hg-all");
    const ben = await customer("hg-all-ben", "hg_all_ben");
    await inviteAndJoin(mia.client, ben, convId, "all");
    await mia.client.send(convId, "after Ben joined");
    await ben.client.loadConversation(convId);
    const seen = await waitFor(() => {
      const ms = ben.client.conversation(convId).value.messages as ChatMessage[];
      return ms.filter((m) => m.body?.type === "text").length >= 4 ? ms : undefined;
    }, "Ben to read all four lines");
    const texts = seen.filter((m) => m.body?.type === "text");
    expect(texts.map(textOf)).toEqual([...LINES, "after Ben joined"]);
    expect(texts.map((m) => m.sharedBy)).toEqual([...LINES.map(() => mia.client.principal.id), undefined]);
    expect((await readableByGrant(ben, convId, device)).texts).toEqual(LINES);

    // Eve joins through Ben, who holds the old epochs only by grant and passes them on under her `all` invite.
    const eve = await customer("hg-all-eve", "hg_all_eve");
    await inviteAndJoin(ben.client, eve, convId, "all");
    await waitFor(
      async () => (await grantedKeys(eve.storage, eve.client.principal.id, convId)).size >= 4,
      "Eve's grant",
    );
    const eves = await grantedKeys(eve.storage, eve.client.principal.id, convId);
    expect([...eves.keys()].sort()).toEqual([1, 2, 3, 4]);
    expect(new Set([...eves.values()].map((k) => k.by))).toEqual(new Set([ben.client.principal.id]));
  });

  it("lets the shop's team hand history over by the invite's choice", async () => {
    const agent = track(stack.agent({ encryption: true }));
    await agent.connect();
    const mia = await customer("hg-team-mia");
    const ben = await customer("hg-team-ben", "hg_team_ben");
    const conv = await mia.client.openConversation();
    await mia.client.send(conv.id, "my parcel is lost");
    // The agent reads the conversation (opening the team's wraps), then brings in Ben, Mia's flatmate.
    await agent.loadConversation(conv.id);
    await waitFor(
      () => textOf((agent.conversation(conv.id).value.messages as ChatMessage[])[0]) === "my parcel is lost",
      "the agent to read Mia",
    );
    await inviteAndJoin(agent, ben, conv.id, "all");
    await ben.client.loadConversation(conv.id);
    const seen = await waitFor(() => {
      const ms = ben.client.conversation(conv.id).value.messages as ChatMessage[];
      return ms.find((m) => textOf(m) === "my parcel is lost");
    }, "Ben to read Mia's line");
    expect(seen.sharedBy).toBe(agent.principal.id);
  });
});

describe("the invitee keeps only what its invite allows", () => {
  /**
   * Mia's end-to-end client leaves before the invite; a plaintext client of hers invites, and her device
   * (held by the test) makes the add commit and sends a grant of all three old epochs.
   */
  async function overGrant(prefix: string, history: InviteHistory) {
    const { mia, device, convId } = await oldConversation(prefix);
    await mia.client.close();
    const twin = track(stack.customer(`${prefix}-mia`, { encryption: false }));
    await twin.connect();
    device.via = twin;
    const ben = await customer(`${prefix}-ben`, `${prefix.replace(/-/g, "_")}_ben`);
    const invited = new Promise<string>((resolve) => ben.client.on("invite", (i) => resolve(i.id)));
    await twin.invite(convId, `@${ben.client.principal.handle}`, { history });
    await ben.client.acceptInvite(await invited);
    const added = await device.commit(convId, "add", Date.now(), [twin.principal.id, ben.client.principal.id]);
    await ben.client.loadConversation(convId);
    await device.grant(convId, ben.client.principal.id, [1, 2, 3], added.epoch);
    return { device, convId, ben };
  }

  it("7d: trims a grant of all three epochs to the two the invite allows", async () => {
    const { device, convId, ben } = await overGrant("hg-trim", "7d");
    await waitFor(async () => (await grantedKeys(ben.storage, ben.client.principal.id, convId)).size > 0, "the grant");
    const got = await readableByGrant(ben, convId, device);
    expect(got.epochs).toEqual([2, 3]);
    expect(got.texts).toEqual(["ten days ago", "three days ago"]);
    expect(ben.errors).toEqual([]);
  });

  it("none: refuses the grant and reports it, holding no earlier key", async () => {
    const { convId, ben } = await overGrant("hg-refuse", "none");
    const error = await waitFor(() => ben.errors.find((e) => e.message.includes("refused")), "the refusal");
    expect(error.message).toContain("the invite offered no history");
    expect(await grantedKeys(ben.storage, ben.client.principal.id, convId)).toEqual(new Map());
    // The grant itself is an ordinary message Ben's client read; the old lines stay closed to him.
    const messages = ben.client.conversation(convId).value.messages as ChatMessage[];
    expect(messages.filter((m) => LINES.includes(textOf(m) ?? ""))).toEqual([]);
  });

  it("keeps the grant unreadable to everyone else, the gateway included", async () => {
    const { convId } = await overGrant("hg-sealed", "all");
    const stored = await stack.gateway.store.since(convId, 0, 100);
    expect(stored.length).toBe(4);
    expect(stored.every((m) => m.envelope.alg !== "none")).toBe(true);
    for (const text of [...LINES, "history-grant"]) expect(JSON.stringify(stored)).not.toContain(text);
  });
});
