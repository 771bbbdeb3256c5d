/**
 * What the store conformance suite (`conformance/*.ts`) builds its cases
 * from: the fixture an adapter's test hands it, and builders of records with
 * ids unique within a run.
 */
import type { EpochCommit, InviteInfo, TeamKeyRecord, TeamKeyWrap } from "@parley/sdk/protocol";
import { expect } from "vitest";
import type { ConversationRecord, DeviceRecord, NewMessage, PrincipalRecord, ShopRecord, Store } from "../port.js";

export interface StoreFixture {
  /** A fresh, initialized store holding no data. */
  store: Store;
  /**
   * Opens another initialized store on the same data. The suite calls it both
   * after closing `store` (restart durability) and while `store` is still open
   * (two gateway processes); it closes the stores it gets.
   */
  reopen?: () => Promise<Store>;
  /**
   * Stores a commit straight into the underlying data, in the adapter's own
   * format, without moving the conversation's head: what a crash between the
   * two writes of `appendCommit` leaves behind.
   */
  rawInsertCommit?: (commit: EpochCommit) => Promise<void>;
  /** Closes `store` and removes the data. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** What an adapter's variant rules out, known when the suite is declared. */
export interface SuiteTraits {
  /**
   * The store holds conversations, members and team keys in memory on the
   * ground that no one else writes its data (SqliteStore's `exclusive`, ADR
   * 0051): the cases where a second store writes them while this one is open
   * are not declared for it.
   */
  exclusive?: boolean;
}

let counter = 0;
/** Ids unique within a run, so property runs sharing one store never collide. */
export const uid = (prefix: string) => `${prefix}-${(++counter).toString(36)}`;

export const SHOP = "shop-1";
export const T0 = 1_700_000_000_000;

export const shop = (id: string, overrides: Partial<ShopRecord> = {}): ShopRecord => ({
  id,
  name: `Shop ${id}`,
  tokenKey: { alg: "HS256", secret: "s3cret" },
  allowedOrigins: ["https://shop.example"],
  allowGuests: true,
  createdAt: T0,
  ...overrides,
});

export const principal = (overrides: Partial<PrincipalRecord> = {}): PrincipalRecord => ({
  id: uid("p"),
  kind: "customer",
  shopId: SHOP,
  externalId: uid("sub"),
  displayName: "Ada",
  createdAt: T0,
  ...overrides,
});

export const conversation = (overrides: Partial<ConversationRecord> = {}): ConversationRecord => ({
  id: uid("c"),
  shopId: SHOP,
  status: "open",
  createdBy: "p-owner",
  createdAt: T0,
  updatedAt: T0,
  lastSeq: 0,
  epoch: 0,
  ...overrides,
});

export const invite = (overrides: Partial<InviteInfo> = {}): InviteInfo => ({
  id: uid("i"),
  convId: "c-1",
  shopId: SHOP,
  inviter: "p-inviter",
  inviterName: "Grace",
  invitee: "p-invitee",
  status: "pending",
  history: "none",
  createdAt: T0,
  expiresAt: T0 + 7 * 24 * 60 * 60 * 1000,
  ...overrides,
});

export const device = (principalId: string, deviceId: string, overrides: Partial<DeviceRecord> = {}): DeviceRecord => ({
  principalId,
  deviceId,
  sigPk: `sig-${deviceId}`,
  boxPk: `box-${deviceId}`,
  createdAt: T0,
  lastSeenAt: T0,
  ...overrides,
});

export const commit = (convId: string, epoch: number, overrides: Partial<EpochCommit> = {}): EpochCommit => ({
  v: 1,
  convId,
  epoch,
  prevHash: epoch === 1 ? "" : `hash-of-${epoch - 1}`,
  committer: { principalId: "p-owner", deviceId: "d-1" },
  members: [
    { principalId: "p-owner", deviceIds: ["d-1", "d-2"] },
    { principalId: "p-guest", deviceIds: [] },
  ],
  wraps: [
    { deviceId: "d-1", sealed: `sealed-${epoch}-d1` },
    { deviceId: "d-2", sealed: `sealed-${epoch}-d2` },
  ],
  teamWrap: "",
  historyPolicy: "none",
  reason: epoch === 1 ? "create" : "rotate",
  ts: T0 + epoch,
  teamVersion: 0,
  sig: `sig-${epoch}`,
  teamSig: "",
  ...overrides,
});

export const teamKey = (shopId: string, version: number, overrides: Partial<TeamKeyRecord> = {}): TeamKeyRecord => ({
  shopId,
  version,
  boxPk: `box-${shopId}-${version}`,
  sigPk: `sig-${shopId}-${version}`,
  createdBy: { principalId: "p-admin", deviceId: "d-admin" },
  ts: T0 + version,
  sig: `sig-of-${shopId}-${version}`,
  ...overrides,
});

export const teamWrap = (
  principalId: string,
  deviceId: string,
  version = 1,
  overrides: Partial<TeamKeyWrap> = {},
): TeamKeyWrap => ({
  shopId: SHOP,
  version,
  deviceId,
  principalId,
  sealed: `sealed-${version}-${deviceId}`,
  wrappedBy: { principalId: "p-admin", deviceId: "d-admin" },
  ts: T0 + 50,
  sig: `wrap-sig-${version}-${deviceId}`,
  ...overrides,
});

export const byDevice = (a: TeamKeyWrap, b: TeamKeyWrap) => a.deviceId.localeCompare(b.deviceId);

/** Appends commits 1..count to a conversation, each of which must be accepted. */
export async function seedCommits(store: Store, convId: string, count: number): Promise<EpochCommit[]> {
  const commits = range(1, count).map((epoch) => commit(convId, epoch));
  for (const c of commits) expect(await store.appendCommit(c)).toEqual({ accepted: true, head: c.epoch });
  return commits;
}

export const message = (convId: string, msgId: string, ts = T0 + 1000, ct = `body of ${msgId}`): NewMessage => ({
  convId,
  msgId,
  sender: "p-sender",
  ts,
  envelope: { v: 1, convId, epoch: 3, msgId, senderDevice: "d-1", ts: ts - 5, alg: "none", nonce: "", ct, sig: "" },
});

/** Creates a conversation and appends `count` messages m1..mN to it. */
export async function seed(store: Store, count: number): Promise<string> {
  const conv = conversation();
  await store.createConversation(conv);
  for (let i = 1; i <= count; i++) await store.append(message(conv.id, `m${i}`, T0 + i));
  return conv.id;
}

export const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
export const byId = <T extends { id: string }>(a: T, b: T) => a.id.localeCompare(b.id);
