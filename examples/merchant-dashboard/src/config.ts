/**
 * The dashboard's settings, written into index.html's `<meta>` tags by the
 * server (serve.ts): the gateway's URL, the shop id to prefill, and the canned
 * replies. Read once at start; nothing here is secret.
 */
export interface DashboardConfig {
  gatewayUrl: string;
  shopId: string;
  cannedReplies: string[];
}

/** Used when the page names no canned replies. */
export const DEFAULT_CANNED_REPLIES = [
  "Hi! Thanks for your message, let me look into this for you.",
  "Could you send me your order number, please?",
  "Your order is on its way; you will get a tracking link by e-mail.",
  "Is there anything else I can help you with?",
];

function meta(name: string): string | undefined {
  return document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content || undefined;
}

export function readConfig(): DashboardConfig {
  let canned: unknown;
  try {
    canned = JSON.parse(meta("parley-canned-replies") ?? "null");
  } catch {
    canned = null;
  }
  return {
    gatewayUrl: meta("parley-gateway") ?? location.origin,
    shopId: meta("parley-shop") ?? "",
    cannedReplies:
      Array.isArray(canned) && canned.every((c) => typeof c === "string") && canned.length > 0
        ? canned
        : DEFAULT_CANNED_REPLIES,
  };
}
