/**
 * The proof that list replies without a byte budget of their own still fit one
 * NATS message, and that one item of a paged list always fits alone: each
 * list's worst case, built from the largest value every field may hold (ids
 * of 64 characters, display names of 80 three-byte characters, handles of 32
 * four-byte letters, the largest numbers), times the most items it answers.
 *
 * nats-server's `max_payload` (and the app account's) is 256 KiB: the gateway
 * cannot publish a larger reply, and the request then times out. Paged lists
 * (msg.history, msg.since, note.list, epoch.list, keys.backup.list, and
 * invite.list, invite.history, block.list) stop at REPLY_BUDGET_BYTES.
 */
import {
  type ConversationInfo,
  type InviteInfo,
  type KeyBackupEntry,
  MAX_CIPHERTEXT_CHARS,
  MAX_KEY_BACKUP_PAGE,
  type MembershipEvent,
  type StoredMessage,
  type StoredNote,
} from "@parley/sdk/protocol";
import { describe, expect, it } from "vitest";
import { MAX_REQUEST_BYTES } from "../transport/nats-responder.js";
import { MEMBERSHIP_HISTORY_LIMIT } from "./conversations.js";
import { INVITE_PREVIEW_MEMBERS } from "./invite-views.js";
import { jsonBytes, REPLY_BUDGET_BYTES } from "./paging.js";

/** nats-server's and the accounts' `max_payload` (accounts.ts). */
const NATS_MAX_PAYLOAD = 256 * 1024;
/** Room for `{"ok":true,"result":{...,"hasMore":false}}` around the items. */
const WRAPPER = 1024;

const id = "x".repeat(64);
/** 80 UTF-16 units (the display name limit) of a three-byte character: the most UTF-8 a name can take. */
const name = "€".repeat(80);
/** 32 letters (the handle limit) outside the BMP: four bytes each. */
const handle = "𐐀".repeat(32);
const big = Number.MAX_SAFE_INTEGER;

const list = <T>(n: number, item: T) => jsonBytes(Array.from({ length: n }, () => item));

describe("replies without a byte budget fit one NATS message", () => {
  it("conv.list: 200 conversations of the largest size", () => {
    const conv: ConversationInfo = {
      id,
      shopId: id,
      status: "closed",
      createdBy: id,
      createdAt: big,
      updatedAt: big,
      lastSeq: big,
      epoch: 2 ** 31,
      ownerName: name,
      assignee: id,
      handover: true,
      readUpTo: big,
      unread: big,
    };
    expect(list(200, conv) + WRAPPER).toBeLessThanOrEqual(NATS_MAX_PAYLOAD);
  });

  it("member.history: the newest 200 events", () => {
    const event: MembershipEvent = { convId: id, principalId: id, change: "removed", by: id, ts: big };
    expect(list(MEMBERSHIP_HISTORY_LIMIT, event) + WRAPPER).toBeLessThanOrEqual(REPLY_BUDGET_BYTES);
  });
});

describe("one item of a paged list always fits alone", () => {
  it("anything stored from one request (a commit, a message, a note) is smaller than the budget", () => {
    expect(MAX_REQUEST_BYTES).toBeLessThanOrEqual(REPLY_BUDGET_BYTES);
    expect(100 * 1024).toBeLessThanOrEqual(REPLY_BUDGET_BYTES); // the HTTP JSON body limit (http-app.ts)
  });

  it("a message and a note at the largest ciphertext, with the author's name", () => {
    const envelope = {
      v: 1 as const,
      convId: id,
      epoch: 2 ** 31,
      msgId: id,
      senderDevice: id,
      ts: big,
      alg: "xc20p-ed25519" as const,
      nonce: "n".repeat(64),
      ct: "c".repeat(MAX_CIPHERTEXT_CHARS),
      sig: "s".repeat(128),
    };
    const message: StoredMessage = { convId: id, seq: big, msgId: id, sender: id, ts: big, envelope };
    const note: StoredNote = { convId: id, id, author: id, authorName: name, ts: big, envelope };
    expect(jsonBytes(message) + WRAPPER).toBeLessThanOrEqual(REPLY_BUDGET_BYTES);
    expect(jsonBytes(note) + WRAPPER).toBeLessThanOrEqual(REPLY_BUDGET_BYTES);
  });

  it("an invite as its invitee sees it, with the largest members preview", () => {
    const invite: InviteInfo = {
      id,
      convId: id,
      shopId: id,
      inviter: id,
      inviterName: name,
      invitee: id,
      status: "pending",
      history: "all",
      createdAt: big,
      expiresAt: big,
      settledAt: big,
      inviteeName: name,
      inviteeHandle: handle,
      inviterKind: "customer",
      inviterHandle: handle,
      shopName: name,
      members: Array.from({ length: INVITE_PREVIEW_MEMBERS }, () => ({ displayName: name, handle, role: "member" })),
    };
    expect(jsonBytes(invite) + WRAPPER).toBeLessThanOrEqual(REPLY_BUDGET_BYTES);
  });

  it("keys.backup.list: a whole page of 500 entries fits the budget", () => {
    const entry: KeyBackupEntry = { convId: id, epoch: 2 ** 31, v: 999_999_999, ct: "k".repeat(96) };
    expect(list(MAX_KEY_BACKUP_PAGE, entry) + WRAPPER).toBeLessThanOrEqual(REPLY_BUDGET_BYTES);
  });
});
