/**
 * FAILING tests (not committed): weaknesses a lying gateway exposes. A scripted gateway:
 * a real gateway cannot be made to lie; this is the only way to produce these cases.
 */
import { describe, expect, it } from "vitest";
import { toBase64Url } from "../base64url.js";
import { openCommitKey } from "../crypto/commits.js";
import { actor, CONV, forgedRecord, LyingGateway, openSession } from "./lying-gateway.test-support.js";

describe("a gateway serving other keys for the session's own device", () => {
  it("pins this device from its own identity, not from device.list, and never seals to the offered keys", async () => {
    const gateway = new LyingGateway();
    const alice = await actor("p_alice");
    gateway.setMembers(CONV, [{ principalId: alice.principal.id, role: "owner" }]);
    // Whatever this device registers, device.list answers with other keys under its id.
    gateway.lie("device.list", async (body, honest) => {
      const { devices } = await honest();
      const out = [];
      for (const d of devices) {
        out.push(d.principal === alice.principal.id ? (await forgedRecord(d.principal, d.deviceId)).record : d);
      }
      return { devices: out };
    });
    const { session } = await openSession(gateway, alice.principal);
    const own = session.directory.get(alice.principal.id, session.identity.deviceId);
    expect(own?.sigPk).toBe(toBase64Url(session.identity.sign.publicKey));
    expect(own?.boxPk).toBe(toBase64Url(session.identity.box.publicKey));

    await session.created({ id: CONV, shopId: "s_shop" } as never);
    const e1 = gateway.head(CONV);
    if (!e1) throw new Error("no epoch 1");
    // The wrap for this device opens with this device's own key: it was not sealed to the offered one.
    expect(await openCommitKey(e1, session.identity)).toBeInstanceOf(Uint8Array);
  });
});
