/**
 * The scratch app of the packed-packages test: a plain Vite app that mounts
 * `<parley-chat>` from `@parley/widget/components` with an SDK client, both
 * installed from their `npm pack` tarballs. The gateway and shop come from
 * the query string (`?gateway=…&shop=…`).
 */
import { createClient, type ParleyClient } from "@parley/sdk";
import { defineParleyElements, type ParleyChat } from "@parley/widget/components";

const params = new URLSearchParams(location.search);
const gatewayUrl = params.get("gateway") ?? "http://127.0.0.1:8080";
const shopId = params.get("shop") ?? "demo_shop";

defineParleyElements();
const client: ParleyClient = createClient({
  gatewayUrl,
  auth: { kind: "guest", shopId, displayName: "Vite shopper" },
  encryption: true,
});
const chat: ParleyChat = document.createElement("parley-chat");
chat.client = client;
chat.locale = params.get("locale") ?? "en";
chat.shopName = "Scratch shop";
chat.addEventListener("parley-unread", (e) => {
  document.title = e.detail.count > 0 ? `(${e.detail.count}) Scratch shop` : "Scratch shop";
});
document.querySelector("main")?.append(chat);
