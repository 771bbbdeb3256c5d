/**
 * Dividing an amount of minor units into integer shares that add up exactly.
 */

/**
 * Divides `total` (a safe integer >= 0) into one integer share per weight, proportional to the
 * weights (safe integers >= 0, at least one of them > 0), adding up to `total` exactly.
 *
 * The rule, with `W` the sum of the weights: share `i` is first `floor(total * w[i] / W)`, computed
 * exactly in integers (BigInt where `total * w[i]` would pass 2^53). The units left over (fewer
 * than the number of weights) then go one each to the shares with the largest remainder
 * `total * w[i] mod W`; equal remainders go in index order (the card's `people` order). So every
 * share is within one unit of its exact proportion, and an equal split (all weights 1) gives the
 * extra units to the first people listed.
 *
 * @throws RangeError when `total` or a weight is not a safe integer >= 0, or every weight is 0.
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError("total must be a safe integer >= 0");
  let sum = 0;
  for (const w of weights) {
    if (!Number.isSafeInteger(w) || w < 0) throw new RangeError("weights must be safe integers >= 0");
    sum += w;
  }
  if (!Number.isSafeInteger(sum) || sum === 0) throw new RangeError("the weights must add up to a safe integer > 0");
  const shares: number[] = [];
  const remainders: number[] = [];
  let given = 0;
  for (const w of weights) {
    const product = total * w;
    let share: number;
    let remainder: number;
    if (Number.isSafeInteger(product)) {
      remainder = product % sum;
      share = (product - remainder) / sum;
    } else {
      const big = BigInt(total) * BigInt(w);
      const bigSum = BigInt(sum);
      share = Number(big / bigSum);
      remainder = Number(big % bigSum);
    }
    shares.push(share);
    remainders.push(remainder);
    given += share;
  }
  const order = weights.map((_, i) => i);
  order.sort((a, b) => (remainders[b] ?? 0) - (remainders[a] ?? 0) || a - b);
  for (let k = 0; k < total - given; k++) {
    const i = order[k] as number;
    shares[i] = (shares[i] ?? 0) + 1;
  }
  return shares;
}
