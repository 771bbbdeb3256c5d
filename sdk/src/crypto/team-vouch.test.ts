import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64Url, toBase64Url } from "../base64url.js";
import type { EnvelopeHeader } from "../protocol/index.js";
import type { MessageBody } from "../protocol/message-body.js";
import { createDeviceIdentity } from "./device-keys.js";
import { createE2ECodec } from "./e2e-codec.js";
import { flipEveryBit } from "./flip-bits.test-support.js";
import { MAX_BODY_BYTES, openVouchedMessage, sealMessage } from "./message-crypto.js";
import { randomBytes } from "./random.js";
import { loadSodium } from "./sodium.js";
import { signTeamVouch, type TeamSigner, teamVouchShape, type VouchTarget, verifyTeamVouch } from "./team-vouch.js";

const sodium = await loadSodium();
const device = await createDeviceIdentity();
const team = sodium.crypto_sign_keypair();
const otherTeam = sodium.crypto_sign_keypair();
const signer: TeamSigner = { version: 1, signSk: team.privateKey };
const teamPk = async (v: number) => (v === 1 ? team.publicKey : undefined);
const epochKey = randomBytes(32);
const header: EnvelopeHeader = {
  v: 1,
  convId: "c_k3Jq9XwYb2TmPz8LrV4nQa",
  epoch: 1,
  msgId: "m_Zq2Vn8Xk4Lp7Tr1Ws5Yb3Q",
  senderDevice: device.deviceId,
  ts: 1_767_225_600_123,
};
const order: MessageBody = {
  type: "card",
  card: { kind: "order", id: "PX-1001", items: [{ name: "Pho", qty: 2, unit: { minor: 1250, currency: "EUR" } }] },
};

const sealAsTeam = (body: MessageBody, h: EnvelopeHeader = header) =>
  sealMessage({ header: h, body, epochKey, signer: device.sign.secretKey, teamSigner: signer });
const openRaw = (envelope: Awaited<ReturnType<typeof sealAsTeam>>) =>
  openVouchedMessage({ envelope, epochKey, senderSigPk: device.sign.publicKey });

