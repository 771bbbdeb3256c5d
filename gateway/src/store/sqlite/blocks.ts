/** The embedded store's blocks: one row per (blocker, blocked). */
import type { BlockRecord, BlockStore } from "../port/blocks.js";
import { clampLimit } from "../rules/limits.js";
import type { SqliteContext } from "./statements.js";

export class SqliteBlocks implements BlockStore {
  readonly #c: SqliteContext;

  constructor(context: SqliteContext) {
    this.#c = context;
  }

  async putBlock(block: BlockRecord): Promise<void> {
    const { blocker, blocked, blockedAt } = block;
    await this.#c.write(() => this.#c.s.putBlock.run(blocker, blocked, blockedAt));
  }

  async removeBlock(blocker: string, blocked: string): Promise<boolean> {
    return (await this.#c.write(() => this.#c.s.removeBlock.run(blocker, blocked))).changes === 1;
  }

  async isBlocked(blocker: string, blocked: string): Promise<boolean> {
    return this.#c.s.isBlocked.get(blocker, blocked) === 1;
  }

  async listBlocks(blocker: string, limit: number): Promise<BlockRecord[]> {
    return this.#c.s.listBlocks
      .all(blocker, clampLimit(limit))
      .map((r) => ({ blocker: r.blocker, blocked: r.blocked, blockedAt: r.blocked_at }));
  }
}
