/**
 * Real epoch commits, devices and sealed-looking envelopes for tests that
 * drive the epoch chain over RPC without an SDK end-to-end session: the
 * gateway verifies commits (signature, chain, members), so these are built by
 * the SDK's own `buildCommit`; envelopes carry random bytes where ciphertext
 * and signature go (the gateway never opens them).
 */
import type { ParleyClient } from "@parley/sdk";
import { buildCommit, createDeviceIdentity, type DeviceIdentity, signDeviceRecord } from "@parley/sdk/crypto";
import { toBase64Url } from "@parley/sdk/internal";
import type { DeviceRecord, EpochCommit } from "@parley/sdk/protocol";

/** `n` random bytes, base64url. */
export const random = (n: number) => toBase64Url(crypto.getRandomValues(new Uint8Array(n)));

/** A registered device: its keys (to sign commits) and its record. */
export interface Device {
  identity: DeviceIdentity;
  record: DeviceRecord;
}

/** A real commit following `prev` (epoch 1 without), by `committer`, listing `members`' devices. */
export async function commitFor(
  convId: string,
  prev: EpochCommit | undefined,
  committer: Device,
  members: Device[],
): Promise<EpochCommit> {
  const byPrincipal = new Map<string, DeviceRecord[]>();
  for (const m of members)
    byPrincipal.set(m.record.principal, [...(byPrincipal.get(m.record.principal) ?? []), m.record]);
  const { commit } = await buildCommit({
    identity: committer.identity,
    principalId: committer.record.principal,
    convId,
    prev,
    members: [...byPrincipal].map(([principalId, devices]) => ({ principalId, devices })),
    historyPolicy: "none",
    reason: prev ? "rotate" : "create",
  });
  return commit;
}

/** A fresh device identity, registered for `client`'s principal. */
export async function registeredDevice(client: ParleyClient): Promise<Device> {
  const identity = await createDeviceIdentity();
  const record = await signDeviceRecord(identity, client.principal.id);
  await client.request("device.register", { record });
  return { identity, record };
}

/** An envelope for `convId` under `epoch`: sealed-looking random bytes, or plaintext-shaped with `alg: "none"`. */
export const envelope = (convId: string, epoch: number, alg: "none" | "xc20p-ed25519" = "xc20p-ed25519") => ({
  v: 1 as const,
  convId,
  epoch,
  msgId: random(16),
  senderDevice: "d_test",
  ts: Date.now(),
  alg,
  nonce: alg === "none" ? "" : random(24),
  ct: random(300),
  sig: alg === "none" ? "" : random(64),
});
