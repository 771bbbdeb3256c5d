/**
 * The launcher's controller: the `Parley(...)` command API, the intent rule
 * (no frame, no socket, no crypto until the visitor hovers, focuses or clicks;
 * with `data-preload="returning"`, a visitor who opened the chat before on
 * this shop's pages gets the frame once the page is idle, so calls ring and
 * messages arrive without a hover), and the parent side of the postMessage
 * bridge.
 *
 * The bridge posts only to the gateway's origin and accepts only messages
 * from that origin AND from the frame's own window, each checked by the
 * hand-written validator; everything else is dropped.
 */
import {
  BRIDGE_VERSION,
  type FrameMessage,
  fromPeer,
  isKeyBackupSecret,
  isLocale,
  isToken,
  type MessageAuthor,
  type ParentMessage,
  parseFrameMessage,
  parseTheme,
  type ThemeSettings,
} from "../bridge/protocol.js";
import { ParleyLauncherElement } from "./launcher-element.js";

/** What `Parley('on', name, fn)` handlers receive. No message text ever reaches the storefront. */
export interface LauncherEvents {
  ready: undefined;
  open: undefined;
  close: undefined;
  unread: { count: number };
  /** Invites waiting for the customer's answer. */
  invites: { count: number };
  message: { conversationId: string; from: MessageAuthor; ts: number };
}

type Handler = (payload: unknown) => void;
type Identity = ({ token: string } | { getToken: () => Promise<string> }) & { keyBackupSecret?: string };

export interface LauncherConfig {
  shopId: string;
  /** The gateway's origin: where parley.js came from and the frame lives. */
  gatewayOrigin: string;
  /**
   * `returning` (the script tag's `data-preload`): load the frame when the page is idle for a visitor
   * who opened the chat before (remembered in this origin's localStorage until `shutdown`).
   */
  preload?: "returning";
}

const TAG = "parley-launcher";
const warn = (text: string) => console.warn(`Parley: ${text}`);

export class Launcher {
  readonly #c: LauncherConfig;
  readonly #el: ParleyLauncherElement;
  readonly #handlers = new Map<string, Set<Handler>>();
  readonly #unreadKey: string;
  readonly #invitesKey: string;
  readonly #returningKey: string;
  #frame: HTMLIFrameElement | undefined;
  #ready = false;
  #open = false;
  #identity: Identity | undefined;
  #theme: ThemeSettings = {};
  #locale: string | undefined;
  #unread = 0;
  #invites = 0;
  #shutdownPending = false;
  /** Resolvers of `Parley('shutdown')` promises, settled when the frame says its storage is wiped. */
  #shutdownWaiters: Array<() => void> = [];

