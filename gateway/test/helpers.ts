/** Small waiting helpers for integration tests: poll a condition, never assert on elapsed time. */
import { type ParleyClient, ParleyError } from "@parley/sdk";
import { createE2ECodec, type DeviceDirectory, type DeviceIdentity, type EpochKeyring } from "@parley/sdk/crypto";
import { fromBase64Url } from "@parley/sdk/internal";
import type { Envelope, InviteInfo } from "@parley/sdk/protocol";
import type { TestStack } from "./harness/stack.js";

export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Collects every `message` event's text per conversation, in arrival order. */
export function collectTexts(client: ParleyClient): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  client.on("message", ({ conversationId, message }) => {
    const list = seen.get(conversationId) ?? [];
    list.push(message.body?.type === "text" ? message.body.text : `<${message.body?.type ?? "unreadable"}>`);
    seen.set(conversationId, list);
  });
  return seen;
}

/** The stable error code `work` rejects with; throws when it resolves or rejects with something else. */
export async function codeOf(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (err) {
    if (err instanceof ParleyError) return err.code;
    throw err;
  }
  throw new Error("expected a ParleyError");
}

/** A connected customer of `stack`'s shop (`sub`) holding `handle`, whose `invite` and `invitation` events are kept. */
export async function customerWithHandle(stack: TestStack, sub: string, handle: string) {
  const client = stack.customer(sub);
  const invites: InviteInfo[] = [];
  const invitations: InviteInfo[] = [];
  client.on("invite", (i) => invites.push(i));
  client.on("invitation", (i) => invitations.push(i));
  await client.connect();
  await client.updateProfile({ handle });
  return { client, invites, invitations, id: client.principal.id };
}

/**
 * Makes `invitee` (connected, encrypted) a member of the owner's conversation the way people do:
 * it takes `handle`, the owner invites it, it accepts; resolves once the owner's commit adding it
 * is stored and the invitee has loaded the conversation (so both can read what follows).
 */
export async function joinByInvite(owner: ParleyClient, convId: string, invitee: ParleyClient, handle: string) {
  await invitee.updateProfile({ handle });
  const invited = new Promise<string>((resolve) => invitee.on("invite", (i) => resolve(i.id)));
  await owner.invite(convId, `@${handle}`);
  await invitee.acceptInvite(await invited);
  await waitFor(async () => {
    const { commits } = await owner.request("epoch.list", { convId, after: 1 });
    return commits.some((c) => c.reason === "add");
  }, "the owner's commit adding the invitee");
  await invitee.loadConversation(convId);
}

/**
 * What one device can open of `envelopes` with the keys it holds: its identity, its epoch keyring
 * and the device records it pinned (a removed member's or agent's device, in the tests that check
 * it reads nothing later). Answers how many opened and the codec, for further checks.
 */
export async function openedBy(
  device: { identity: DeviceIdentity; keyring: EpochKeyring; directory: DeviceDirectory },
  envelopes: readonly Envelope[],
) {
  const { identity, keyring, directory } = device;
  const codec = createE2ECodec({
    identity,
    epochKeys: (_c, e) => keyring.keyFor(e),
    currentEpoch: () => keyring.epoch,
    senderKey: (_c, d) => {
      const r = directory.findDevice(d);
      return r ? fromBase64Url(r.sigPk) : undefined;
    },
  });
  let opened = 0;
  for (const envelope of envelopes) {
    await codec.open(envelope).then(
      () => opened++,
      () => undefined,
    );
  }
  return { opened, codec };
}
