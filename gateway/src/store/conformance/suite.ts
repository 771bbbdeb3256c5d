/**
 * The store conformance suite: every adapter runs it (sqlite.test.ts,
 * mongo.test.ts) against the real database, so the adapters cannot drift apart.
 */
import type { EpochCommit, InviteInfo, StoredNote, TeamKeyRecord, TeamKeyWrap } from "@parley/sdk/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ConversationRecord,
  type DeviceRecord,
  type NewMessage,
  type PrincipalRecord,
  type ShopRecord,
  type Store,
  StoreNotFoundError,
} from "../port.js";

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

let counter = 0;
/** Ids unique within a run, so property runs sharing one store never collide. */
const uid = (prefix: string) => `${prefix}-${(++counter).toString(36)}`;

const SHOP = "shop-1";
const T0 = 1_700_000_000_000;

const shop = (id: string, overrides: Partial<ShopRecord> = {}): ShopRecord => ({
  id,
  name: `Shop ${id}`,
  tokenKey: { alg: "HS256", secret: "s3cret" },
  allowedOrigins: ["https://shop.example"],
  allowGuests: true,
  createdAt: T0,
  ...overrides,
});

const principal = (overrides: Partial<PrincipalRecord> = {}): PrincipalRecord => ({
  id: uid("p"),
  kind: "customer",
  shopId: SHOP,
  externalId: uid("sub"),
  displayName: "Ada",
  createdAt: T0,
  ...overrides,
});

