/**
 * The embedded store's webhooks (port/webhooks.ts): configs, the outbox and
 * the delivery log. A claim is one transaction that moves each due item's
 * `due_at` to the lease's end, so two processes on one file never claim the
 * same item; a settle is a compare-and-set on `due_at`.
 */
import type Database from "better-sqlite3";
import type {
  WebhookAttemptRecord,
  WebhookCoalesce,
  WebhookConfigRecord,
  WebhookData,
  WebhookItem,
  WebhookStore,
} from "../port/webhooks.js";
import { mergeWebhookData } from "../rules/webhook-data.js";
import type { SqliteContext } from "./statements.js";

/** The tables (created by `migrate`). */
export const WEBHOOK_SCHEMA = `
CREATE TABLE IF NOT EXISTS webhook_configs (
  shop_id TEXT PRIMARY KEY, url TEXT NOT NULL, secret TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS webhook_outbox (
  id TEXT PRIMARY KEY, shop_id TEXT NOT NULL, type TEXT NOT NULL, created_at INTEGER NOT NULL, data TEXT NOT NULL,
  attempts INTEGER NOT NULL, due_at INTEGER NOT NULL, coalesce_key TEXT, request_id TEXT
);
CREATE INDEX IF NOT EXISTS webhook_outbox_by_due ON webhook_outbox (due_at);
CREATE INDEX IF NOT EXISTS webhook_outbox_by_key ON webhook_outbox (coalesce_key);
CREATE TABLE IF NOT EXISTS webhook_attempts (
  n INTEGER PRIMARY KEY AUTOINCREMENT, shop_id TEXT NOT NULL, attempt TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_attempts_by_shop ON webhook_attempts (shop_id, n);
`;

interface ConfigRow {
  shop_id: string;
  url: string;
  secret: string;
  created_at: number;
  updated_at: number;
}

interface ItemRow {
  id: string;
  shop_id: string;
  type: string;
  created_at: number;
  data: string;
  attempts: number;
  due_at: number;
  coalesce_key: string | null;
  request_id: string | null;
}

const toItem = (r: ItemRow): WebhookItem => ({
  id: r.id,
  shopId: r.shop_id,
  type: r.type as WebhookItem["type"],
  createdAt: r.created_at,
  data: JSON.parse(r.data) as WebhookData,
  attempts: r.attempts,
  dueAt: r.due_at,
  ...(r.coalesce_key === null ? {} : { coalesceKey: r.coalesce_key }),
  ...(r.request_id === null ? {} : { requestId: r.request_id }),
});

export class SqliteWebhooks implements WebhookStore {
  readonly #c: SqliteContext;
  #s: ReturnType<typeof prepareWebhooks> | undefined;

  constructor(context: SqliteContext) {
    this.#c = context;
  }

