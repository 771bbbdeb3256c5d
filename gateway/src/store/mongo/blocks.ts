/** The MongoDB store's blocks: one document per (blocker, blocked), unique by index. */
import type { BlockRecord, BlockStore } from "../port/blocks.js";
import { clampLimit } from "../rules/limits.js";
import { num, str } from "../rules/records.js";
import { NO_ID } from "./collections.js";
import type { MongoContext } from "./context.js";

export class MongoBlocks implements BlockStore {
  readonly #c: MongoContext;

  constructor(context: MongoContext) {
    this.#c = context;
  }

  async putBlock(block: BlockRecord): Promise<void> {
    const key = { blocker: str(block.blocker, "blocker"), blocked: str(block.blocked, "blocked") };
    const doc: BlockRecord = { ...key, blockedAt: num(block.blockedAt, "blockedAt") };
    return this.#c.run(() => this.#c.upsert(this.#c.col.blocks, key, doc));
  }

  async removeBlock(blocker: string, blocked: string): Promise<boolean> {
    const filter = { blocker: str(blocker, "blocker"), blocked: str(blocked, "blocked") };
    return this.#c.run(async () => (await this.#c.col.blocks.deleteOne(filter)).deletedCount === 1);
  }

  async isBlocked(blocker: string, blocked: string): Promise<boolean> {
    const filter = { blocker: str(blocker, "blocker"), blocked: str(blocked, "blocked") };
    return this.#c.run(async () => (await this.#c.col.blocks.findOne(filter, NO_ID)) !== null);
  }

  async listBlocks(blocker: string, limit: number): Promise<BlockRecord[]> {
    const n = clampLimit(limit);
    if (n === 0) return [];
    const filter = { blocker: str(blocker, "blocker") };
    return this.#c.run(() =>
      this.#c.col.blocks.find(filter, NO_ID).sort({ blockedAt: -1, blocked: -1 }).limit(n).toArray(),
    );
  }
}