describe("the team vouch", () => {
  it("travels inside the ciphertext, verifies for its message, and never reaches the body", async () => {
    for (const body of [{ type: "text", text: "hi" } as MessageBody, order]) {
      const envelope = await sealAsTeam(body);
      const { body: opened, vouch } = await openRaw(envelope);
      expect(opened).toEqual(body);
      expect(opened).not.toHaveProperty("vouch");
      const shaped = teamVouchShape(vouch);
      expect(shaped?.v).toBe(1);
      // The signature is not in the envelope in any readable form.
      expect(JSON.stringify(envelope)).not.toContain(shaped?.sig.slice(0, 20));
      expect(await verifyTeamVouch({ convId: header.convId, msgId: header.msgId, body: opened }, vouch, teamPk)).toBe(
        true,
      );
    }
  });

  it("does not verify for another message, conversation, body, version or team key", async () => {
    const target: VouchTarget = { convId: header.convId, msgId: header.msgId, body: order };
    const vouch = await signTeamVouch(target, signer);
    expect(await verifyTeamVouch(target, vouch, teamPk)).toBe(true);
    expect(await verifyTeamVouch({ ...target, msgId: "m_another_message_0001" }, vouch, teamPk)).toBe(false);
    expect(await verifyTeamVouch({ ...target, convId: "c_another_conversation1" }, vouch, teamPk)).toBe(false);
    const edited: MessageBody = { type: "card", card: { kind: "order", id: "PX-1002" } };
    expect(await verifyTeamVouch({ ...target, body: edited }, vouch, teamPk)).toBe(false);
    expect(await verifyTeamVouch(target, { ...vouch, v: 2 }, async () => team.publicKey)).toBe(false);
    expect(await verifyTeamVouch(target, vouch, async () => otherTeam.publicKey)).toBe(false);
    expect(await verifyTeamVouch(target, vouch, async () => undefined)).toBe(false);
  });

  it("fails on every bit flip of its signature", async () => {
    const target: VouchTarget = { convId: header.convId, msgId: header.msgId, body: { type: "text", text: "x" } };
    const vouch = await signTeamVouch(target, signer);
    const flips = flipEveryBit(vouch.sig);
    expect(flips).toHaveLength(512);
    for (const sig of flips) expect(await verifyTeamVouch(target, { v: 1, sig }, teamPk)).toBe(false);
  });

  it("refuses anything but its exact shape", async () => {
    const sig = toBase64Url(new Uint8Array(64));
    expect(teamVouchShape({ v: 1, sig })).toEqual({ v: 1, sig });
    for (const bad of [
      null,
      "x",
      [1, sig],
      { v: 0, sig },
      { v: 1.5, sig },
      { v: "1", sig },
      { v: 1, sig: `${sig}A` },
      { v: 1, sig: sig.slice(1) },
      { v: 1, sig: `${sig.slice(0, 85)}B` }, // stray bits: not the canonical spelling of 64 bytes
      { v: 1, sig, extra: true },
    ]) {
      expect(teamVouchShape(bad)).toBeUndefined();
    }
  });

  it("is computed over the parsed body, so a reader recomputes the same bytes for any card", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 6 }),
        fc.string({ maxLength: 40 }),
        async (fields, kind) => {
          const body = { type: "card", card: { ...fields, kind }, extra: "dropped" } as unknown as MessageBody;
          const { body: opened, vouch } = await openRaw(await sealAsTeam(body));
          expect(
            await verifyTeamVouch({ convId: header.convId, msgId: header.msgId, body: opened }, vouch, teamPk),
          ).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("leaves room in the size limit: the largest body seals with a vouch and opens", async () => {
    const overhead = new TextEncoder().encode(JSON.stringify({ type: "text", text: "" })).length;
    const largest: MessageBody = { type: "text", text: "x".repeat(MAX_BODY_BYTES - overhead) };
    const { body, vouch } = await openRaw(await sealAsTeam(largest));
    expect(body).toEqual(largest);
    expect(teamVouchShape(vouch)).toBeDefined();
    const tooLarge: MessageBody = { type: "text", text: "x".repeat(MAX_BODY_BYTES - overhead + 1) };
    await expect(sealAsTeam(tooLarge)).rejects.toMatchObject({ reason: "too_large" });
  });

  it("drops a `vouch` key an app puts in a body: only the team signer makes one", async () => {
    const smuggled = { type: "text", text: "hi", vouch: { v: 1, sig: toBase64Url(randomBytes(64)) } };
    const envelope = await sealMessage({
      header,
      body: smuggled as MessageBody,
      epochKey,
      signer: device.sign.secretKey,
    });
    const { body, vouch } = await openRaw(envelope);
    expect(body).toEqual({ type: "text", text: "hi" });
    expect(vouch).toBeUndefined();
    expect(fromBase64Url(envelope.sig)).toHaveLength(64);
  });

  it("the codec seals without a vouch while the team key has not arrived, and with one once it has", async () => {
    let held: TeamSigner | undefined;
    const codec = createE2ECodec({
      identity: device,
      epochKeys: () => epochKey,
      currentEpoch: () => 1,
      senderKey: () => device.sign.publicKey,
      teamSigner: async () => held,
    });
    const before = await codec.sealVouched(header, order);
    expect(before.vouched).toBe(false);
    expect(await codec.openVouched(before.envelope)).toEqual({ body: order, vouch: undefined });
    held = signer;
    const after = await codec.sealVouched(header, order);
    expect(after.vouched).toBe(true);
    const opened = await codec.openVouched(after.envelope);
    expect(
      await verifyTeamVouch({ convId: header.convId, msgId: header.msgId, body: opened.body }, opened.vouch, teamPk),
    ).toBe(true);
    expect(await codec.open(after.envelope)).toEqual(order);
  });
});
