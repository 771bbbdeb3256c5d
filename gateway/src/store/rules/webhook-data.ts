/** How both adapters merge a coalescing webhook event into the one still waiting (port/webhooks.ts). */
import type { WebhookCoalesce, WebhookData } from "../port/webhooks.js";

/** The data with `add`'s numbers added and `max`'s taken where larger. */
export function mergeWebhookData(data: WebhookData, merge: Pick<WebhookCoalesce, "add" | "max">): WebhookData {
  const out = { ...data };
  const n = (k: string) => (typeof out[k] === "number" ? (out[k] as number) : undefined);
  for (const [k, v] of Object.entries(merge.add)) out[k] = (n(k) ?? 0) + v;
  for (const [k, v] of Object.entries(merge.max)) out[k] = Math.max(n(k) ?? v, v);
  return out;
}