const conversation = (overrides: Partial<ConversationRecord> = {}): ConversationRecord => ({
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

const invite = (overrides: Partial<InviteInfo> = {}): InviteInfo => ({
  id: uid("i"),
  convId: "c-1",
  shopId: SHOP,
  inviter: "p-inviter",
  inviterName: "Grace",
  invitee: "p-invitee",
  status: "pending",
  createdAt: T0,
  ...overrides,
});

const device = (principalId: string, deviceId: string, overrides: Partial<DeviceRecord> = {}): DeviceRecord => ({
  principalId,
  deviceId,
  sigPk: `sig-${deviceId}`,
  boxPk: `box-${deviceId}`,
  createdAt: T0,
  lastSeenAt: T0,
  ...overrides,
});

const commit = (convId: string, epoch: number, overrides: Partial<EpochCommit> = {}): EpochCommit => ({
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

const teamKey = (shopId: string, version: number, overrides: Partial<TeamKeyRecord> = {}): TeamKeyRecord => ({
  shopId,
  version,
  boxPk: `box-${shopId}-${version}`,
  sigPk: `sig-${shopId}-${version}`,
  createdBy: { principalId: "p-admin", deviceId: "d-admin" },
  ts: T0 + version,
  sig: `sig-of-${shopId}-${version}`,
  ...overrides,
});

const teamWrap = (
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

const byDevice = (a: TeamKeyWrap, b: TeamKeyWrap) => a.deviceId.localeCompare(b.deviceId);

/** Appends commits 1..count to a conversation, each of which must be accepted. */
async function seedCommits(store: Store, convId: string, count: number): Promise<EpochCommit[]> {
  const commits = range(1, count).map((epoch) => commit(convId, epoch));
  for (const c of commits) expect(await store.appendCommit(c)).toEqual({ accepted: true, head: c.epoch });
  return commits;
}

const message = (convId: string, msgId: string, ts = T0 + 1000, ct = `body of ${msgId}`): NewMessage => ({
  convId,
  msgId,
  sender: "p-sender",
  ts,
  envelope: { v: 1, convId, epoch: 3, msgId, senderDevice: "d-1", ts: ts - 5, alg: "none", nonce: "", ct, sig: "" },
});

/** Creates a conversation and appends `count` messages m1..mN to it. */
async function seed(store: Store, count: number): Promise<string> {
  const conv = conversation();
  await store.createConversation(conv);
  for (let i = 1; i <= count; i++) await store.append(message(conv.id, `m${i}`, T0 + i));
  return conv.id;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const byId = <T extends { id: string }>(a: T, b: T) => a.id.localeCompare(b.id);

export function describeStoreConformance(name: string, open: () => Promise<StoreFixture>): void {
  describe(`${name} store conformance`, () => {
    describe("lifecycle", () => {
      it("runs init a second time without error and answers ping", async () => {
        await using fx = await open();
        await fx.store.init();
        await expect(fx.store.ping()).resolves.toBeUndefined();
      });
    });

    describe("shops", () => {
      it("stores a shop and replaces it on a second put", async () => {
        await using fx = await open();
        const { store } = fx;
        await store.putShop(shop("s1"));
        expect(await store.getShop("s1")).toEqual(shop("s1"));
        const changed = shop("s1", {
          name: "Renamed",
          tokenKey: { alg: "EdDSA", publicKey: "-----BEGIN PUBLIC KEY-----" },
          allowedOrigins: ["https://a.example", "https://b.example"],
          allowGuests: false,
        });
        await store.putShop(changed);
        expect(await store.getShop("s1")).toEqual(changed);
        expect(await store.getShop("s2")).toBeUndefined();
      });

      it("lists every origin the shops allow, each once", async () => {
        await using fx = await open();
        // Not in the port yet; gateway.ts calls it for CORS. Both adapters provide it.
        const store = fx.store as Store & { listAllowedOrigins?: () => Promise<string[]> };
        expect(typeof store.listAllowedOrigins).toBe("function");
        expect(await store.listAllowedOrigins?.()).toEqual([]);
        await store.putShop(shop("s1", { allowedOrigins: ["https://b.example", "https://a.example"] }));
        await store.putShop(shop("s2", { allowedOrigins: ["https://a.example", "http://localhost:5173"] }));
        await store.putShop(shop("s3", { allowedOrigins: [] }));
        const origins = await store.listAllowedOrigins?.();
        expect(origins?.sort()).toEqual(["http://localhost:5173", "https://a.example", "https://b.example"]);
      });
    });

    describe("principals", () => {
      it("returns the same principal for the same shop, kind and external id", async () => {
        await using fx = await open();
        const { store } = fx;
        const first = principal({ externalId: "user-7" });
        expect(await store.ensurePrincipal(first)).toEqual(first);
        const again = await store.ensurePrincipal(principal({ externalId: "user-7", displayName: "Other" }));
        expect(again).toEqual(first);
        expect(await store.getPrincipal(first.id)).toEqual(first);
      });

      it("creates different principals for a different kind or shop with the same external id", async () => {
        await using fx = await open();
        const { store } = fx;
        const customer = await store.ensurePrincipal(principal({ externalId: "x" }));
        const agent = await store.ensurePrincipal(principal({ externalId: "x", kind: "agent" }));
        const elsewhere = await store.ensurePrincipal(principal({ externalId: "x", shopId: "shop-2" }));
        expect(new Set([customer.id, agent.id, elsewhere.id]).size).toBe(3);
        expect(agent.kind).toBe("agent");
        expect(elsewhere.shopId).toBe("shop-2");
      });

      it("gives one principal to concurrent ensures of the same identity", async () => {
        await using fx = await open();
        const { store } = fx;
        const results = await Promise.all(
          range(1, 10).map(() => store.ensurePrincipal(principal({ externalId: "race" }))),
        );
        expect(new Set(results.map((p) => p.id)).size).toBe(1);
      });

      it("loads several principals at once and skips unknown ids", async () => {
        await using fx = await open();
        const { store } = fx;
        const a = await store.ensurePrincipal(principal());
        const b = await store.ensurePrincipal(principal({ handle: "bee" }));
        await store.ensurePrincipal(principal());
        const got = await store.getPrincipals([b.id, "p-unknown", a.id]);
        expect(got.sort(byId)).toEqual([a, b].sort(byId));
        expect(await store.getPrincipals([])).toEqual([]);
        expect(await store.getPrincipal("p-unknown")).toBeUndefined();
      });

      it("changes the display name", async () => {
        await using fx = await open();
        const { store } = fx;
        const p = await store.ensurePrincipal(principal());
        await store.setDisplayName(p.id, "Ada L.");
        expect((await store.getPrincipal(p.id))?.displayName).toBe("Ada L.");
      });
    });

    describe("handles", () => {
      it("sets a handle and finds the principal by exactly that handle", async () => {
        await using fx = await open();
        const { store } = fx;
        const p = await store.ensurePrincipal(principal());
        expect(await store.setHandle(p.id, "ada")).toBe(true);
        expect(await store.findPrincipalByHandle("ada")).toEqual({ ...p, handle: "ada" });
        expect(await store.findPrincipalByHandle("ad")).toBeUndefined();
        expect(await store.findPrincipalByHandle("ada ")).toBeUndefined();
      });

      it("refuses a handle another principal holds and leaves both unchanged", async () => {
        await using fx = await open();
        const { store } = fx;
        const a = await store.ensurePrincipal(principal());
        const b = await store.ensurePrincipal(principal());
        expect(await store.setHandle(a.id, "taken")).toBe(true);
        expect(await store.setHandle(b.id, "taken")).toBe(false);
        expect((await store.findPrincipalByHandle("taken"))?.id).toBe(a.id);
        expect((await store.getPrincipal(b.id))?.handle).toBeUndefined();
        expect(await store.setHandle(a.id, "taken")).toBe(true);
      });

      it("frees the old handle when a principal changes it", async () => {
        await using fx = await open();
        const { store } = fx;
        const a = await store.ensurePrincipal(principal());
        const b = await store.ensurePrincipal(principal());
        await store.setHandle(a.id, "first");
        await store.setHandle(a.id, "second");
        expect(await store.findPrincipalByHandle("first")).toBeUndefined();
        expect(await store.setHandle(b.id, "first")).toBe(true);
        expect((await store.findPrincipalByHandle("second"))?.id).toBe(a.id);
      });

      it("keeps handles as stored and matches their case exactly", async () => {
        await using fx = await open();
        const { store } = fx;
        const a = await store.ensurePrincipal(principal({ handle: "Ada" }));
        expect(await store.findPrincipalByHandle("Ada")).toEqual(a);
        expect(await store.findPrincipalByHandle("ada")).toBeUndefined();
      });

      it("lets any number of principals exist without a handle", async () => {
        await using fx = await open();
        const { store } = fx;
        const all = await Promise.all(range(1, 3).map(() => store.ensurePrincipal(principal())));
        expect(all.every((p) => p.handle === undefined)).toBe(true);
      });

      it("resolves false when setting the handle of an unknown principal", async () => {
        await using fx = await open();
        expect(await fx.store.setHandle("p-unknown", "ghost")).toBe(false);
        expect(await fx.store.findPrincipalByHandle("ghost")).toBeUndefined();
      });
    });

    describe("agents", () => {
      it("stores an agent per shop and login and replaces it on a second put", async () => {
        await using fx = await open();
        const { store } = fx;
        const agent = { shopId: SHOP, login: "grace", principalId: "p-g", passwordHash: "$argon2id$x", role: "agent" };
        await store.putAgent({ ...agent, role: "agent" });
        await store.putAgent({ ...agent, shopId: "shop-2", principalId: "p-g2", role: "admin" });
        expect(await store.getAgent(SHOP, "grace")).toEqual({ ...agent, role: "agent" });
        await store.putAgent({ ...agent, passwordHash: "$argon2id$y", role: "admin" });
        expect(await store.getAgent(SHOP, "grace")).toEqual({ ...agent, passwordHash: "$argon2id$y", role: "admin" });
        expect((await store.getAgent("shop-2", "grace"))?.principalId).toBe("p-g2");
        expect(await store.getAgent(SHOP, "nobody")).toBeUndefined();
      });
    });

    describe("devices", () => {
      it("lists a principal's devices and replaces a device put again", async () => {
        await using fx = await open();
        const { store } = fx;
        await store.putDevice(device("p-a", "d1"));
        await store.putDevice(device("p-a", "d2", { createdAt: T0 + 1 }));
        await store.putDevice(device("p-b", "d1"));
        const replaced = device("p-a", "d1", { sigPk: "sig-new", boxPk: "box-new", lastSeenAt: T0 + 9 });
        await store.putDevice(replaced);
        const listed = await store.listDevices("p-a");
        expect(listed.sort((x, y) => x.deviceId.localeCompare(y.deviceId))).toEqual([
          replaced,
          device("p-a", "d2", { createdAt: T0 + 1 }),
        ]);
        expect(await store.listDevices("p-b")).toEqual([device("p-b", "d1")]);
        expect(await store.listDevices("p-none")).toEqual([]);
      });

      it("stores a device's self-signature when given and omits the key when not", async () => {
        await using fx = await open();
        const { store } = fx;
        const signed = device("p-a", "d1", { sig: "c2lnbmF0dXJl" });
        await store.putDevice(signed);
        await store.putDevice(device("p-a", "d2", { createdAt: T0 + 1 }));
        const [first, second] = await store.listDevices("p-a");
        expect(first).toEqual(signed);
        expect(second).toEqual(device("p-a", "d2", { createdAt: T0 + 1 }));
        expect(second && "sig" in second).toBe(false);
        // A put without `sig` stores none: the caller decides what to keep.
        await store.putDevice(device("p-a", "d1", { lastSeenAt: T0 + 5 }));
        const [unsigned] = await store.listDevices("p-a");
        expect(unsigned).toEqual(device("p-a", "d1", { lastSeenAt: T0 + 5 }));
        expect(unsigned && "sig" in unsigned).toBe(false);
        await store.putDevice(device("p-a", "d1", { sig: "bmV3LXNpZw" }));
        expect((await store.listDevices("p-a"))[0]?.sig).toBe("bmV3LXNpZw");
      });
    });

    describe("conversations", () => {
      it("stores a conversation and changes its status and update time", async () => {
        await using fx = await open();
        const { store } = fx;
        const conv = conversation();
        await store.createConversation(conv);
        expect(await store.getConversation(conv.id)).toEqual(conv);
        const closed = await store.updateConversation(conv.id, { status: "closed" }, T0 + 50);
        expect(closed).toEqual({ ...conv, status: "closed", updatedAt: T0 + 50 });
        expect(await store.getConversation(conv.id)).toEqual(closed);
        expect(await store.getConversation("c-unknown")).toBeUndefined();
      });

      it("assigns, unassigns and flags a handover, changing only what the patch names", async () => {
        await using fx = await open();
        const { store } = fx;
        const conv = conversation();
        await store.createConversation(conv);
        const assigned = await store.updateConversation(conv.id, { assignee: "p-agent" }, T0 + 10);
        expect(assigned).toEqual({ ...conv, assignee: "p-agent", updatedAt: T0 + 10 });
        const handed = await store.updateConversation(conv.id, { assignee: null, handover: true }, T0 + 20);
        expect(handed).toEqual({ ...conv, handover: true, updatedAt: T0 + 20 });
        expect(handed).not.toHaveProperty("assignee");
        // An older timestamp never moves updatedAt back; the status alone changes.
        const closed = await store.updateConversation(conv.id, { status: "closed" }, T0 + 5);
        expect(closed).toEqual({ ...conv, handover: true, status: "closed", updatedAt: T0 + 20 });
        const cleared = await store.updateConversation(conv.id, { handover: false, status: "open" }, T0 + 30);
        expect(cleared).toEqual({ ...conv, updatedAt: T0 + 30 });
        expect(await store.getConversation(conv.id)).toEqual(cleared);
        // The shop's inbox lists it with its assignment.
        await store.updateConversation(conv.id, { assignee: "p-bot" }, T0 + 40);
        expect((await store.listConversationsOfShop(SHOP, 10)).find((c) => c.id === conv.id)?.assignee).toBe("p-bot");
      });

      it("rejects an update of an unknown conversation", async () => {
        await using fx = await open();
        await expect(fx.store.updateConversation("c-unknown", { status: "closed" }, T0)).rejects.toBeInstanceOf(
          StoreNotFoundError,
        );
      });

      it("rejects creating a conversation with an id that exists", async () => {
        await using fx = await open();
        const conv = conversation();
        await fx.store.createConversation(conv);
        await expect(fx.store.createConversation({ ...conv, shopId: "shop-2" })).rejects.toThrow();
        expect((await fx.store.getConversation(conv.id))?.shopId).toBe(SHOP);
      });

      it("lists a member's conversations by newest activity, limited, and moves one up on append", async () => {
        await using fx = await open();
        const { store } = fx;
        const convs = [T0 + 30, T0 + 10, T0 + 20, T0 + 40].map((updatedAt) => conversation({ updatedAt }));
        for (const conv of convs) await store.createConversation(conv);
        for (const conv of convs.slice(0, 3)) {
          await store.addMember({ convId: conv.id, principalId: "p-me", role: "member", joinedAt: T0 });
        }
        await store.addMember({ convId: convs[3]?.id ?? "", principalId: "p-other", role: "member", joinedAt: T0 });
        const ids = (list: ConversationRecord[]) => list.map((c) => c.id);
        const [c30, c10, c20] = convs.map((c) => c.id);
        expect(ids(await store.listConversationsOf("p-me", 10))).toEqual([c30, c20, c10]);
        expect(ids(await store.listConversationsOf("p-me", 2))).toEqual([c30, c20]);
        await store.append(message(c10 ?? "", "m1", T0 + 100));
        expect(ids(await store.listConversationsOf("p-me", 2))).toEqual([c10, c30]);
        expect(await store.listConversationsOf("p-nobody", 10)).toEqual([]);
      });

      it("lists a shop's conversations by newest activity, limited, without other shops'", async () => {
        await using fx = await open();
        const { store } = fx;
        const a = conversation({ updatedAt: T0 + 1 });
        const b = conversation({ updatedAt: T0 + 3 });
        const c = conversation({ updatedAt: T0 + 2 });
        const other = conversation({ shopId: "shop-2", updatedAt: T0 + 9 });
        for (const conv of [a, b, c, other]) await store.createConversation(conv);
        expect(await store.listConversationsOfShop(SHOP, 10)).toEqual([b, c, a]);
        expect(await store.listConversationsOfShop(SHOP, 1)).toEqual([b]);
        expect(await store.listConversationsOfShop("shop-2", 10)).toEqual([other]);
      });
    });

    describe("members", () => {
      it("adds a member once however often it is added, keeping the latest record", async () => {
        await using fx = await open();
        const { store } = fx;
        const member = { convId: "c-1", principalId: "p-a", role: "member" as const, joinedAt: T0, invitedBy: "p-o" };
        await store.addMember(member);
        await store.addMember(member);
        await store.addMember({ ...member, role: "agent" });
        await store.addMember({ convId: "c-1", principalId: "p-o", role: "owner", joinedAt: T0 - 1 });
        await store.addMember({ convId: "c-2", principalId: "p-a", role: "member", joinedAt: T0 });
        expect(await store.getMember("c-1", "p-a")).toEqual({ ...member, role: "agent" });
        const listed = await store.listMembers("c-1");
        expect(listed.map((m) => m.principalId).sort()).toEqual(["p-a", "p-o"]);
        const owner = listed.find((m) => m.principalId === "p-o");
        expect(owner).toEqual({ convId: "c-1", principalId: "p-o", role: "owner", joinedAt: T0 - 1 });
        expect(owner && "invitedBy" in owner).toBe(false);
      });

      it("removes a member once and answers false for a member that is not there", async () => {
        await using fx = await open();
        const { store } = fx;
        await store.addMember({ convId: "c-1", principalId: "p-a", role: "member", joinedAt: T0 });
        await store.addMember({ convId: "c-2", principalId: "p-a", role: "member", joinedAt: T0 });
        expect(await store.removeMember("c-1", "p-a")).toBe(true);
        expect(await store.removeMember("c-1", "p-a")).toBe(false);
        expect(await store.getMember("c-1", "p-a")).toBeUndefined();
        expect(await store.listMembers("c-1")).toEqual([]);
        expect((await store.getMember("c-2", "p-a"))?.role).toBe("member");
      });
    });

    describe("invites", () => {
      it("settles a pending invite once: a second settle resolves false and changes nothing", async () => {
        await using fx = await open();
        const { store } = fx;
        const inv = invite();
        await store.createInvite(inv);
        expect(await store.getInvite(inv.id)).toEqual(inv);
        expect(await store.settleInvite(inv.id, "accepted")).toBe(true);
        expect(await store.settleInvite(inv.id, "revoked")).toBe(false);
        expect(await store.getInvite(inv.id)).toEqual({ ...inv, status: "accepted" });
        expect(await store.settleInvite("i-unknown", "declined")).toBe(false);
      });

      it("lets exactly one of concurrent settles win", async () => {
        await using fx = await open();
        const { store } = fx;
        const inv = invite();
        await store.createInvite(inv);
        const outcomes = await Promise.all([
          store.settleInvite(inv.id, "accepted"),
          store.settleInvite(inv.id, "declined"),
          store.settleInvite(inv.id, "revoked"),
        ]);
        expect(outcomes.filter(Boolean)).toHaveLength(1);
      });

      it("lists and finds only pending invites of the invitee", async () => {
        await using fx = await open();
        const { store } = fx;
        const a = invite({ convId: "c-1", createdAt: T0 + 1 });
        const b = invite({ convId: "c-2", createdAt: T0 + 2 });
        const settled = invite({ convId: "c-3" });
        const forOther = invite({ convId: "c-1", invitee: "p-other" });
        for (const inv of [a, b, settled, forOther]) await store.createInvite(inv);
        await store.settleInvite(settled.id, "declined");
        expect((await store.listPendingInvites("p-invitee")).sort(byId)).toEqual([a, b].sort(byId));
        expect(await store.findPendingInvite("c-2", "p-invitee")).toEqual(b);
        expect(await store.findPendingInvite("c-3", "p-invitee")).toBeUndefined();
        expect(await store.findPendingInvite("c-2", "p-other")).toBeUndefined();
        await store.settleInvite(b.id, "revoked");
        expect(await store.listPendingInvites("p-invitee")).toEqual([a]);
      });

      it("lists a conversation's invites of every status, oldest first, with when each was settled", async () => {
        await using fx = await open();
        const { store } = fx;
        const first = invite({ convId: "c-9", invitee: "p-a", createdAt: T0 + 1 });
        const second = invite({ convId: "c-9", invitee: "p-b", createdAt: T0 + 2 });
        const third = invite({ convId: "c-9", invitee: "p-c", createdAt: T0 + 3 });
        const elsewhere = invite({ convId: "c-8", createdAt: T0 });
        for (const inv of [third, elsewhere, first, second]) await store.createInvite(inv);
        expect(await store.settleInvite(first.id, "accepted", T0 + 10)).toBe(true);
        expect(await store.settleInvite(second.id, "declined", T0 + 11)).toBe(true);
        expect(await store.settleInvite(second.id, "accepted", T0 + 12)).toBe(false);
        expect(await store.listInvitesOf("c-9", 10)).toEqual([
          { ...first, status: "accepted", settledAt: T0 + 10 },
          { ...second, status: "declined", settledAt: T0 + 11 },
          third,
        ]);
        expect(await store.listInvitesOf("c-9", 2)).toHaveLength(2);
        expect(await store.listInvitesOf("c-none", 10)).toEqual([]);
      });
    });

    describe("append", () => {
      it("numbers messages 1..N in order and moves the conversation's lastSeq and updatedAt", async () => {
        await using fx = await open();
        const { store } = fx;
        const conv = conversation();
        await store.createConversation(conv);
        for (const i of range(1, 7)) {
          const result = await store.append(message(conv.id, `m${i}`, T0 + i * 10));
          expect(result).toEqual({ message: { ...message(conv.id, `m${i}`, T0 + i * 10), seq: i }, duplicate: false });
        }
        expect(await store.getConversation(conv.id)).toEqual({ ...conv, lastSeq: 7, updatedAt: T0 + 70 });
      });

      it("returns the first message unchanged for a repeated msgId and stores it once", async () => {
        await using fx = await open();
        const { store } = fx;
        const convId = await seed(store, 2);
        const first = await store.append(message(convId, "dup", T0 + 100, "original"));
        const again = await store.append(message(convId, "dup", T0 + 200, "changed"));
        expect(again).toEqual({ message: first.message, duplicate: true });
        expect(again.message.envelope.ct).toBe("original");
        expect((await store.since(convId, 0, 100)).map((m) => m.msgId)).toEqual(["m1", "m2", "dup"]);
        expect((await store.getConversation(convId))?.lastSeq).toBe(3);
        expect((await store.append(message(convId, "next"))).message.seq).toBe(4);
      });

      it("treats the same msgId in two conversations as two messages", async () => {
        await using fx = await open();
        const { store } = fx;
        const a = await seed(store, 0);
        const b = await seed(store, 1);
        expect(await store.append(message(a, "m1"))).toMatchObject({ message: { seq: 1 }, duplicate: false });
        expect(await store.append(message(b, "m1"))).toMatchObject({ message: { seq: 1 }, duplicate: true });
        expect(await store.history(a, undefined, 10)).toHaveLength(1);
      });

      it("rejects an append to an unknown conversation and stores nothing", async () => {
        await using fx = await open();
        const { store } = fx;
        await expect(store.append(message("c-unknown", "m1"))).rejects.toBeInstanceOf(StoreNotFoundError);
        expect(await store.history("c-unknown", undefined, 10)).toEqual([]);
        expect(await store.getConversation("c-unknown")).toBeUndefined();
      });

      it("fails only the append to an unknown conversation among concurrent appends", async () => {
        await using fx = await open();
        const { store } = fx;
        const convId = await seed(store, 0);
        const results = await Promise.allSettled([
          store.append(message(convId, "ok-1")),
          store.append(message("c-unknown", "lost")),
          store.append(message(convId, "ok-2")),
        ]);
        expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
        expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(StoreNotFoundError);
        expect((await store.since(convId, 0, 10)).map((m) => m.msgId)).toEqual(["ok-1", "ok-2"]);
      });

      it("keeps seqs gapless and msgIds unique under 50 concurrent appends with duplicates", async () => {
        await using fx = await open();
        const { store } = fx;
        const convId = await seed(store, 0);
        const msgIds = range(0, 49).map((i) => `m${i % 30}`);
        const results = await Promise.all(msgIds.map((msgId) => store.append(message(convId, msgId))));
        const fresh = results.filter((r) => !r.duplicate);
        expect(fresh).toHaveLength(30);
        expect(fresh.map((r) => r.message.seq).sort((x, y) => x - y)).toEqual(range(1, 30));
        const seqOf = new Map(fresh.map((r) => [r.message.msgId, r.message.seq]));
        for (const r of results) expect(r.message.seq).toBe(seqOf.get(r.message.msgId));
        const stored = await store.since(convId, 0, 100);
        expect(stored.map((m) => m.seq)).toEqual(range(1, 30));
        expect(new Set(stored.map((m) => m.msgId)).size).toBe(30);
        expect((await store.getConversation(convId))?.lastSeq).toBe(30);
      });

      it("keeps every conversation gapless under concurrent appends to several conversations", async () => {
        await using fx = await open();
        const { store } = fx;
        const convIds = await Promise.all(range(1, 5).map(() => seed(store, 0)));
        const jobs = range(1, 20).flatMap((i) => convIds.map((convId) => store.append(message(convId, `m${i}`))));
        await Promise.all(jobs);
        for (const convId of convIds) {
          const stored = await store.since(convId, 0, 100);
          expect(stored.map((m) => m.seq)).toEqual(range(1, 20));
          expect(new Set(stored.map((m) => m.msgId)).size).toBe(20);
          expect((await store.getConversation(convId))?.lastSeq).toBe(20);
        }
      });

      it("keeps seqs gapless when two stores on the same data append to one conversation", async (ctx) => {
        await using fx = await open();
        if (!fx.reopen) return ctx.skip();
        const { store } = fx;
        const other = await fx.reopen();
        try {
          const convId = await seed(store, 0);
          const jobs = range(1, 40).map((i) => (i % 2 ? store : other).append(message(convId, `m${i % 30}`)));
          const results = await Promise.all(jobs);
          const stored = await store.since(convId, 0, 100);
          expect(stored.map((m) => m.seq)).toEqual(range(1, 30));
          expect(new Set(stored.map((m) => m.msgId)).size).toBe(30);
          const seqOf = new Map(stored.map((m) => [m.msgId, m.seq]));
          for (const r of results) expect(r.message.seq).toBe(seqOf.get(r.message.msgId));
          expect(results.filter((r) => !r.duplicate)).toHaveLength(30);
          // Concurrent lastSeq updates from two processes may land out of order on FerretDB
          // (non-atomic updates); the next append settles it.
          await other.append(message(convId, "last"));
          expect((await store.getConversation(convId))?.lastSeq).toBe(31);
        } finally {
          await other.close();
        }
      });
    });

    describe("history and since", () => {
      it("pages history newest first with the before cursor, reaching every message exactly once", async () => {
        await using fx = await open();
        const { store } = fx;
        const convId = await seed(store, 23);
        await seed(store, 3); // another conversation's messages must not appear
        const seen: number[] = [];
        let before: number | undefined;
        for (;;) {
          const page = await store.history(convId, before, 5);
          expect(page.length).toBeLessThanOrEqual(5);
          if (page.length === 0) break;
          seen.push(...page.map((m) => m.seq));
          before = page.at(-1)?.seq;
        }
        expect(seen).toEqual(range(1, 23).reverse());
        expect((await store.history(convId, undefined, 3)).map((m) => m.msgId)).toEqual(["m23", "m22", "m21"]);
        expect(await store.history(convId, 1, 10)).toEqual([]);
      });

      it("returns messages after a seq oldest first, at most limit", async () => {
        await using fx = await open();
        const { store } = fx;
        const convId = await seed(store, 23);
        expect((await store.since(convId, 0, 5)).map((m) => m.seq)).toEqual(range(1, 5));
        expect((await store.since(convId, 20, 10)).map((m) => m.seq)).toEqual([21, 22, 23]);
        expect(await store.since(convId, 23, 10)).toEqual([]);
      });

      it("returns stored messages with their envelope, sender and server time intact", async () => {
        await using fx = await open();
        const { store } = fx;
        const convId = await seed(store, 0);
        const sent = message(convId, "m-x", T0 + 77, "AAECAwQ_-w");
        await store.append(sent);
        const expected = { ...sent, seq: 1 };
        expect(await store.history(convId, undefined, 1)).toEqual([expected]);
        expect(await store.since(convId, 0, 1)).toEqual([expected]);
      });

      it("matches a model of first-seen msgIds for random appends with repeats", async () => {
        await using fx = await open();
        const { store } = fx;
        const op = fc.record({ conv: fc.integer({ min: 0, max: 2 }), msg: fc.integer({ min: 0, max: 7 }) });
        await fc.assert(
          fc.asyncProperty(fc.array(op, { maxLength: 30 }), fc.boolean(), async (ops, concurrent) => {
            const convIds = await Promise.all(range(0, 2).map(() => seed(store, 0)));
            const model = convIds.map(() => [] as string[]);
            const appends = ops.map(({ conv, msg }) => message(convIds[conv] ?? "", `m${msg}`));
            if (concurrent) {
              const results = await Promise.all(appends.map((m) => store.append(m)));
              for (const [i, r] of results.entries()) {
                const list = model[ops[i]?.conv ?? 0] ?? [];
                if (!list.includes(r.message.msgId)) list.push(r.message.msgId);
              }
            } else {
              for (const [i, m] of appends.entries()) {
                const list = model[ops[i]?.conv ?? 0] ?? [];
                const known = list.indexOf(m.msgId);
                if (known < 0) list.push(m.msgId);
                const r = await store.append(m);
                expect(r.duplicate).toBe(known >= 0);
                expect(r.message.seq).toBe(known >= 0 ? known + 1 : list.length);
              }
            }
            for (const [c, convId] of convIds.entries()) {
              const expected = model[c] ?? [];
              const oldestFirst = await store.since(convId, 0, 100);
              if (concurrent) expect(oldestFirst.map((m) => m.msgId).sort()).toEqual([...expected].sort());
              else expect(oldestFirst.map((m) => m.msgId)).toEqual(expected);
              expect(oldestFirst.map((m) => m.seq)).toEqual(range(1, expected.length));
              const newestFirst = await store.history(convId, undefined, 100);
              expect(newestFirst).toEqual([...oldestFirst].reverse());
              expect((await store.getConversation(convId))?.lastSeq).toBe(expected.length);
            }
          }),
          { numRuns: 25 },
        );
      });
    });

    describe("epoch chain", () => {
      it("keeps a conversation's epoch, 0 for a new one, through get and both lists", async () => {
        await using fx = await open();
        const { store } = fx;
        const fresh = conversation({ updatedAt: T0 + 2 });
        const later = conversation({ epoch: 4, updatedAt: T0 + 1 });
        for (const conv of [fresh, later]) {
          await store.createConversation(conv);
          await store.addMember({ convId: conv.id, principalId: "p-me", role: "member", joinedAt: T0 });
        }
        expect(await store.getConversation(fresh.id)).toEqual({ ...fresh, epoch: 0 });
        expect(await store.getConversation(later.id)).toEqual(later);
        expect(await store.listConversationsOf("p-me", 10)).toEqual([fresh, later]);
        expect(await store.listConversationsOfShop(SHOP, 10)).toEqual([fresh, later]);
        await store.updateConversation(later.id, { status: "closed" }, T0 + 9);
        await store.append(message(later.id, "m1", T0 + 10));
        expect((await store.getConversation(later.id))?.epoch).toBe(4);
        // A conversation created at epoch 4 takes 5 next.
        expect(await store.appendCommit(commit(later.id, 1))).toEqual({ accepted: false, head: 4 });
        expect(await store.appendCommit(commit(later.id, 5))).toEqual({ accepted: true, head: 5 });
      });

      it("accepts commits 1, 2, 3 in order and refuses a gap or a repeat, answering the head", async () => {
        await using fx = await open();
        const { store } = fx;
        const conv = conversation();
        await store.createConversation(conv);
        expect(await store.appendCommit(commit(conv.id, 1))).toEqual({ accepted: true, head: 1 });
        expect(await store.appendCommit(commit(conv.id, 3))).toEqual({ accepted: false, head: 1 });
        expect(await store.appendCommit(commit(conv.id, 0))).toEqual({ accepted: false, head: 1 });
        expect(await store.appendCommit(commit(conv.id, 2))).toEqual({ accepted: true, head: 2 });
        expect(await store.appendCommit(commit(conv.id, 2, { sig: "other" }))).toEqual({ accepted: false, head: 2 });
        expect(await store.appendCommit(commit(conv.id, 3))).toEqual({ accepted: true, head: 3 });
        expect(await store.listCommits(conv.id, 0, 10)).toEqual([1, 2, 3].map((e) => commit(conv.id, e)));
        expect(await store.getConversation(conv.id)).toEqual({ ...conv, epoch: 3 });
      });

      it("accepts exactly one of 20 concurrent commits for the same epoch and stores that one", async () => {
        await using fx = await open();
        const { store } = fx;
        const conv = conversation();
        await store.createConversation(conv);
        const rivals = range(1, 20).map((i) => commit(conv.id, 1, { sig: `rival-${i}`, ts: T0 + i }));
        const results = await Promise.all(rivals.map((c) => store.appendCommit(c)));
        expect(results.filter((r) => r.accepted)).toHaveLength(1);
        expect(results.every((r) => r.head === 1)).toBe(true);
        const winner = rivals[results.findIndex((r) => r.accepted)];
        expect(await store.listCommits(conv.id, 0, 10)).toEqual([winner]);
        expect((await store.getConversation(conv.id))?.epoch).toBe(1);
        expect(await store.appendCommit(commit(conv.id, 2))).toEqual({ accepted: true, head: 2 });
      });

      it("accepts exactly one commit per epoch when two stores on the same data race", async (ctx) => {
        await using fx = await open();
        if (!fx.reopen) return ctx.skip();
        const { store } = fx;
        const other = await fx.reopen();
        try {
          const conv = conversation();
          await store.createConversation(conv);
          for (const epoch of [1, 2]) {
            const rivals = range(1, 20).map((i) => commit(conv.id, epoch, { sig: `rival-${epoch}-${i}` }));
            const results = await Promise.all(rivals.map((c, i) => (i % 2 ? store : other).appendCommit(c)));
            expect(results.filter((r) => r.accepted)).toHaveLength(1);
            expect(results.every((r) => r.head === epoch)).toBe(true);
            const winner = rivals[results.findIndex((r) => r.accepted)];
            expect((await other.listCommits(conv.id, epoch - 1, 10))[0]).toEqual(winner);
          }
          expect(await store.listCommits(conv.id, 0, 10)).toHaveLength(2);
          expect((await store.getConversation(conv.id))?.epoch).toBe(2);
          expect((await other.getConversation(conv.id))?.epoch).toBe(2);
          expect(await other.appendCommit(commit(conv.id, 3))).toEqual({ accepted: true, head: 3 });
          expect(await store.appendCommit(commit(conv.id, 3, { sig: "late" }))).toEqual({ accepted: false, head: 3 });
        } finally {
          await other.close();
        }
      });

      it("pages commits oldest first after an epoch, at most limit, per conversation", async () => {
        await using fx = await open();
        const { store } = fx;
        const conv = conversation();
        const neighbour = conversation();
        await store.createConversation(conv);
        await store.createConversation(neighbour);
        const commits = await seedCommits(store, conv.id, 7);
        await seedCommits(store, neighbour.id, 2);
        expect(await store.listCommits(conv.id, 0, 3)).toEqual(commits.slice(0, 3));
        expect(await store.listCommits(conv.id, 3, 3)).toEqual(commits.slice(3, 6));
        expect(await store.listCommits(conv.id, 6, 3)).toEqual(commits.slice(6));
        expect(await store.listCommits(conv.id, 7, 3)).toEqual([]);
        expect(await store.listCommits(conv.id, 0, 0)).toEqual([]);
        expect(await store.listCommits(conv.id, 0, 100)).toEqual(commits);
        expect((await store.listCommits(neighbour.id, 0, 100)).map((c) => c.epoch)).toEqual([1, 2]);
        expect(await store.listCommits("c-unknown", 0, 100)).toEqual([]);
      });

      it("returns a commit exactly as given, nothing the caller's object carried besides", async () => {
        await using fx = await open();
        const { store } = fx;
        const conv = conversation();
        await store.createConversation(conv);
        const full = commit(conv.id, 1, {
          teamWrap: "dGVhbS13cmFw",
          historyPolicy: "full",
          members: [{ principalId: "p-owner", deviceIds: ["d-1"] }],
          wraps: [{ deviceId: "d-1", sealed: "AAECAwQ_-w" }],
          ts: 1_700_000_000_123,
        });
        const extra = { ...full, note: "not part of a commit", committer: { ...full.committer, admin: true } };
        expect(await store.appendCommit(extra as EpochCommit)).toEqual({ accepted: true, head: 1 });
        expect(await store.listCommits(conv.id, 0, 10)).toEqual([full]);
      });

      it("rejects a commit to an unknown conversation and stores nothing", async () => {
        await using fx = await open();
        const { store } = fx;
        await expect(store.appendCommit(commit("c-unknown", 1))).rejects.toBeInstanceOf(StoreNotFoundError);
        expect(await store.listCommits("c-unknown", 0, 10)).toEqual([]);
        expect(await store.getConversation("c-unknown")).toBeUndefined();
      });

      it("keeps the chain and the conversation's epoch across a close and reopen", async (ctx) => {
        await using fx = await open();
        if (!fx.reopen) return ctx.skip();
        const { store } = fx;
        const conv = conversation();
        await store.createConversation(conv);
        const commits = await seedCommits(store, conv.id, 3);
        await store.close();
        const reopened = await fx.reopen();
        try {
          expect(await reopened.getConversation(conv.id)).toEqual({ ...conv, epoch: 3 });
          expect(await reopened.listCommits(conv.id, 0, 10)).toEqual(commits);
          expect(await reopened.appendCommit(commit(conv.id, 3))).toEqual({ accepted: false, head: 3 });
          expect(await reopened.appendCommit(commit(conv.id, 4))).toEqual({ accepted: true, head: 4 });
          expect((await reopened.getConversation(conv.id))?.epoch).toBe(4);
        } finally {
          await reopened.close();
        }
      });

      it("repairs a head left behind its commits: the next commit after them is accepted", async (ctx) => {
        await using fx = await open();
        if (!fx.rawInsertCommit) return ctx.skip();
        const { store } = fx;
        const conv = conversation();
        await store.createConversation(conv);
        await seedCommits(store, conv.id, 1);
        await fx.rawInsertCommit(commit(conv.id, 2));
        expect((await store.getConversation(conv.id))?.epoch).toBe(1);
        expect(await store.appendCommit(commit(conv.id, 3))).toEqual({ accepted: true, head: 3 });
        expect((await store.getConversation(conv.id))?.epoch).toBe(3);
        expect((await store.listCommits(conv.id, 0, 10)).map((c) => c.epoch)).toEqual([1, 2, 3]);
      });

      it("repairs a head left behind its commits when a client retries the stored epoch", async (ctx) => {
        await using fx = await open();
        if (!fx.rawInsertCommit) return ctx.skip();
        const { store } = fx;
        const conv = conversation();
        await store.createConversation(conv);
        await fx.rawInsertCommit(commit(conv.id, 1));
        await fx.rawInsertCommit(commit(conv.id, 2));
        expect((await store.getConversation(conv.id))?.epoch).toBe(0);
        // The cached head says 1 is next; the commits say 2 is taken already.
        expect(await store.appendCommit(commit(conv.id, 1, { sig: "stale" }))).toEqual({ accepted: false, head: 2 });
        expect((await store.getConversation(conv.id))?.epoch).toBe(2);
        expect(await store.listCommits(conv.id, 0, 10)).toEqual([commit(conv.id, 1), commit(conv.id, 2)]);
        expect(await store.appendCommit(commit(conv.id, 3))).toEqual({ accepted: true, head: 3 });
      });
    });

    describe("team keys", () => {
      it("has no team key before the first, then answers the highest version stored", async () => {
        await using fx = await open();
        const { store } = fx;
        expect(await store.getTeamKey(SHOP)).toBeUndefined();
        expect(await store.putTeamKey(teamKey(SHOP, 1))).toEqual({ accepted: true, version: 1 });
        expect(await store.getTeamKey(SHOP)).toEqual(teamKey(SHOP, 1));
        expect(await store.putTeamKey(teamKey(SHOP, 2))).toEqual({ accepted: true, version: 2 });
        expect(await store.getTeamKey(SHOP)).toEqual(teamKey(SHOP, 2));
        // Per shop: another shop starts at 1 and leaves this one alone.
        expect(await store.getTeamKey("shop-2")).toBeUndefined();
        expect(await store.putTeamKey(teamKey("shop-2", 1))).toEqual({ accepted: true, version: 1 });
        expect(await store.getTeamKey("shop-2")).toEqual(teamKey("shop-2", 1));
        expect(await store.getTeamKey(SHOP)).toEqual(teamKey(SHOP, 2));
      });

      it("accepts only current + 1: refuses a gap, a repeat and 0, answering the current version", async () => {
        await using fx = await open();
        const { store } = fx;
        expect(await store.putTeamKey(teamKey(SHOP, 2))).toEqual({ accepted: false, version: 0 });
        expect(await store.putTeamKey(teamKey(SHOP, 0))).toEqual({ accepted: false, version: 0 });
        expect(await store.getTeamKey(SHOP)).toBeUndefined();
        expect(await store.putTeamKey(teamKey(SHOP, 1))).toEqual({ accepted: true, version: 1 });
        expect(await store.putTeamKey(teamKey(SHOP, 3))).toEqual({ accepted: false, version: 1 });
        expect(await store.putTeamKey(teamKey(SHOP, 1, { sig: "other" }))).toEqual({ accepted: false, version: 1 });
        expect(await store.getTeamKey(SHOP)).toEqual(teamKey(SHOP, 1));
      });

      it("accepts exactly one of 20 concurrent puts of the same version and keeps that one", async () => {
        await using fx = await open();
        const { store } = fx;
        const rivals = range(1, 20).map((i) => teamKey(SHOP, 1, { sig: `rival-${i}`, boxPk: `box-rival-${i}` }));
        const results = await Promise.all(rivals.map((r) => store.putTeamKey(r)));
        expect(results.filter((r) => r.accepted)).toHaveLength(1);
        expect(results.every((r) => r.version === 1)).toBe(true);
        expect(await store.getTeamKey(SHOP)).toEqual(rivals[results.findIndex((r) => r.accepted)]);
        expect(await store.putTeamKey(teamKey(SHOP, 2))).toEqual({ accepted: true, version: 2 });
      });

      it("accepts exactly one put per version when two stores on the same data race", async (ctx) => {
        await using fx = await open();
        if (!fx.reopen) return ctx.skip();
        const { store } = fx;
        const other = await fx.reopen();
        try {
          for (const version of [1, 2]) {
            const rivals = range(1, 20).map((i) => teamKey(SHOP, version, { sig: `rival-${version}-${i}` }));
            const results = await Promise.all(rivals.map((r, i) => (i % 2 ? store : other).putTeamKey(r)));
            expect(results.filter((r) => r.accepted)).toHaveLength(1);
            expect(results.every((r) => r.version === version)).toBe(true);
            const winner = rivals[results.findIndex((r) => r.accepted)];
            expect(await store.getTeamKey(SHOP)).toEqual(winner);
            expect(await other.getTeamKey(SHOP)).toEqual(winner);
          }
          expect(await other.putTeamKey(teamKey(SHOP, 3))).toEqual({ accepted: true, version: 3 });
          expect(await store.putTeamKey(teamKey(SHOP, 3, { sig: "late" }))).toEqual({ accepted: false, version: 3 });
        } finally {
          await other.close();
        }
      });

      it("returns a team key and a wrap exactly as given, nothing the caller's object carried besides", async () => {
        await using fx = await open();
        const { store } = fx;
        const key = teamKey(SHOP, 1, {
          boxPk: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
          ts: 1_700_000_000_123,
          createdBy: { principalId: "a_admin", deviceId: "d_admin-dev" },
        });
        const extraKey = { ...key, note: "not part of a key", createdBy: { ...key.createdBy, admin: true } };
        expect(await store.putTeamKey(extraKey as TeamKeyRecord)).toEqual({ accepted: true, version: 1 });
        expect(await store.getTeamKey(SHOP)).toEqual(key);
        const wrap = teamWrap("p-a", "d-1", 1, { ts: 1_700_000_000_456, sealed: "c2VhbGVk-_" });
        const extraWrap = { ...wrap, $set: { x: 1 }, wrappedBy: { ...wrap.wrappedBy, role: "admin" } };
        await store.putTeamWrap(extraWrap as TeamKeyWrap);
        expect(await store.listTeamWraps(SHOP, 1)).toEqual([wrap]);
      });

      it("stores one wrap per (shop, version, device), replacing it on a second put", async () => {
        await using fx = await open();
        const { store } = fx;
        await store.putTeamWrap(teamWrap("p-a", "d-1"));
        await store.putTeamWrap(teamWrap("p-a", "d-2"));
        await store.putTeamWrap(teamWrap("p-b", "d-3"));
        await store.putTeamWrap(teamWrap("p-a", "d-1", 2));
        await store.putTeamWrap(teamWrap("p-a", "d-1", 1, { shopId: "shop-2" }));
        const replaced = teamWrap("p-a", "d-1", 1, {
          sealed: "sealed-again",
          wrappedBy: { principalId: "p-admin-2", deviceId: "d-admin-2" },
          ts: T0 + 99,
          sig: "wrap-sig-again",
        });
        await store.putTeamWrap(replaced);
        expect((await store.listTeamWraps(SHOP, 1)).sort(byDevice)).toEqual([
          replaced,
          teamWrap("p-a", "d-2"),
          teamWrap("p-b", "d-3"),
        ]);
        expect(await store.listTeamWraps(SHOP, 2)).toEqual([teamWrap("p-a", "d-1", 2)]);
        expect(await store.listTeamWraps("shop-2", 1)).toEqual([teamWrap("p-a", "d-1", 1, { shopId: "shop-2" })]);
        expect(await store.listTeamWraps(SHOP, 3)).toEqual([]);
        expect(await store.listTeamWraps("shop-none", 1)).toEqual([]);
      });

      it("filters wraps by the principal whose devices they are sealed to", async () => {
        await using fx = await open();
        const { store } = fx;
        await store.putTeamWrap(teamWrap("p-a", "d-1"));
        await store.putTeamWrap(teamWrap("p-a", "d-2"));
        await store.putTeamWrap(teamWrap("p-b", "d-3"));
        await store.putTeamWrap(teamWrap("p-a", "d-4", 2));
        expect((await store.listTeamWraps(SHOP, 1, "p-a")).sort(byDevice)).toEqual([
          teamWrap("p-a", "d-1"),
          teamWrap("p-a", "d-2"),
        ]);
        expect(await store.listTeamWraps(SHOP, 1, "p-b")).toEqual([teamWrap("p-b", "d-3")]);
        expect(await store.listTeamWraps(SHOP, 2, "p-a")).toEqual([teamWrap("p-a", "d-4", 2)]);
        expect(await store.listTeamWraps(SHOP, 2, "p-b")).toEqual([]);
        expect(await store.listTeamWraps(SHOP, 1, "p-nobody")).toEqual([]);
        // Moving a device's wrap to another principal moves it out of the first one's list.
        await store.putTeamWrap(teamWrap("p-b", "d-2"));
        expect(await store.listTeamWraps(SHOP, 1, "p-a")).toEqual([teamWrap("p-a", "d-1")]);
      });

      it("lists a shop's agents and bots only, not its customers and guests or other shops' team", async () => {
        await using fx = await open();
        const { store } = fx;
        const agent = await store.ensurePrincipal(principal({ kind: "agent", handle: "team_agent" }));
        const bot = await store.ensurePrincipal(principal({ kind: "bot", createdAt: T0 + 1 }));
        await store.ensurePrincipal(principal({ kind: "customer" }));
        await store.ensurePrincipal(principal({ kind: "guest" }));
        await store.ensurePrincipal(principal({ kind: "agent", shopId: "shop-2" }));
        expect((await store.listTeam(SHOP)).sort(byId)).toEqual([agent, bot].sort(byId));
        expect(await store.listTeam("shop-none")).toEqual([]);
      });

      it("keeps team keys and wraps across a close and reopen", async (ctx) => {
        await using fx = await open();
        if (!fx.reopen) return ctx.skip();
        const { store } = fx;
        await store.putTeamKey(teamKey(SHOP, 1));
        await store.putTeamKey(teamKey(SHOP, 2));
        await store.putTeamWrap(teamWrap("p-a", "d-1", 2));
        await store.close();
        const reopened = await fx.reopen();
        try {
          expect(await reopened.getTeamKey(SHOP)).toEqual(teamKey(SHOP, 2));
          expect(await reopened.listTeamWraps(SHOP, 2)).toEqual([teamWrap("p-a", "d-1", 2)]);
          expect(await reopened.putTeamKey(teamKey(SHOP, 2, { sig: "late" }))).toEqual({ accepted: false, version: 2 });
          expect(await reopened.putTeamKey(teamKey(SHOP, 3))).toEqual({ accepted: true, version: 3 });
        } finally {
          await reopened.close();
        }
      });
    });

    describe("token ids", () => {
      it("accepts a token id once and refuses its replay, per issuer", async () => {
        await using fx = await open();
        const { store } = fx;
        const exp = Date.now() + 60_000;
        expect(await store.consumeTokenId("iss-a", "jti-1", exp)).toBe(true);
        expect(await store.consumeTokenId("iss-a", "jti-1", exp)).toBe(false);
        expect(await store.consumeTokenId("iss-a", "jti-1", exp + 1000)).toBe(false);
        expect(await store.consumeTokenId("iss-b", "jti-1", exp)).toBe(true);
        expect(await store.consumeTokenId("iss-a", "jti-2", exp)).toBe(true);
      });

      it("lets exactly one of concurrent uses of a token id through", async () => {
        await using fx = await open();
        const { store } = fx;
        const exp = Date.now() + 60_000;
        const outcomes = await Promise.all(range(1, 10).map(() => store.consumeTokenId("iss", "jti-race", exp)));
        expect(outcomes.filter(Boolean)).toHaveLength(1);
      });
    });

    describe("read markers", () => {
      /** A conversation with messages from the given senders, seq 1..N in order. */
      async function seedFrom(store: Store, senders: string[]): Promise<string> {
        const conv = conversation();
        await store.createConversation(conv);
        for (const [i, sender] of senders.entries()) {
          await store.append({ ...message(conv.id, `m${i + 1}`, T0 + i + 1), sender });
        }
        return conv.id;
      }

      it("moves a marker up only, per conversation and principal", async () => {
        await using fx = await open();
        const { store } = fx;
        const convId = await seed(store, 6);
        const other = await seed(store, 6);
        const mark = (principalId: string, seq: number, at = T0 + seq) =>
          store.setReadMarker({ convId, principalId, seq, at });
        expect(await mark("p-a", 0)).toEqual({ seq: 0, moved: false });
        expect(await store.readMarkers(convId)).toEqual([]);
        expect(await mark("p-a", 3)).toEqual({ seq: 3, moved: true });
        expect(await mark("p-a", 2)).toEqual({ seq: 3, moved: false });
        expect(await mark("p-a", 3)).toEqual({ seq: 3, moved: false });
        expect(await mark("p-b", 1)).toEqual({ seq: 1, moved: true });
        expect(await mark("p-a", 5)).toEqual({ seq: 5, moved: true });
        expect(await store.readMarkers(convId)).toEqual([
          { convId, principalId: "p-a", seq: 5, at: T0 + 5 },
          { convId, principalId: "p-b", seq: 1, at: T0 + 1 },
        ]);
        expect(await store.readMarkers(other)).toEqual([]);
      });

      it("keeps the highest of concurrent markers", async () => {
        await using fx = await open();
        const { store } = fx;
        const convId = await seed(store, 12);
        const seqs = [4, 9, 1, 12, 7, 3, 11, 2];
        await Promise.all(seqs.map((seq) => store.setReadMarker({ convId, principalId: "p-a", seq, at: T0 })));
        expect(await store.readMarkers(convId)).toEqual([{ convId, principalId: "p-a", seq: 12, at: T0 }]);
        expect(await store.setReadMarker({ convId, principalId: "p-a", seq: 10, at: T0 })).toEqual({
          seq: 12,
          moved: false,
        });
      });

      it("is state, not a message: seqs and the conversation stay as they were", async () => {
        await using fx = await open();
        const { store } = fx;
        const convId = await seed(store, 4);
        const before = await store.getConversation(convId);
        await store.setReadMarker({ convId, principalId: "p-a", seq: 4, at: T0 + 10_000 });
        expect(await store.getConversation(convId)).toEqual(before);
        expect((await store.since(convId, 0, 100)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
        expect((await store.append(message(convId, "m5"))).message.seq).toBe(5);
      });

      it("counts unread messages from others above the marker, never the principal's own", async () => {
        await using fx = await open();
        const { store } = fx;
        const convId = await seedFrom(store, ["p-x", "p-x", "p-x", "p-me", "p-me", "p-x"]);
        const empty = conversation();
        await store.createConversation(empty);
        const convs = [
          { id: convId, lastSeq: 6 },
          { id: empty.id, lastSeq: 0 },
        ];
        const get = async (principalId: string, id = convId) => (await store.unreadCounts(principalId, convs)).get(id);
        expect(await get("p-me")).toEqual({ readUpTo: 0, unread: 4 });
        expect(await get("p-x")).toEqual({ readUpTo: 0, unread: 2 });
        expect(await get("p-me", empty.id)).toEqual({ readUpTo: 0, unread: 0 });
        await store.setReadMarker({ convId, principalId: "p-me", seq: 3, at: T0 });
        expect(await get("p-me")).toEqual({ readUpTo: 3, unread: 1 });
        await store.setReadMarker({ convId, principalId: "p-me", seq: 5, at: T0 });
        expect(await get("p-me")).toEqual({ readUpTo: 5, unread: 1 });
        await store.setReadMarker({ convId, principalId: "p-me", seq: 6, at: T0 });
        expect(await get("p-me")).toEqual({ readUpTo: 6, unread: 0 });
        // Counted up to the lastSeq the caller read, not past it.
        expect((await store.unreadCounts("p-x", [{ id: convId, lastSeq: 4 }])).get(convId)).toEqual({
          readUpTo: 0,
          unread: 1,
        });
        expect(await store.unreadCounts("p-me", [])).toEqual(new Map());
      });

      it("keeps markers across a close and reopen", async () => {
        await using fx = await open();
        const { store, reopen } = fx;
        if (!reopen) throw new Error("this suite needs a fixture that can reopen its store");
        const convId = await seedFrom(store, ["p-x", "p-x", "p-me", "p-x"]);
        await store.setReadMarker({ convId, principalId: "p-me", seq: 2, at: T0 + 2 });
        await store.close();
        const reopened = await reopen();
        try {
          expect(await reopened.readMarkers(convId)).toEqual([{ convId, principalId: "p-me", seq: 2, at: T0 + 2 }]);
          expect((await reopened.unreadCounts("p-me", [{ id: convId, lastSeq: 4 }])).get(convId)).toEqual({
            readUpTo: 2,
            unread: 1,
          });
        } finally {
          await reopened.close();
        }
      });
    });

    describe("notes", () => {
      const note = (convId: string, id: string, ts: number, author = "p-agent"): StoredNote => ({
        convId,
        id,
        author,
        ts,
        envelope: {
          v: 1,
          convId,
          epoch: 1,
          msgId: id,
          senderDevice: "d-agent",
          ts,
          alg: "none",
          nonce: "",
          ct: `note ${id}`,
          sig: "",
        },
      });

      it("stores a note once per id and lists the newest, oldest first", async () => {
        await using fx = await open();
        const { store } = fx;
        const conv = conversation();
        await store.createConversation(conv);
        for (let i = 1; i <= 5; i++) {
          expect(await store.addNote(note(conv.id, `n${i}`, T0 + i))).toEqual({
            note: note(conv.id, `n${i}`, T0 + i),
            duplicate: false,
          });
        }
        // A retry (even with other fields) answers the stored note and changes nothing.
        const retry = await store.addNote({ ...note(conv.id, "n2", T0 + 99), author: "p-other" });
        expect(retry).toEqual({ note: note(conv.id, "n2", T0 + 2), duplicate: true });
        expect((await store.listNotes(conv.id, 3)).map((n) => n.id)).toEqual(["n3", "n4", "n5"]);
        expect((await store.listNotes(conv.id, 10)).map((n) => n.id)).toEqual(["n1", "n2", "n3", "n4", "n5"]);
        expect(await store.listNotes("c-other", 10)).toEqual([]);
      });

      it("moves no message seq and keeps notes out of the message history", async () => {
        await using fx = await open();
        const { store } = fx;
        const convId = await seed(store, 2);
        await store.addNote(note(convId, "n1", T0 + 50));
        expect((await store.getConversation(convId))?.lastSeq).toBe(2);
        expect((await store.since(convId, 0, 10)).map((m) => m.msgId)).toEqual(["m1", "m2"]);
      });
    });

    describe("key backups", () => {
      const ct = (n: number) => `${String(n).padStart(4, "0")}${"A".repeat(92)}`;
      const entry = (convId: string, epoch: number, n = epoch, v = 1) => ({ convId, epoch, v, ct: ct(n) });

      it("stores entries per principal and conversation, lists them by epoch after a bound, and pages", async () => {
        await using fx = await open();
        const { store } = fx;
        expect(await store.listKeyBackups("p-a", "c-1", 0, 10)).toEqual([]);
        await store.putKeyBackups("p-a", [entry("c-1", 3), entry("c-1", 1), entry("c-2", 1, 21)]);
        await store.putKeyBackups("p-b", [entry("c-1", 1, 99)]);
        await store.putKeyBackups("p-a", [entry("c-1", 2)]);
        expect(await store.listKeyBackups("p-a", "c-1", 0, 10)).toEqual([
          entry("c-1", 1),
          entry("c-1", 2),
          entry("c-1", 3),
        ]);
        expect(await store.listKeyBackups("p-a", "c-1", 1, 1)).toEqual([entry("c-1", 2)]);
        expect(await store.listKeyBackups("p-a", "c-1", 3, 10)).toEqual([]);
        expect(await store.listKeyBackups("p-a", "c-2", 0, 10)).toEqual([entry("c-2", 1, 21)]);
        expect(await store.listKeyBackups("p-b", "c-1", 0, 10)).toEqual([entry("c-1", 1, 99)]);
        expect(await store.listKeyBackups("p-c", "c-1", 0, 10)).toEqual([]);
      });

      it("replaces an entry of the same or a lower secret version, never one of a higher", async () => {
        await using fx = await open();
        const { store } = fx;
        await store.putKeyBackups("p-a", [entry("c-1", 1, 1, 1)]);
        await store.putKeyBackups("p-a", [entry("c-1", 1, 5, 1)]);
        expect(await store.listKeyBackups("p-a", "c-1", 0, 10)).toEqual([entry("c-1", 1, 5, 1)]);
        await store.putKeyBackups("p-a", [entry("c-1", 1, 6, 2)]);
        expect(await store.listKeyBackups("p-a", "c-1", 0, 10)).toEqual([entry("c-1", 1, 6, 2)]);
        // An older device still on version 1 cannot overwrite what version 2 sealed; the rest of its put is kept.
        await store.putKeyBackups("p-a", [entry("c-1", 1, 7, 1), entry("c-1", 2, 8, 1)]);
        expect(await store.listKeyBackups("p-a", "c-1", 0, 10)).toEqual([entry("c-1", 1, 6, 2), entry("c-1", 2, 8, 1)]);
      });

      it("keeps key backups across a close and reopen", async (ctx) => {
        await using fx = await open();
        if (!fx.reopen) return ctx.skip();
        const entries = range(1, 120).map((epoch) => entry("c-durable", epoch));
        await fx.store.putKeyBackups("p-a", entries.slice(0, 100));
        await fx.store.putKeyBackups("p-a", entries.slice(100));
        await fx.store.close();
        const reopened = await fx.reopen();
        try {
          expect(await reopened.listKeyBackups("p-a", "c-durable", 0, 500)).toEqual(entries);
        } finally {
          await reopened.close();
        }
      });
    });

    describe("durability", () => {
      it("keeps everything across a close and reopen, and continues seqs without gaps", async (ctx) => {
        await using fx = await open();
        if (!fx.reopen) return ctx.skip();
        const { store } = fx;
        const exp = Date.now() + 60_000;
        const s = shop("s-durable");
        const p = principal({ handle: "durable" });
        const agent = {
          shopId: SHOP,
          login: "ops",
          principalId: p.id,
          passwordHash: "$argon2id$z",
          role: "admin" as const,
        };
        const dev = device(p.id, "d-1");
        const conv = conversation();
        const member = { convId: conv.id, principalId: p.id, role: "owner" as const, joinedAt: T0 };
        const inv = invite({ convId: conv.id });
        await store.putShop(s);
        await store.ensurePrincipal(p);
        await store.putAgent(agent);
        await store.putDevice(dev);
        await store.createConversation(conv);
        await store.addMember(member);
        await store.createInvite(inv);
        for (const i of range(1, 10)) await store.append(message(conv.id, `m${i}`, T0 + i));
        await store.consumeTokenId("iss", "jti", exp);
        const messages = await store.since(conv.id, 0, 100);
        await store.close();

        const reopened = await fx.reopen();
        try {
          expect(await reopened.getShop(s.id)).toEqual(s);
          expect(await reopened.findPrincipalByHandle("durable")).toEqual(p);
          expect(await reopened.getAgent(SHOP, "ops")).toEqual(agent);
          expect(await reopened.listDevices(p.id)).toEqual([dev]);
          expect(await reopened.getConversation(conv.id)).toEqual({ ...conv, lastSeq: 10, updatedAt: T0 + 10 });
          expect(await reopened.listMembers(conv.id)).toEqual([member]);
          expect(await reopened.findPendingInvite(conv.id, inv.invitee)).toEqual(inv);
          expect(await reopened.since(conv.id, 0, 100)).toEqual(messages);
          expect(await reopened.consumeTokenId("iss", "jti", exp)).toBe(false);
          expect(await reopened.append(message(conv.id, "m5"))).toMatchObject({ message: { seq: 5 }, duplicate: true });
          expect(await reopened.append(message(conv.id, "m11"))).toMatchObject({
            message: { seq: 11 },
            duplicate: false,
          });
          expect((await reopened.getConversation(conv.id))?.lastSeq).toBe(11);
        } finally {
          await reopened.close();
        }
      });
    });
  });
}
