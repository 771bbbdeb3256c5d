/**
 * A scripted gateway: a real gateway cannot be made to lie; this is the only
 * way to produce these cases. Here it serves the shop team's internal notes
 * wrongly: under an author whose pinned devices do not include the signing
 * device, naming another team key version, or moved to another conversation
 * or note id. Each is refused and its text never shows.
 */
import { describe, expect, it } from "vitest";
import { toBase64Url } from "../base64url.js";
import { DecryptError, sealMessage } from "../crypto/message-crypto.js";
import { createTeamKey } from "../crypto/team-key.js";
import { deriveNotesKey } from "../crypto/team-notes.js";
import { EncryptionUnavailableError } from "../errors.js";
import { ENVELOPE_VERSION, type StoredNote } from "../protocol/envelope.js";
import {
  type Actor,
  actor,
  CONV,
  forgedRecord,
  LyingGateway,
  OTHER_CONV,
  openSession,
  rejectionOf,
  SHOP,
  T0,
} from "./lying-gateway.test-support.js";

const SECRET_TEXT = "internal: refund approved";

/** An agent's session holding the team key, and a second agent (a device the test holds) writing notes. */
async function team() {
  const gateway = new LyingGateway();
  const admin = await actor("p_admin", "agent");
  const real = await gateway.makeTeamKey(admin);
  const writer = await actor("p_writer", "agent");
  gateway.serveDevice(writer.record);
  const reader = await actor("p_reader", "agent");
  const opened = await openSession(gateway, reader.principal);
  expect(opened.session.team.version).toBe(1);
  const notesKey = await deriveNotesKey(real.secret.boxSk);
  return { gateway, admin, real, writer, notesKey, ...opened };
}

/** A note as stored, sealed by `by` under `key`; `header` and `stored` override fields. */
async function note(
  by: Actor | { principal: { id: string }; identity: Actor["identity"] },
  key: Uint8Array,
  options: { epoch?: number; convId?: string; stored?: Partial<StoredNote> } = {},
): Promise<StoredNote> {
  const id = `n_${toBase64Url(crypto.getRandomValues(new Uint8Array(16)))}`;
  const convId = options.convId ?? CONV;
  const envelope = await sealMessage({
    header: {
      v: ENVELOPE_VERSION,
      convId,
      epoch: options.epoch ?? 1,
      msgId: id,
      senderDevice: by.identity.deviceId,
      ts: T0,
    },
    body: { type: "text", text: SECRET_TEXT },
    epochKey: key,
    signer: by.identity.sign.secretKey,
  });
  return { convId, id, author: by.principal.id, ts: T0, envelope, ...options.stored };
}

function refusedWithoutText(
  error: unknown,
  type: typeof DecryptError | typeof EncryptionUnavailableError,
  reason: string,
) {
  expect(error).toBeInstanceOf(type);
  expect((error as { reason: string }).reason).toBe(reason);
  expect(String(error)).not.toContain(SECRET_TEXT);
  expect(JSON.stringify(error)).not.toContain(SECRET_TEXT);
}

describe("internal notes a lying gateway serves", () => {
  it("opens an honest note from another agent (the control)", async () => {
    const t = await team();
    expect(await t.session.openNote(await note(t.writer, t.notesKey))).toBe(SECRET_TEXT);
  });

  it("refuses a note whose signing device is not pinned for the author the gateway names", async () => {
    const t = await team();
    const other = await actor("p_other_agent", "agent");
    t.gateway.serveDevice(other.record);
    const n = await note(t.writer, t.notesKey, { stored: { author: other.principal.id } });
    refusedWithoutText(await rejectionOf(t.session.openNote(n)), DecryptError, "unknown_device");
    expect(t.gateway.callsOf("device.list").at(-1)?.body).toEqual({ principalIds: [other.principal.id] });
  });

  it("refuses a note when the gateway serves other keys for the author's pinned device", async () => {
    const t = await team();
    expect(await t.session.openNote(await note(t.writer, t.notesKey))).toBe(SECRET_TEXT); // pins the writer
    const forged = await forgedRecord(t.writer.principal.id, t.writer.identity.deviceId);
    t.gateway.serveDevice(forged.record);
    // Signed by the offered key, with the real notes key: the pin decides.
    const n = await note({ principal: t.writer.principal, identity: forged.identity }, t.notesKey);
    refusedWithoutText(await rejectionOf(t.session.openNote(n)), DecryptError, "bad_signature");
  });

  it("refuses a note whose epoch names another team key version", async () => {
    const t = await team();
    const n = await note(t.writer, t.notesKey, { epoch: 2 });
    refusedWithoutText(await rejectionOf(t.session.openNote(n)), EncryptionUnavailableError, "no_team_key");
  });

  it("refuses a note sealed under another team key's notes key, even when it names version 1", async () => {
    const t = await team();
    const other = await createTeamKey({
      identity: t.admin.identity,
      principalId: t.admin.principal.id,
      shopId: SHOP,
      version: 1,
      now: T0,
    });
    const n = await note(t.writer, await deriveNotesKey(other.secret.boxSk));
    refusedWithoutText(await rejectionOf(t.session.openNote(n)), DecryptError, "bad_ciphertext");
  });

  it("refuses a note re-addressed to another conversation or another note id (bad_header)", async () => {
    const t = await team();
    const moved = await note(t.writer, t.notesKey, { stored: { convId: OTHER_CONV } });
    refusedWithoutText(await rejectionOf(t.session.openNote(moved)), DecryptError, "bad_header");
    const renamed = await note(t.writer, t.notesKey, { stored: { id: "n_another_note_id_000001" } });
    refusedWithoutText(await rejectionOf(t.session.openNote(renamed)), DecryptError, "bad_header");
  });

  it("refuses a note whose envelope was edited to match the conversation it was moved to (bad_signature)", async () => {
    const t = await team();
    const n = await note(t.writer, t.notesKey);
    const moved: StoredNote = { ...n, convId: OTHER_CONV, envelope: { ...n.envelope, convId: OTHER_CONV } };
    refusedWithoutText(await rejectionOf(t.session.openNote(moved)), DecryptError, "bad_signature");
  });

  it("lets no customer session seal a note", async () => {
    const t = await team();
    const customer = await openSession(t.gateway, (await actor("p_customer")).principal);
    const error = await rejectionOf(customer.session.sealNote(CONV, "n_customer_note_0000001", "x"));
    expect(error).toBeInstanceOf(EncryptionUnavailableError);
    expect((error as EncryptionUnavailableError).reason).toBe("no_team_key");
  });
});