  constructor(config: LauncherConfig) {
    this.#c = config;
    this.#unreadKey = `parley:unread:${config.shopId}`;
    this.#invitesKey = `parley:invites:${config.shopId}`;
    this.#returningKey = `parley:returning:${config.shopId}`;
    if (!customElements.get(TAG)) customElements.define(TAG, ParleyLauncherElement);
    this.#el = document.createElement(TAG) as ParleyLauncherElement;
    this.#el.handlers = {
      intent: () => this.#intent(),
      toggle: () => this.#setOpen(!this.#open),
      answer: (id, answer) => {
        // Taken: the chat opens on the call; declined: the bubble goes once the frame says so.
        if (answer !== "decline") this.#setOpen(true);
        this.#post({ v: BRIDGE_VERSION, type: "answer-call", id, answer });
      },
    };
    this.#unread = readCount(this.#unreadKey);
    this.#invites = readCount(this.#invitesKey);
    this.#el.setUnread(this.#unread, this.#invites);
    window.addEventListener("message", (event) => this.#onMessage(event));
    document.body.append(this.#el);
    if (config.preload === "returning" && readCount(this.#returningKey) > 0) whenIdle(() => this.#intent());
  }

  /** Runs one `Parley(...)` command; unknown commands and bad arguments are reported on the console and ignored. */
  command(name: unknown, arg?: unknown, fn?: unknown): unknown {
    switch (name) {
      case "identify":
        return this.#identify(arg);
      case "open":
        return this.#setOpen(true);
      case "close":
        return this.#setOpen(false);
      case "on":
        return this.#on(arg, fn);
      case "theme": {
        const theme = parseTheme(arg);
        if (!theme) return warn("theme: unknown field or bad value");
        this.#theme = { ...this.#theme, ...theme };
        this.#el.setTheme(theme);
        return this.#post({ v: BRIDGE_VERSION, type: "theme", theme });
      }
      case "locale":
        if (!isLocale(arg)) return warn("locale: expected a language tag such as 'de'");
        this.#locale = arg;
        this.#el.setLocale(arg);
        return this.#post({ v: BRIDGE_VERSION, type: "locale", locale: arg });
      case "shutdown":
        return this.#shutdown();
      default:
        return warn(`unknown command ${String(name)}`);
    }
  }

  #identify(arg: unknown): void {
    const o = arg as { token?: unknown; getToken?: unknown; keyBackupSecret?: unknown } | null;
    let secret = o?.keyBackupSecret;
    if (secret !== undefined && !isKeyBackupSecret(secret)) {
      // Signed in all the same, without history from the customer's other devices.
      warn("identify: keyBackupSecret must be what keyBackupSecret() in @parley/sdk/server returned; ignored");
      secret = undefined;
    }
    const withSecret = secret ? { keyBackupSecret: secret as string } : {};
    if (o && typeof o.getToken === "function") {
      this.#identity = { getToken: o.getToken as () => Promise<string>, ...withSecret };
      if (this.#ready) void this.#sendToken("identify");
    } else if (o && isToken(o.token)) {
      this.#identity = { token: o.token, ...withSecret };
      this.#post({ v: BRIDGE_VERSION, type: "identify", token: o.token, ...withSecret });
    } else {
      warn("identify: expected {token} (a customer token signed by the shop's backend) or {getToken}");
    }
  }

  #on(name: unknown, fn: unknown): (() => void) | undefined {
    if (typeof name !== "string" || typeof fn !== "function") return void warn("on: expected a name and a function");
    const set = this.#handlers.get(name) ?? new Set<Handler>();
    this.#handlers.set(name, set);
    set.add(fn as Handler);
    if (name === "ready" && this.#ready) this.#emit("ready", undefined);
    if (name === "unread") (fn as Handler)({ count: this.#unread });
    if (name === "invites") (fn as Handler)({ count: this.#invites });
    return () => set.delete(fn as Handler);
  }

  #emit<K extends keyof LauncherEvents>(name: K, payload: LauncherEvents[K]): void {
    for (const fn of this.#handlers.get(name) ?? []) {
      try {
        fn(payload);
      } catch (err) {
        // A storefront handler's error must not break the launcher; still let it surface.
        setTimeout(() => {
          throw err;
        });
      }
    }
  }

  /** Hover, focus, click or an `open` command: load the frame (once). */
  #intent(): void {
    if (this.#frame) return;
    const url = new URL("/widget/frame/", this.#c.gatewayOrigin);
    url.search = `shop=${encodeURIComponent(this.#c.shopId)}&origin=${encodeURIComponent(location.origin)}`;
    const frame = document.createElement("iframe");
    frame.src = url.href;
    // Each feature defaults to the frame's own origin ('src'): the chat may ask for the visitor's
    // position (sharing a location), camera and microphone (calls; screen sharing is offered to agents
    // only, so a customer's chat never asks for display-capture), never the storefront's other frames.
    frame.allow = "clipboard-write; geolocation; camera; microphone; display-capture";
    frame.referrerPolicy = "no-referrer";
    this.#frame = frame;
    this.#el.mountFrame(frame);
  }

  #setOpen(open: boolean): void {
    if (open) {
      this.#intent();
      remember(this.#returningKey, 1);
    }
    if (open === this.#open) return;
    this.#open = open;
    this.#el.setOpen(open);
    this.#post({ v: BRIDGE_VERSION, type: open ? "open" : "close" });
    this.#emit(open ? "open" : "close", undefined);
    if (!open) this.#el.focusButton();
  }

  /** Logout. Resolves once the frame wiped its session (or after 5 s): await it before navigating away. */
  #shutdown(): Promise<void> {
    this.#identity = undefined;
    remember(this.#returningKey, 0);
    this.#setUnread(0);
    this.#setInvites(0);
    this.#el.setRinging(null);
    this.#setOpen(false);
    const done = new Promise<void>((resolve) => {
      this.#shutdownWaiters.push(resolve);
      setTimeout(resolve, 5000);
    });
    if (this.#ready) this.#post({ v: BRIDGE_VERSION, type: "shutdown" });
    else {
      // The session lives in the frame's storage: load the frame (hidden) to wipe it.
      this.#shutdownPending = true;
      this.#intent();
    }
    return done;
  }

  #setUnread(count: number): void {
    if (count !== this.#unread) {
      this.#unread = count;
      this.#el.setUnread(count, this.#invites);
      this.#emit("unread", { count });
    }
    remember(this.#unreadKey, count);
  }

  /** Pending invites: on the badge with the unread count, and remembered the same way. */
  #setInvites(count: number): void {
    if (count !== this.#invites) {
      this.#invites = count;
      this.#el.setUnread(this.#unread, count);
      this.#emit("invites", { count });
    }
    remember(this.#invitesKey, count);
  }

  async #sendToken(type: "identify" | "token"): Promise<void> {
    const identity = this.#identity;
    if (!identity) return;
    try {
      const token = "token" in identity ? identity.token : await identity.getToken();
      const secret =
        type === "identify" && identity.keyBackupSecret ? { keyBackupSecret: identity.keyBackupSecret } : {};
      if (isToken(token)) this.#post({ v: BRIDGE_VERSION, type, token, ...secret } as ParentMessage);
      else warn("getToken did not return a token");
    } catch (err) {
      warn(`getToken failed: ${(err as Error).message}`);
    }
  }

  /** Posts to the frame at the gateway's exact origin, once the frame said it is ready. */
  #post(message: ParentMessage): void {
    const target = this.#frame?.contentWindow;
    if (this.#ready && target) target.postMessage(message, this.#c.gatewayOrigin);
  }

  #onMessage(event: MessageEvent): void {
    if (!this.#frame || !fromPeer(event, this.#c.gatewayOrigin, this.#frame.contentWindow)) return;
    const message = parseFrameMessage(event.data);
    if (message) this.#handle(message);
  }

  #handle(message: FrameMessage): void {
    switch (message.type) {
      case "ready":
        this.#ready = true;
        if (this.#shutdownPending) {
          this.#shutdownPending = false;
          this.#post({ v: BRIDGE_VERSION, type: "shutdown" });
        }
        if (this.#identity) void this.#sendToken("identify");
        if (Object.keys(this.#theme).length > 0) this.#post({ v: BRIDGE_VERSION, type: "theme", theme: this.#theme });
        if (this.#locale) this.#post({ v: BRIDGE_VERSION, type: "locale", locale: this.#locale });
        if (this.#open) this.#post({ v: BRIDGE_VERSION, type: "open" });
        this.#emit("ready", undefined);
        return;
      case "unread":
        this.#setUnread(message.count);
        return;
      case "invites":
        this.#setInvites(message.count);
        return;
      case "call":
        this.#el.setRinging(message.call);
        return;
      case "message":
        this.#emit("message", { conversationId: message.conversationId, from: message.from, ts: message.ts });
        return;
      case "close-request":
        this.#setOpen(false);
        return;
      case "resize":
        this.#el.setFull(message.mode === "full");
        return;
      case "token-request":
        void this.#sendToken("token");
        return;
      case "shutdown-done":
        for (const resolve of this.#shutdownWaiters.splice(0)) resolve();
        return;
      case "error":
        warn(`the chat reported ${message.code}`);
        return;
    }
  }
}

/** Runs `fn` once the page has loaded and the browser is idle (at most 3 s after the load). */
function whenIdle(fn: () => void): void {
  const idle = () =>
    typeof requestIdleCallback === "function" ? requestIdleCallback(fn, { timeout: 3000 }) : setTimeout(fn, 1000);
  if (document.readyState === "complete") idle();
  else window.addEventListener("load", idle, { once: true });
}

/** Keeps a count (a badge, or 1 for "has opened the chat") for the next page load (removed at 0). */
function remember(key: string, count: number): void {
  try {
    if (count > 0) localStorage.setItem(key, String(count));
    else localStorage.removeItem(key);
  } catch {
    // storage blocked: the badge simply starts at 0 next time
  }
}

function readCount(key: string): number {
  try {
    const n = Number(localStorage.getItem(key));
    return Number.isInteger(n) && n > 0 && n < 1e6 ? n : 0;
  } catch {
    return 0;
  }
}
