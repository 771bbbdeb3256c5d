/**
 * The MongoDB store's webhooks (port/webhooks.ts). A claim inserts a claim
 * document keyed by the item's id and the `dueAt` it claims: the unique index
 * lets one process win each due moment, on FerretDB v1 too (whose updates are
 * not atomic across processes). The winner alone then moves `dueAt` to its
 * lease's end; once that lapses, the new `dueAt` is a new key another process
 * may claim. Merges of a coalescing key and settles of one item are serialized
 * in this process.
 */
import type { Collection, Document } from "mongodb";
import type {
  WebhookAttemptRecord,
  WebhookCoalesce,
  WebhookConfigRecord,
  WebhookItem,
  WebhookStore,
} from "../port/webhooks.js";
import { num, str } from "../rules/records.js";
import { mergeWebhookData } from "../rules/webhook-data.js";
import { NO_ID } from "./collections.js";
import type { MongoContext } from "./context.js";
import { isDuplicateKey } from "./errors.js";

/** Who claimed which due moment of an item. */
export interface WebhookClaimDoc {
  key: string;
  itemId: string;
  at: number;
}

export interface WebhookCollections {
  webhookConfigs: Collection<WebhookConfigRecord>;
  webhookOutbox: Collection<WebhookItem>;
  webhookClaims: Collection<WebhookClaimDoc>;
  webhookAttempts: Collection<WebhookAttemptRecord>;
}

/** The indexes of these collections (created by `init()` with the others). */
export const WEBHOOK_INDEXES: Record<string, { key: Document; unique?: boolean }[]> = {
  webhookConfigs: [{ key: { shopId: 1 }, unique: true }],
  webhookOutbox: [{ key: { id: 1 }, unique: true }, { key: { dueAt: 1 } }, { key: { coalesceKey: 1 } }],
  // Unique: one claimer per item and due moment, across processes.
  webhookClaims: [{ key: { key: 1 }, unique: true }, { key: { itemId: 1 } }],
  webhookAttempts: [{ key: { shopId: 1, at: -1 } }],
};

/** Candidates read per item wanted: a claimer that loses the first ones to another process goes on to the next. */
const CANDIDATES = 4;

export class MongoWebhooks implements WebhookStore {
  readonly #c: MongoContext;
  readonly #col: WebhookCollections;

  constructor(context: MongoContext, col: WebhookCollections) {
    this.#c = context;
    this.#col = col;
  }

  async putWebhookConfig(c: WebhookConfigRecord): Promise<void> {
    const shopId = str(c.shopId, "shopId");
    const doc: WebhookConfigRecord = {
      shopId,
      url: str(c.url, "url"),
      secret: str(c.secret, "secret"),
      createdAt: num(c.createdAt, "createdAt"),
      updatedAt: num(c.updatedAt, "updatedAt"),
    };
    await this.#c.run(() => this.#c.upsert(this.#col.webhookConfigs, { shopId }, doc));
  }

  getWebhookConfig(shopId: string): Promise<WebhookConfigRecord | undefined> {
    const filter = { shopId: str(shopId, "shopId") };
    return this.#c.run(async () => (await this.#col.webhookConfigs.findOne(filter, NO_ID)) ?? undefined);
  }

  deleteWebhookConfig(shopId: string): Promise<boolean> {
    const filter = { shopId: str(shopId, "shopId") };
    return this.#c.run(async () => (await this.#col.webhookConfigs.deleteOne(filter)).deletedCount === 1);
  }

