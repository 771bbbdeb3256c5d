/**
 * Blocks: a principal (the blocker) no longer hears of another's invites.
 * The gateway keeps the blocked principal's later invites (so their inviter
 * sees them pending as usual) but never shows them to the blocker.
 */

/** One principal blocking another, since `blockedAt`. */
export interface BlockRecord {
  /** Who blocked. */
  blocker: string;
  /** Who is blocked. */
  blocked: string;
  /** When, ms since the epoch. */
  blockedAt: number;
}

/** The blocks principals made, one per (blocker, blocked). */
export interface BlockStore {
  /** Blocks `blocked` for `blocker`; blocking again moves `blockedAt` to the new time. */
  putBlock(block: BlockRecord): Promise<void>;
  /** Resolves true when a block was lifted (false when there was none). */
  removeBlock(blocker: string, blocked: string): Promise<boolean>;
  /** Whether `blocker` blocked `blocked`. */
  isBlocked(blocker: string, blocked: string): Promise<boolean>;
  /** The blocker's blocks, newest first, at most `limit`. */
  listBlocks(blocker: string, limit: number): Promise<BlockRecord[]>;
}
