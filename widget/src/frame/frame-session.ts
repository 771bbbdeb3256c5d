/**
 * The frame's chat session: the SDK client (end-to-end encryption on, keys
 * and session in IndexedDB), the `<parley-chat>` element, and what the
 * storefront may be told about it: the unread count and message metadata.
 */
import { type ChatMessage, createClient, indexedDbStorage, type ParleyClient } from "@parley/sdk";
import type { CallAnswer, FrameMessage, MessageAuthor } from "../bridge/protocol.js";
import type { ShopFeatures } from "../components/shop-features.js";
import { loadCatalog } from "../i18n/index.js";
import { followRinging } from "./call-ring.js";
import { defineChat } from "./chat-element.js";
import { TokenSource } from "./token-source.js";

type Outgoing = FrameMessage extends infer M ? (M extends { v: 1 } ? Omit<M, "v"> : never) : never;

export interface FrameSessionOptions {
  shopId: string;
  gatewayUrl: string;
  allowGuests: boolean;
  /** The shop's map tiles and audio, from its widget config. */
  features: ShopFeatures;
  root: HTMLElement;
  post: (message: Outgoing) => void;
  notice: (text: string, state: string) => void;
}

/** What the theme and locale commands reach. */
export interface ChatHost {
  setMode(mode: "light" | "dark" | "auto"): void;
}

/** The `<parley-chat>` properties the frame sets. */
interface ChatElement extends HTMLElement {
  client: ParleyClient | undefined;
  locale: string;
  theme: "light" | "dark" | "auto";
  mode: "customer" | "agent";
  features: ShopFeatures;
  answerCall(callId: string, how: CallAnswer): Promise<void>;
}

export class FrameSession implements ChatHost {
  readonly #o: FrameSessionOptions;
  readonly #tokens: TokenSource;
  readonly #storage;
  #client: ParleyClient | undefined;
  #starting: Promise<void> | undefined;
  #chat: ChatElement | undefined;
  /** Stops telling the launcher about ringing calls (of the client that stops). */
  #offRinging: () => void = () => undefined;
  #open = false;
  #unread = 0;
  /** The locale the chat shows (its catalog is here) and the one last asked for. */
  #locale = "en";
  #wantedLocale = "en";
  #mode: "light" | "dark" | "auto" = "auto";
  /** Never leaves the frame except sealed: the SDK derives the backup key from it (ADR 0016). */
  #keyBackupSecret: string | undefined;
  /** Principal id -> who it is to the storefront. */
  readonly #authors = new Map<string, MessageAuthor>();

  constructor(options: FrameSessionOptions) {
    this.#o = options;
    this.#storage = indexedDbStorage(`parley:${options.shopId}`);
    this.#tokens = new TokenSource(() => options.post({ type: "token-request" }));
  }

  /** A customer token, and the customer's key backup secret when the shop's backend hands one out. */
  identify(token: string, keyBackupSecret?: string): void {
    const wasGuest = this.#client && !this.#tokens.identified;
    this.#keyBackupSecret = keyBackupSecret;
    this.#tokens.put(token);
    if (wasGuest) void this.#restart();
    else void this.#start();
  }

  token(token: string): void {
    this.#tokens.put(token);
  }

  setOpen(open: boolean): void {
    this.#open = open;
    if (open) {
      this.#setUnread(0);
      void this.#start();
    }
  }