  async enqueueWebhook(item: WebhookItem, coalesce?: WebhookCoalesce): Promise<{ id: string; merged: boolean }> {
    const doc: WebhookItem = {
      id: str(item.id, "id"),
      shopId: str(item.shopId, "shopId"),
      type: str(item.type, "type") as WebhookItem["type"],
      createdAt: num(item.createdAt, "createdAt"),
      data: JSON.parse(JSON.stringify(item.data)) as WebhookItem["data"],
      attempts: num(item.attempts, "attempts"),
      dueAt: num(item.dueAt, "dueAt"),
      ...(item.coalesceKey === undefined ? {} : { coalesceKey: str(item.coalesceKey, "coalesceKey") }),
      ...(item.requestId === undefined ? {} : { requestId: str(item.requestId, "requestId") }),
    };
    const insert = async () => {
      try {
        await this.#col.webhookOutbox.insertOne({ ...doc });
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      return { id: doc.id, merged: false };
    };
    const key = doc.coalesceKey;
    if (!coalesce || key === undefined) return this.#c.run(insert);
    return this.#c.serial(`webhook-key:${key}`, () =>
      this.#c.run(async () => {
        const dueAfter = num(coalesce.dueAfter, "dueAfter");
        const waiting = await this.#col.webhookOutbox.findOne(
          { coalesceKey: key, attempts: 0, dueAt: { $gt: dueAfter } },
          NO_ID,
        );
        if (!waiting) return insert();
        const { modifiedCount } = await this.#col.webhookOutbox.updateOne(
          { id: waiting.id, attempts: 0, dueAt: waiting.dueAt },
          { $set: { data: mergeWebhookData(waiting.data, coalesce) } },
        );
        return modifiedCount === 1 ? { id: waiting.id, merged: true } : insert();
      }),
    );
  }

  claimWebhooks(now: number, leaseMs: number, limit: number): Promise<WebhookItem[]> {
    const at = num(now, "now");
    const until = at + num(leaseMs, "leaseMs");
    return this.#c.run(async () => {
      const due = await this.#col.webhookOutbox
        .find({ dueAt: { $lte: at } }, NO_ID)
        .sort({ dueAt: 1, id: 1 })
        .limit(Math.max(1, Math.trunc(limit)) * CANDIDATES)
        .toArray();
      const claimed: WebhookItem[] = [];
      for (const item of due) {
        if (claimed.length >= limit) break;
        try {
          await this.#col.webhookClaims.insertOne({ key: `${item.id}@${item.dueAt}`, itemId: item.id, at });
        } catch (error) {
          if (isDuplicateKey(error)) continue;
          throw error;
        }
        const attempts = item.attempts + 1;
        const { modifiedCount } = await this.#c.serial(`webhook:${item.id}`, () =>
          this.#col.webhookOutbox.updateOne({ id: item.id, dueAt: item.dueAt }, { $set: { dueAt: until, attempts } }),
        );
        if (modifiedCount === 1) claimed.push({ ...item, dueAt: until, attempts });
      }
      return claimed;
    });
  }

  settleWebhook(id: string, leaseDueAt: number, retryAt?: number): Promise<boolean> {
    const filter = { id: str(id, "id"), dueAt: num(leaseDueAt, "leaseDueAt") };
    return this.#c.serial(`webhook:${filter.id}`, () =>
      this.#c.run(async () => {
        if (retryAt !== undefined) {
          const next = num(retryAt, "retryAt");
          return (await this.#col.webhookOutbox.updateOne(filter, { $set: { dueAt: next } })).modifiedCount === 1;
        }
        const removed = (await this.#col.webhookOutbox.deleteOne(filter)).deletedCount === 1;
        if (removed) await this.#col.webhookClaims.deleteMany({ itemId: filter.id });
        return removed;
      }),
    );
  }

  logWebhookAttempt(attempt: WebhookAttemptRecord, keep: number): Promise<void> {
    const doc = JSON.parse(JSON.stringify(attempt)) as WebhookAttemptRecord;
    const shopId = str(doc.shopId, "shopId");
    return this.#c.run(async () => {
      await this.#col.webhookAttempts.insertOne(doc);
      const edge = await this.#col.webhookAttempts
        .find({ shopId }, NO_ID)
        .sort({ at: -1 })
        .skip(Math.max(1, Math.trunc(keep)))
        .limit(1)
        .next();
      if (edge) await this.#col.webhookAttempts.deleteMany({ shopId, at: { $lte: edge.at } });
    });
  }

  listWebhookAttempts(shopId: string, limit: number): Promise<WebhookAttemptRecord[]> {
    const filter = { shopId: str(shopId, "shopId") };
    return this.#c.run(() =>
      this.#col.webhookAttempts
        .find(filter, NO_ID)
        .sort({ at: -1 })
        .limit(Math.max(1, Math.trunc(limit)))
        .toArray(),
    );
  }
}
