/**
 * The MongoDB store's session families (port/sessions.ts). A rotation reads
 * the family and moves its generation with a filtered update; operations on
 * one family are serialized in this process (FerretDB v1 updates are not
 * atomic), MongoDB makes the filtered update atomic across processes.
 */
import type { SessionRecord, SessionRevokeReason, SessionStore } from "../port/sessions.js";
import { num, str } from "../rules/records.js";
import { NO_ID } from "./collections.js";
import type { MongoContext } from "./context.js";

/** How often families past their `keepUntil` are deleted, at most (on a sign-in). */
const SWEEP_MS = 60_000;

const LIVE = { revokedAt: { $exists: false } } as const;

export class MongoSessions implements SessionStore {
  readonly #c: MongoContext;
  #lastSweep = Number.NEGATIVE_INFINITY;

  constructor(context: MongoContext) {
    this.#c = context;
  }

  async createSession(session: SessionRecord): Promise<void> {
    const doc: SessionRecord = {
      id: str(session.id, "session id"),
      principalId: str(session.principalId, "principalId"),
      createdAt: num(session.createdAt, "createdAt"),
      expiresAt: num(session.expiresAt, "expiresAt"),
      generation: num(session.generation, "generation"),
      rotatedAt: num(session.rotatedAt, "rotatedAt"),
      keepUntil: num(session.keepUntil, "keepUntil"),
    };
    return this.#c.run(async () => {
      // The sweep runs on the session clock (the new family's createdAt), like keepUntil itself.
      if (doc.createdAt - this.#lastSweep >= SWEEP_MS) {
        this.#lastSweep = doc.createdAt;
        await this.#c.col.sessions.deleteMany({ keepUntil: { $lt: doc.createdAt } });
      }
      await this.#c.col.sessions.insertOne({ ...doc });
    });
  }

  async getSession(id: string): Promise<SessionRecord | undefined> {
    const filter = { id: str(id, "session id") };
    return this.#c.run(async () => (await this.#c.col.sessions.findOne(filter, NO_ID)) ?? undefined);
  }

  async rotateSession(id: string, from: number, at: number, keepUntil: number): Promise<boolean> {
    const key = str(id, "session id");
    const generation = num(from, "generation");
    return this.#c.serial(`session:${key}`, () =>
      this.#c.run(async () => {
        const current = await this.#c.col.sessions.findOne({ id: key, generation, ...LIVE }, NO_ID);
        if (!current) return false;
        const { modifiedCount } = await this.#c.col.sessions.updateOne(
          { id: key, generation, ...LIVE },
          {
            $set: {
              generation: generation + 1,
              rotatedAt: num(at, "at"),
              keepUntil: Math.max(current.keepUntil, num(keepUntil, "keepUntil")),
            },
          },
        );
        return modifiedCount === 1;
      }),
    );
  }

  async revokeSession(id: string, at: number, reason: SessionRevokeReason): Promise<boolean> {
    const key = str(id, "session id");
    const set = { $set: { revokedAt: num(at, "at"), revokedReason: str(reason, "reason") as SessionRevokeReason } };
    return this.#c.serial(`session:${key}`, () =>
      this.#c.run(async () => (await this.#c.col.sessions.updateOne({ id: key, ...LIVE }, set)).modifiedCount === 1),
    );
  }

  async revokeSessionsOf(principalId: string, at: number, reason: SessionRevokeReason): Promise<number> {
    const filter = { principalId: str(principalId, "principalId"), ...LIVE };
    const live = await this.#c.run(() =>
      this.#c.col.sessions.find(filter, { projection: { _id: 0, id: 1 } }).toArray(),
    );
    // One by one, each behind that family's queue: a rotation in flight cannot write over the revocation.
    let revoked = 0;
    for (const { id } of live) if (await this.revokeSession(id, at, reason)) revoked++;
    return revoked;
  }
}
