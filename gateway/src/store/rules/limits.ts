/** Page sizes, read the same way by both adapters. */

/**
 * A positive whole limit, or 0 for "nothing": a fraction rounds down, and
 * NaN, infinities, zero and negatives read as 0 (SQLite would read a negative
 * LIMIT as "no limit", MongoDB a 0 one).
 */
export const clampLimit = (limit: number): number => (Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : 0);