  /** Switches the chat's language once its catalog is here (German is fetched on first use). */
  async setLocale(locale: string): Promise<void> {
    this.#wantedLocale = locale;
    try {
      await loadCatalog(locale);
    } catch {
      // Offline before the catalog was ever fetched: keep the current strings, switch once the network is back.
      addEventListener("online", () => void (this.#wantedLocale === locale && this.setLocale(locale)), { once: true });
      return;
    }
    if (this.#wantedLocale !== locale) return; // another locale was asked for meanwhile
    this.#locale = locale;
    if (this.#chat) this.#chat.locale = locale;
  }

  /** The launcher's ring bubble was answered: the chat takes or declines the call (the launcher opened it for Accept). */
  answerCall(callId: string, how: CallAnswer): void {
    void this.#chat?.answerCall(callId, how).catch(() => undefined);
  }

  setMode(mode: "light" | "dark" | "auto"): void {
    this.#mode = mode;
    if (this.#chat) this.#chat.theme = mode;
  }

  /** Logout: ends the session at the gateway, closes the client and wipes what the frame stored (keys, session, outbox). */
  async shutdown(): Promise<void> {
    this.#tokens.forget();
    this.#keyBackupSecret = undefined;
    await this.#stop(true);
    await this.#storage.clear();
    this.#setUnread(0);
    this.#o.root.replaceChildren();
    this.#o.root.dataset.state = "ready";
  }

  /** Connects once: for an identified customer at once, for a guest only when the chat is opened. */
  #start(): Promise<void> {
    if (this.#starting) return this.#starting;
    if (!this.#tokens.identified && !this.#open) return Promise.resolve();
    if (!this.#tokens.identified && !this.#o.allowGuests) {
      this.#o.notice("Please log in to the shop to chat with us.", "login-required");
      return Promise.resolve();
    }
    this.#starting = this.#connect().catch((err: Error) => {
      this.#starting = undefined;
      this.#client = undefined;
      this.#o.notice(`The chat could not connect (${err.message}).`, "failed");
      this.#o.post({ type: "error", code: "connect_failed" });
    });
    return this.#starting;
  }

  async #connect(): Promise<void> {
    const { shopId } = this.#o;
    const client = createClient({
      gatewayUrl: this.#o.gatewayUrl,
      auth: this.#tokens.identified
        ? {
            kind: "customer",
            shopId,
            getToken: this.#tokens.get,
            getKeyBackupSecret: async () => this.#keyBackupSecret,
          }
        : { kind: "guest", shopId },
      storage: this.#storage,
      encryption: true,
    });
    this.#client = client;
    client.on("message", ({ conversationId, message }) => this.#onMessage(client, conversationId, message));
    this.#o.root.dataset.state = "connecting";
    await client.connect();
    // The launcher's badge counts pending invites too: posted once connect loaded the inbox (even
    // none, correcting a count remembered from an earlier visit), then on every change.
    client.invites.subscribe((invites) => this.#o.post({ type: "invites", count: invites.length }));
    // And a call ringing here shows on the launcher while the chat is closed.
    this.#offRinging = followRinging(client, (m) => this.#o.post(m));
    const conversations = await client.listConversations();
    if (!this.#open) this.#setUnread(conversations.reduce((n, c) => n + c.unread, 0));
    defineChat();
    const chat = document.createElement("parley-chat") as ChatElement;
    chat.mode = "customer";
    chat.locale = this.#locale;
    chat.theme = this.#mode;
    chat.features = this.#o.features;
    chat.client = client;
    chat.addEventListener("parley-close", () => this.#o.post({ type: "close-request" }));
    this.#chat = chat;
    this.#o.root.replaceChildren(chat);
    this.#o.root.dataset.state = "connected";
  }

  /** Closes the client; `signOut` also ends its session at the gateway (logout). */
  async #stop(signOut = false): Promise<void> {
    this.#offRinging();
    this.#o.post({ type: "call", call: null });
    const client = this.#client;
    this.#client = undefined;
    this.#starting = undefined;
    this.#chat = undefined;
    this.#authors.clear();
    await (signOut ? client?.signOut() : client?.close())?.catch(() => undefined);
  }

  async #restart(): Promise<void> {
    await this.#starting;
    await this.#stop();
    await this.#start();
  }

  #onMessage(client: ParleyClient, conversationId: string, message: ChatMessage): void {
    const mine = message.sender === client.principal.id;
    void this.#author(client, conversationId, message.sender).then((from) => {
      this.#o.post({ type: "message", conversationId, from, ts: message.ts });
    });
    if (!mine && !(this.#open && document.visibilityState === "visible")) this.#setUnread(this.#unread + 1);
  }

  /** Whether a sender is the shop's agent, its bot, or a customer (from the conversation's member roles). */
  async #author(client: ParleyClient, convId: string, sender: string): Promise<MessageAuthor> {
    if (sender === client.principal.id) return "customer";
    let from = this.#authors.get(sender);
    if (!from) {
      const members = await client.members(convId).catch(() => []);
      for (const m of members) {
        this.#authors.set(m.principalId, m.role === "agent" || m.role === "bot" ? m.role : "customer");
      }
      // Not a member (yet): fall back on the principal id's kind prefix.
      from =
        this.#authors.get(sender) ?? (sender.startsWith("b_") ? "bot" : sender.startsWith("a_") ? "agent" : "customer");
    }
    return from;
  }

  /** Always posted, even when unchanged: the launcher may show a count remembered from an earlier visit. */
  #setUnread(count: number): void {
    this.#unread = count;
    this.#o.post({ type: "unread", count });
  }
}
