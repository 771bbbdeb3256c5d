/**
 * The MongoDB store's principals: customers, agents and bots, with handles
 * and their skeletons unique per shop through the single-field keys of
 * `PrincipalDoc` (collections.ts), and the migration from handles unique across shops.
 */
import type { PrincipalRecord, PrincipalStore, SetHandleResult } from "../port/principals.js";
import { str } from "../rules/records.js";
import { handleSkeleton } from "../rules/skeleton.js";
import { DROPPED_INDEXES, PRINCIPAL_FIELDS } from "./collections.js";
import type { MongoContext } from "./context.js";
import { isDuplicateKey } from "./errors.js";

/** The key that makes `value` (a handle or a skeleton) unique within its shop; shop ids hold no `/`. */
const scoped = (shopId: string, value: string) => `${str(shopId, "shopId")}/${str(value, "handle")}`;

export class MongoPrincipals implements PrincipalStore {
  readonly #c: MongoContext;

  constructor(context: MongoContext) {
    this.#c = context;
  }

  /**
   * Brings principals stored before handles were scoped to a shop up to date (run by `init()`
   * before the indexes): drops the index that kept handles unique across shops, then fills in
   * each handle's scoped key and skeleton. A handle whose skeleton another handle of its shop
   * already has keeps none (it was allowed before).
   */
  async migrate(): Promise<void> {
    for (const { collection, name } of DROPPED_INDEXES) {
      const indexes = await this.#c.col[collection]
        .listIndexes()
        .toArray()
        .catch(() => []);
      if (indexes.some((i) => i.name === name)) await this.#c.col[collection].dropIndex(name);
    }
    const old = this.#c.col.principals.find({ handle: { $exists: true }, shopHandle: { $exists: false } });
    for await (const p of old.sort({ createdAt: 1, id: 1 })) {
      if (p.handle === undefined) continue;
      const skeleton = handleSkeleton(p.handle);
      const clash = await this.#c.col.principals.findOne({ shopSkeleton: scoped(p.shopId, skeleton) });
      await this.#c.col.principals.updateOne(
        { id: p.id },
        {
          $set: {
            shopHandle: scoped(p.shopId, p.handle),
            ...(clash ? {} : { handleSkeleton: skeleton, shopSkeleton: scoped(p.shopId, skeleton) }),
          },
        },
      );
    }
  }

  async ensurePrincipal(init: PrincipalRecord): Promise<PrincipalRecord> {
    const key = {
      shopId: str(init.shopId, "shopId"),
      kind: str(init.kind, "kind") as PrincipalRecord["kind"],
      externalId: str(init.externalId, "externalId"),
    };
    return this.#c.run(async () => {
      const found = await this.#c.col.principals.findOne(key, PRINCIPAL_FIELDS);
      if (found) return found;
      const handle = init.handle === undefined ? undefined : str(init.handle, "handle");
      const skeleton = handle === undefined ? undefined : init.handleSkeleton;
      const doc: PrincipalRecord = {
        id: str(init.id, "principal id"),
        ...key,
        displayName: init.displayName,
        ...(handle === undefined ? {} : { handle }),
        ...(skeleton === undefined ? {} : { handleSkeleton: str(skeleton, "skeleton") }),
        ...(init.lastIp === undefined ? {} : { lastIp: str(init.lastIp, "lastIp") }),
        createdAt: init.createdAt,
      };
      const keys = {
        ...(handle === undefined ? {} : { shopHandle: scoped(key.shopId, handle) }),
        ...(skeleton === undefined ? {} : { shopSkeleton: scoped(key.shopId, skeleton) }),
      };
      try {
        await this.#c.col.principals.insertOne({ ...doc, ...keys });
        return doc;
      } catch (error) {
        // Another request created it first: return theirs.
        const raced = isDuplicateKey(error) ? await this.#c.col.principals.findOne(key, PRINCIPAL_FIELDS) : null;
        if (raced) return raced;
        throw error;
      }
    });
  }

  async getPrincipal(id: string): Promise<PrincipalRecord | undefined> {
    const filter = { id: str(id, "principal id") };
    return this.#c.run(async () => (await this.#c.col.principals.findOne(filter, PRINCIPAL_FIELDS)) ?? undefined);
  }

  async getPrincipals(ids: string[]): Promise<PrincipalRecord[]> {
    const checked = [...new Set(ids.map((id) => str(id, "principal id")))];
    if (checked.length === 0) return Promise.resolve([]);
    return this.#c.run(() => this.#c.col.principals.find({ id: { $in: checked } }, PRINCIPAL_FIELDS).toArray());
  }

  async findPrincipalByHandle(shopId: string, handle: string): Promise<PrincipalRecord | undefined> {
    const filter = { shopHandle: scoped(shopId, handle) };
    return this.#c.run(async () => (await this.#c.col.principals.findOne(filter, PRINCIPAL_FIELDS)) ?? undefined);
  }

  async findPrincipalBySkeleton(shopId: string, skeleton: string): Promise<PrincipalRecord | undefined> {
    const filter = { shopSkeleton: scoped(shopId, skeleton) };
    return this.#c.run(async () => (await this.#c.col.principals.findOne(filter, PRINCIPAL_FIELDS)) ?? undefined);
  }

  async setHandle(principalId: string, handle: string, skeleton: string): Promise<SetHandleResult> {
    const filter = { id: str(principalId, "principal id") };
    return this.#c.serial(`principal:${filter.id}`, () =>
      this.#c.run(async () => {
        const principal = await this.#c.col.principals.findOne(filter, PRINCIPAL_FIELDS);
        if (!principal) return "not_found";
        const update = {
          $set: {
            handle: str(handle, "handle"),
            handleSkeleton: str(skeleton, "skeleton"),
            shopHandle: scoped(principal.shopId, handle),
            shopSkeleton: scoped(principal.shopId, skeleton),
          },
        };
        try {
          return (await this.#c.col.principals.updateOne(filter, update)).matchedCount === 1 ? "set" : "not_found";
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          const holder = await this.#c.col.principals.findOne({ shopHandle: update.$set.shopHandle }, PRINCIPAL_FIELDS);
          return holder && holder.id !== filter.id ? "taken" : "confusable";
        }
      }),
    );
  }

  async setDisplayName(principalId: string, displayName: string): Promise<void> {
    const filter = { id: str(principalId, "principal id") };
    const update = { $set: { displayName: str(displayName, "displayName") } };
    return this.#c.serial(`principal:${filter.id}`, () =>
      this.#c.run(async () => {
        await this.#c.col.principals.updateOne(filter, update);
      }),
    );
  }

  async setLastIp(principalId: string, ip: string): Promise<void> {
    const filter = { id: str(principalId, "principal id") };
    const update = { $set: { lastIp: str(ip, "ip") } };
    return this.#c.serial(`principal:${filter.id}`, () =>
      this.#c.run(async () => {
        await this.#c.col.principals.updateOne(filter, update);
      }),
    );
  }

  async listTeam(shopId: string): Promise<PrincipalRecord[]> {
    // Served by the {shopId, kind, externalId} unique index's {shopId, kind} prefix.
    const filter = { shopId: str(shopId, "shopId"), kind: { $in: ["agent", "bot"] as PrincipalRecord["kind"][] } };
    return this.#c.run(() =>
      this.#c.col.principals.find(filter, PRINCIPAL_FIELDS).sort({ createdAt: 1, id: 1 }).toArray(),
    );
  }
}
