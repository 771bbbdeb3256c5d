/**
 * The MongoDB store's membership log: one document per change. Equal times
 * keep their append order through `_id` (an ObjectId grows with every insert
 * of one client).
 */
import type { MembershipLogStore, MembershipRecord } from "../port/membership-log.js";
import { clampLimit } from "../rules/limits.js";
import { num, str } from "../rules/records.js";
import { NO_ID } from "./collections.js";
import type { MongoContext } from "./context.js";

const CHANGES = new Set<string>(["joined", "left", "removed"]);

export class MongoMembershipLog implements MembershipLogStore {
  readonly #c: MongoContext;

  constructor(context: MongoContext) {
    this.#c = context;
  }

  async appendMembershipEvent(event: MembershipRecord): Promise<void> {
    if (!CHANGES.has(event.change)) throw new TypeError("change: not a membership change");
    const doc: MembershipRecord = {
      convId: str(event.convId, "convId"),
      principalId: str(event.principalId, "principalId"),
      change: event.change,
      by: str(event.by, "by"),
      ts: num(event.ts, "ts"),
    };
    await this.#c.run(() => this.#c.col.membershipLog.insertOne(doc));
  }

  async listMembershipEvents(convId: string, limit: number): Promise<MembershipRecord[]> {
    const n = clampLimit(limit);
    if (n === 0) return [];
    const filter = { convId: str(convId, "convId") };
    const newest = await this.#c.run(() =>
      this.#c.col.membershipLog.find(filter, NO_ID).sort({ ts: -1, _id: -1 }).limit(n).toArray(),
    );
    return newest.reverse();
  }

  async pastOrPresentMembers(convIds: readonly string[], principalIds: readonly string[]): Promise<string[]> {
    if (convIds.length === 0 || principalIds.length === 0) return [];
    const filter = {
      convId: { $in: convIds.map((c) => str(c, "convId")) },
      principalId: { $in: principalIds.map((p) => str(p, "principalId")) },
    };
    const projection = { projection: { _id: 0, principalId: 1 } } as const;
    const [present, past] = await this.#c.run(() =>
      Promise.all([
        this.#c.col.members.find(filter, projection).toArray(),
        this.#c.col.membershipLog.find(filter, projection).toArray(),
      ]),
    );
    return [...new Set([...present, ...past].map((d) => d.principalId))];
  }
}
