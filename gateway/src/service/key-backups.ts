/**
 * Key backup (ADR 0016): a customer's devices keep each epoch key they hold
 * here, sealed under a key derived from a secret that only the customer's
 * devices and the shop's backend know, so a new device of the same customer
 * can read the history its principal was a member of. The gateway sees and
 * stores ciphertext only; it checks who may store what, and bounds it:
 *
 * - customers only (guests have no secret from a shop's backend; the team
 *   reads through the team key);
 * - only conversations the caller is a member of (`not_found` otherwise, as
 *   for every conversation op), only committed epochs whose commit lists the
 *   caller, at most one entry per (principal, conversation, epoch): what a
 *   principal may store is bounded by the commits it was in;
 * - a per-principal rate limit on both operations.
 */
import type { KeyBackupEntry, RpcResults, rpcRequestSchemas } from "@parley/sdk/protocol";
import type { z } from "zod";
import { GatewayError } from "../errors.js";
import type {
  ConversationRecord,
  ConversationStore,
  EpochStore,
  KeyBackupStore,
  MemberStore,
  PrincipalRecord,
} from "../store/port.js";
import { headFor } from "./epoch-head.js";
import { readPage } from "./paging.js";
import { RateLimit } from "./rate-limits.js";

type Body<Op extends keyof typeof rpcRequestSchemas> = z.output<(typeof rpcRequestSchemas)[Op]>;

export interface KeyBackupsOptions {
  store: KeyBackupStore & EpochStore & ConversationStore & MemberStore;
  /** Calls of each op per principal per minute. @default 120 */
  ratePerMinute?: number;
}

const DEFAULT_PAGE = 100;

export class KeyBackups {
  readonly #store: KeyBackupStore & EpochStore & ConversationStore & MemberStore;
  readonly #putLimit: RateLimit;
  readonly #listLimit: RateLimit;

  constructor(options: KeyBackupsOptions) {
    this.#store = options.store;
    const points = options.ratePerMinute ?? 120;
    this.#putLimit = new RateLimit({ points, durationSeconds: 60, name: "key_backup" });
    this.#listLimit = new RateLimit({ points, durationSeconds: 60, name: "key_backup" });
  }

  async put(actor: PrincipalRecord, body: Body<"keys.backup.put">): Promise<RpcResults["keys.backup.put"]> {
    requireCustomer(actor);
    await this.#putLimit.take(actor.id);
    const byConv = new Map<string, KeyBackupEntry[]>();
    const seen = new Set<string>();
    for (const entry of body.entries) {
      const key = `${entry.convId}\u0000${entry.epoch}`;
      if (seen.has(key))
        throw new GatewayError("bad_request", `epoch ${entry.epoch} of ${entry.convId} is listed twice`);
      seen.add(key);
      const list = byConv.get(entry.convId) ?? [];
      list.push(entry);
      byConv.set(entry.convId, list);
    }
    // Every entry is checked before any is stored: a refused put stores nothing.
    for (const [convId, entries] of byConv) {
      const epochs = entries.map((e) => e.epoch);
      const high = Math.max(...epochs);
      const conv = await headFor(this.#store, await this.#memberConversation(actor, convId), high);
      if (high > conv.epoch) {
        throw new GatewayError(
          "bad_request",
          `epoch ${high} of ${convId} is not committed (the head is ${conv.epoch})`,
        );
      }
      // Only the named epochs' commits are read (at most MAX_KEY_BACKUP_PUT), never the range between
      // them: entries for epochs 1 and 100,000 must not make the gateway read every commit in between.
      for (const epoch of epochs) {
        const [commit] = await this.#store.listCommits(convId, epoch - 1, 1);
        const listed = commit?.epoch === epoch && commit.members.some((m) => m.principalId === actor.id);
        if (!listed) throw new GatewayError("forbidden", `epoch ${epoch} of ${convId} does not list you as a member`);
      }
    }
    await this.#store.putKeyBackups(actor.id, body.entries);
    return { stored: body.entries.length };
  }

  async list(actor: PrincipalRecord, body: Body<"keys.backup.list">): Promise<RpcResults["keys.backup.list"]> {
    requireCustomer(actor);
    await this.#listLimit.take(actor.id);
    await this.#memberConversation(actor, body.convId);
    const limit = body.limit ?? DEFAULT_PAGE;
    const page = await readPage({
      limit,
      start: body.after ?? 0,
      read: (after, rows) => this.#store.listKeyBackups(actor.id, body.convId, after, rows),
      cursorOf: (e) => e.epoch,
    });
    return { entries: page.items, hasMore: page.hasMore };
  }

  async #memberConversation(actor: PrincipalRecord, convId: string): Promise<ConversationRecord> {
    const conv = await this.#store.getConversation(convId);
    if (!conv || conv.shopId !== actor.shopId || !(await this.#store.getMember(convId, actor.id))) {
      throw new GatewayError("not_found", "no such conversation");
    }
    return conv;
  }
}

function requireCustomer(actor: PrincipalRecord): void {
  if (actor.kind !== "customer") {
    throw new GatewayError(
      "forbidden",
      "key backup is for signed-in customers (the shop's team reads through the team key)",
    );
  }
}
