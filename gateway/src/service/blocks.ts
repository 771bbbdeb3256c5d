/**
 * A principal's blocks: `invite.block` (invites.ts) blocks an inviter while
 * declining their invite; here the blocker lists its blocks and lifts one.
 * While a block stands, the blocked principal's invites to the blocker are
 * kept but never shown to it (invites.ts).
 */
import type { BlockedInfo, RpcResults } from "@parley/sdk/protocol";
import type { BlockStore, PrincipalRecord, PrincipalStore } from "../store/port.js";
import { fitBudget } from "./paging.js";

/** The most blocks `block.list` answers. */
const MAX_LISTED = 500;

export interface BlocksOptions {
  store: BlockStore & PrincipalStore;
}

export class Blocks {
  readonly #o: BlocksOptions;

  constructor(options: BlocksOptions) {
    this.#o = options;
  }

  /**
   * The caller's blocks, newest first, with each blocked principal's name and handle now: at most
   * MAX_LISTED, and only as many as fit the reply budget (paging.ts).
   */
  async list(actor: PrincipalRecord): Promise<RpcResults["block.list"]> {
    const read = await this.#o.store.listBlocks(actor.id, MAX_LISTED + 1);
    const blocks = read.slice(0, MAX_LISTED);
    const people = new Map(
      (await this.#o.store.getPrincipals(blocks.map((b) => b.blocked))).map((p) => [p.id, p] as const),
    );
    const blocked = blocks.map((b): BlockedInfo => {
      const p = people.get(b.blocked);
      return {
        principalId: b.blocked,
        displayName: p?.displayName ?? "",
        blockedAt: b.blockedAt,
        ...(p?.handle ? { handle: p.handle } : {}),
      };
    });
    // 500 names and handles of the largest size would come close to NATS's max_payload: keep to the budget.
    const page = fitBudget(blocked);
    return { blocked: page.items, hasMore: page.hasMore || read.length > MAX_LISTED };
  }

  /** Lifts the caller's block of `principalId` (also fine when there was none). */
  async remove(actor: PrincipalRecord, principalId: string): Promise<RpcResults["block.remove"]> {
    await this.#o.store.removeBlock(actor.id, principalId);
    return { ok: true };
  }
}
