/** The embedded store's session families (port/sessions.ts): one row per sign-in, rotated by compare-and-set. */
import type { SessionRecord, SessionRevokeReason, SessionStore } from "../port/sessions.js";
import { toSession } from "./rows.js";
import type { SqliteContext } from "./statements.js";

/** How often families past their `keepUntil` are deleted, at most (on a sign-in). */
const SWEEP_MS = 60_000;

export class SqliteSessions implements SessionStore {
  readonly #c: SqliteContext;
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(context: SqliteContext) {
    this.#c = context;
  }

  async createSession(session: SessionRecord): Promise<void> {
    const { id, principalId, createdAt, expiresAt, generation, rotatedAt, keepUntil } = session;
    // The sweep runs on the session clock (the new family's createdAt), like keepUntil itself.
    if (createdAt - this.#lastSweep >= SWEEP_MS) {
      this.#lastSweep = createdAt;
      await this.#c.write(() => this.#c.s.deleteOldSessions.run(createdAt));
    }
    await this.#c.write(() =>
      this.#c.s.insertSession.run(id, principalId, createdAt, expiresAt, generation, rotatedAt, keepUntil),
    );
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const row = this.#c.s.getSession.get(id);
    return row && toSession(row);
  }

  async rotateSession(id: string, from: number, at: number, keepUntil: number): Promise<boolean> {
    return (await this.#c.write(() => this.#c.s.rotateSession.run(at, keepUntil, id, from))).changes === 1;
  }

  async revokeSession(id: string, at: number, reason: SessionRevokeReason): Promise<boolean> {
    return (await this.#c.write(() => this.#c.s.revokeSession.run(at, reason, id))).changes === 1;
  }

  async revokeSessionsOf(principalId: string, at: number, reason: SessionRevokeReason): Promise<number> {
    return (await this.#c.write(() => this.#c.s.revokeSessionsOf.run(at, reason, principalId))).changes;
  }
}