  get #stmts(): ReturnType<typeof prepareWebhooks> {
    this.#s ??= prepareWebhooks(this.#c.db);
    return this.#s;
  }

  async putWebhookConfig(c: WebhookConfigRecord): Promise<void> {
    const s = this.#stmts;
    await this.#c.write(() => s.putConfig.run(c.shopId, c.url, c.secret, c.createdAt, c.updatedAt));
  }

  async getWebhookConfig(shopId: string): Promise<WebhookConfigRecord | undefined> {
    const r = this.#stmts.getConfig.get(shopId);
    return r && { shopId: r.shop_id, url: r.url, secret: r.secret, createdAt: r.created_at, updatedAt: r.updated_at };
  }

  async deleteWebhookConfig(shopId: string): Promise<boolean> {
    const s = this.#stmts;
    return (await this.#c.write(() => s.deleteConfig.run(shopId))).changes === 1;
  }

  async enqueueWebhook(item: WebhookItem, coalesce?: WebhookCoalesce): Promise<{ id: string; merged: boolean }> {
    const s = this.#stmts;
    const run = this.#c.db.transaction(() => {
      if (coalesce && item.coalesceKey !== undefined) {
        const waiting = s.waiting.get(item.coalesceKey, coalesce.dueAfter);
        if (waiting) {
          s.setData.run(
            JSON.stringify(mergeWebhookData(JSON.parse(waiting.data) as WebhookData, coalesce)),
            waiting.id,
          );
          return { id: waiting.id, merged: true };
        }
      }
      s.insertItem.run(
        item.id,
        item.shopId,
        item.type,
        item.createdAt,
        JSON.stringify(item.data),
        item.attempts,
        item.dueAt,
        item.coalesceKey ?? null,
        item.requestId ?? null,
      );
      return { id: item.id, merged: false };
    });
    return this.#c.write(() => run.immediate());
  }

  async claimWebhooks(now: number, leaseMs: number, limit: number): Promise<WebhookItem[]> {
    const s = this.#stmts;
    const run = this.#c.db.transaction(() => {
      const due = s.due.all(now, limit);
      const until = now + leaseMs;
      for (const r of due) s.lease.run(until, r.id);
      return due.map((r) => toItem({ ...r, due_at: until, attempts: r.attempts + 1 }));
    });
    return this.#c.write(() => run.immediate());
  }

  async settleWebhook(id: string, leaseDueAt: number, retryAt?: number): Promise<boolean> {
    const s = this.#stmts;
    const result = await this.#c.write(() =>
      retryAt === undefined ? s.remove.run(id, leaseDueAt) : s.reschedule.run(retryAt, id, leaseDueAt),
    );
    return result.changes === 1;
  }

  async logWebhookAttempt(attempt: WebhookAttemptRecord, keep: number): Promise<void> {
    const s = this.#stmts;
    const { shopId, ...info } = attempt;
    const run = this.#c.db.transaction(() => {
      s.insertAttempt.run(shopId, JSON.stringify(info));
      s.trimAttempts.run(shopId, shopId, keep);
    });
    await this.#c.write(() => run.immediate());
  }

  async listWebhookAttempts(shopId: string, limit: number): Promise<WebhookAttemptRecord[]> {
    return this.#stmts.listAttempts
      .all(shopId, limit)
      .map((json) => ({ shopId, ...(JSON.parse(json) as Omit<WebhookAttemptRecord, "shopId">) }));
  }
}

function prepareWebhooks(db: Database.Database) {
  return {
    putConfig: db.prepare<[string, string, string, number, number]>(
      `INSERT INTO webhook_configs (shop_id, url, secret, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (shop_id) DO UPDATE SET url = excluded.url, secret = excluded.secret, updated_at = excluded.updated_at`,
    ),
    getConfig: db.prepare<[string], ConfigRow>("SELECT * FROM webhook_configs WHERE shop_id = ?"),
    deleteConfig: db.prepare<[string]>("DELETE FROM webhook_configs WHERE shop_id = ?"),
    waiting: db.prepare<[string, number], ItemRow>(
      "SELECT * FROM webhook_outbox WHERE coalesce_key = ? AND attempts = 0 AND due_at > ? LIMIT 1",
    ),
    setData: db.prepare<[string, string]>("UPDATE webhook_outbox SET data = ? WHERE id = ?"),
    insertItem: db.prepare<[string, string, string, number, string, number, number, string | null, string | null]>(
      `INSERT INTO webhook_outbox (id, shop_id, type, created_at, data, attempts, due_at, coalesce_key, request_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    ),
    due: db.prepare<[number, number], ItemRow>(
      "SELECT * FROM webhook_outbox WHERE due_at <= ? ORDER BY due_at, id LIMIT ?",
    ),
    lease: db.prepare<[number, string]>("UPDATE webhook_outbox SET due_at = ?, attempts = attempts + 1 WHERE id = ?"),
    remove: db.prepare<[string, number]>("DELETE FROM webhook_outbox WHERE id = ? AND due_at = ?"),
    reschedule: db.prepare<[number, string, number]>(
      "UPDATE webhook_outbox SET due_at = ? WHERE id = ? AND due_at = ?",
    ),
    insertAttempt: db.prepare<[string, string]>("INSERT INTO webhook_attempts (shop_id, attempt) VALUES (?, ?)"),
    trimAttempts: db.prepare<[string, string, number]>(
      `DELETE FROM webhook_attempts WHERE shop_id = ? AND n NOT IN
       (SELECT n FROM webhook_attempts WHERE shop_id = ? ORDER BY n DESC LIMIT ?)`,
    ),
    listAttempts: db
      .prepare<[string, number], string>(
        "SELECT attempt FROM webhook_attempts WHERE shop_id = ? ORDER BY n DESC LIMIT ?",
      )
      .pluck(),
  };
}
