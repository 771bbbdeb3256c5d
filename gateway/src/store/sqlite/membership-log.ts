/** The embedded store's membership log: one row per change, numbered in append order. */
import type { MembershipLogStore, MembershipRecord } from "../port/membership-log.js";
import { clampLimit } from "../rules/limits.js";
import type { SqliteContext } from "./statements.js";

export class SqliteMembershipLog implements MembershipLogStore {
  readonly #c: SqliteContext;

  constructor(context: SqliteContext) {
    this.#c = context;
  }

  async appendMembershipEvent(event: MembershipRecord): Promise<void> {
    const { convId, principalId, change, by, ts } = event;
    await this.#c.write(() => this.#c.s.appendMembership.run(convId, principalId, change, by, ts));
  }

  async listMembershipEvents(convId: string, limit: number): Promise<MembershipRecord[]> {
    return this.#c.s.listMembership
      .all(convId, clampLimit(limit))
      .map((r) => ({ convId: r.conv_id, principalId: r.principal_id, change: r.change, by: r.by_principal, ts: r.ts }));
  }

  async pastOrPresentMembers(convIds: readonly string[], principalIds: readonly string[]): Promise<string[]> {
    if (convIds.length === 0 || principalIds.length === 0) return [];
    return this.#c.s.pastOrPresentMembers.all({ convs: JSON.stringify(convIds), people: JSON.stringify(principalIds) });
  }
}
