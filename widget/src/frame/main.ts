/**
 * The chat frame's boot. Runs on the gateway's origin inside the storefront's
 * iframe, so device keys, the NATS connection and decrypted text stay out of
 * the storefront's reach.
 *
 * 1. Reads `shop` and `origin` (the parent's origin) from its URL.
 * 2. Fetches the shop's public widget config and refuses to talk unless the
 *    parent origin is one of the shop's allowed origins (and, where the
 *    browser tells, the real ancestor).
 * 3. Says `ready` to the parent; takes `identify`, `open`, `theme`, ...
 * 4. Creates the SDK client (end-to-end encryption on, IndexedDB storage) when
 *    an identified customer arrives or the chat is first opened, and mounts
 *    `<parley-chat>` with the shop's features (map tiles, audio) from the config.
 *
 * The storefront only ever learns message metadata: who (agent, bot or
 * customer), when, and in which conversation; never text.
 */
import type { WidgetConfig } from "@parley/sdk/protocol";
import type { ParentMessage, ThemeSettings } from "../bridge/protocol.js";
import { shopFeatures } from "../components/shop-features.js";
import { FrameBridge } from "./frame-bridge.js";
import { type ChatHost, FrameSession } from "./frame-session.js";

const root = document.getElementById("parley-root") as HTMLElement;

function notice(text: string, state: string): void {
  const p = document.createElement("p");
  p.className = "notice";
  p.textContent = text;
  root.replaceChildren(p);
  root.dataset.state = state;
}

function originParam(value: string | null): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value ? value : undefined;
  } catch {
    return undefined;
  }
}

function applyTheme(theme: ThemeSettings, host: ChatHost): void {
  const style = document.documentElement.style;
  if (theme.brand) style.setProperty("--parley-brand", theme.brand);
  if (theme.radius !== undefined) style.setProperty("--parley-radius", `${theme.radius}px`);
  if (theme.font) style.setProperty("--parley-font", theme.font);
  if (theme.mode) {
    document.documentElement.dataset.mode = theme.mode;
    host.setMode(theme.mode);
  }
}

/**
 * Escape that something inside the chat answers (the attach menu, a modal dialog: sharing a location,
 * listening together, splitting the bill) closes that, not the whole chat.
 */
function escapeTaken(e: KeyboardEvent): boolean {
  return e.defaultPrevented || e.composedPath().some((n) => n instanceof HTMLDialogElement && n.open);
}

async function boot(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const shopId = params.get("shop") ?? "";
  const parentOrigin = originParam(params.get("origin"));
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(shopId) || !parentOrigin || window.parent === window) {
    return notice("This chat can only be opened from the shop's page.", "refused");
  }
  const ancestor = location.ancestorOrigins?.[0];
  if (ancestor !== undefined && ancestor !== parentOrigin)
    return notice("This page may not embed the chat.", "refused");

  const response = await fetch(`/widget/config/${encodeURIComponent(shopId)}`, { credentials: "omit" });
  if (!response.ok) return notice("This shop has no chat.", "refused");
  const config = (await response.json()) as WidgetConfig;
  if (!config.allowedOrigins.includes(parentOrigin)) return notice("This page may not embed the chat.", "refused");

  document.documentElement.dataset.mode = "auto";
  const session = new FrameSession({
    shopId,
    gatewayUrl: location.origin,
    allowGuests: config.allowGuests,
    features: shopFeatures(config),
    root,
    post: (m) => bridge.post(m),
    notice,
  });
  const bridge = new FrameBridge(parentOrigin, root, (message: ParentMessage) => {
    switch (message.type) {
      case "identify":
        return session.identify(message.token, message.keyBackupSecret);
      case "token":
        return session.token(message.token);
      case "open":
        return session.setOpen(true);
      case "close":
        return session.setOpen(false);
      case "theme":
        return applyTheme(message.theme, session);
      case "locale":
        document.documentElement.lang = message.locale;
        return session.setLocale(message.locale);
      case "answer-call":
        return session.answerCall(message.id, message.answer);
      case "shutdown":
        return void session.shutdown().finally(() => bridge.post({ type: "shutdown-done" }));
    }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !escapeTaken(e)) bridge.post({ type: "close-request" });
  });
  root.dataset.state = "ready";
  bridge.post({ type: "ready" });
}

boot().catch((err: Error) => notice(`The chat could not start (${err.message}).`, "failed"));
