import type { ConversationState, InviteInfo, ParleyClient, TeamPresence } from "@parley/sdk";
import { html, LitElement, nothing, type PropertyValues } from "lit";
import { translator } from "../i18n/index.js";
import { CallsHook } from "./calls-hook.js";
import { chatHeader } from "./chat-header.js";
import { chatPeople } from "./chat-people.js";
import { ready } from "./client-ready.js";
import { DeviceNoticeLoader } from "./device-notice-loader.js";
import { dropFiles } from "./drop-files.js";
import { isListen, listenBar, listenLoading, loadListen } from "./listen-loader.js";
import { kit, type PanelName } from "./panel-kit.js";
import { styles } from "./parley-chat.styles.js";
import type { Mentionable } from "./parley-composer.js";
import { NO_FEATURES, type ShopFeatures } from "./shop-features.js";
import { StoreController } from "./store-controller.js";
import { UnreadTally } from "./unread-tally.js";

/**
 * `<parley-chat>`: the whole chat, and the element the widget's frame mounts.
 * Give it a `ParleyClient` (connected or not: an idle client is connected
 * here). A customer sees their most recent conversation, or a new one opened
 * on the first send (or opened meanwhile in another tab or on another device:
 * the empty state switches to it live); an agent (`mode="agent"`) picks from the conversation
 * list beside the messages. The header shows the shop's name, who of the
 * team is online, and a close button; banners show connection trouble and
 * device changes from end-to-end encryption. Files dropped anywhere on the
 * messages are attached in the composer. Header buttons open panels that load
 * on demand (panels/panel-host.ts): the profile, and the pending invites (with
 * their count) with a customer's conversation switcher.
 *
 * `features` (the shop's map tiles and audio, shop-features.ts) reaches the
 * message list, every message and the composer.
 *
 * Theming: the public custom properties in theme.ts and the parts below;
 * `theme` is `light`, `dark` or `auto`; `dir` follows `locale`; below 480 px
 * wide the chat fills the viewport.
 *
 * @csspart frame - the outer box
 * @csspart header - the header bar
 * @csspart title - the shop's name
 * @csspart close-button - the close button
 * @csspart panel-button - each button that opens a panel (`data-panel` names it)
 * @csspart invite-badge - the pending invite count on the invites button
 * @csspart panel - the open panel (over the messages)
 * @csspart presence - the team presence line
 * @csspart status - the connection banner
 * @csspart conversation-list - the agent's conversation list
 * @csspart listen-bar - the listen-together player, while the viewer listens in the conversation
 * @csspart messages - the message log
 * @csspart message - each message row
 * @csspart bubble - each message bubble
 * @csspart new-messages - the "New messages" button
 * @csspart typing - the typing line
 * @csspart composer - the composer
 * @csspart input - the composer's textarea
 * @csspart send-button - the send button
 * @csspart attach-button - the attach button
 * @csspart unread-badge - unread counts in the conversation list
 * @fires parley-unread - detail `{ count }`: total unread messages, whenever it changes
 * @fires parley-close - the close button was pressed
 */
export class ParleyChat extends LitElement {
  /** @internal Lit's reactive property declarations (the properties are documented below). */
  static override properties = {
    client: { attribute: false },
    conversationId: { attribute: "conversation-id" },
    locale: { reflect: true },
    theme: { reflect: true },
    mode: { reflect: true },
    shopName: { attribute: "shop-name" },
    stallAfter: { type: Number, attribute: "stall-after" },
    features: { attribute: false },
    current: { state: true },
    loadError: { state: true },
    names: { state: true },
    mentionable: { state: true },
    guest: { state: true },
    panel: { state: true },
  };

  /** The client whose state the element shows and acts through. */
  declare client: ParleyClient | undefined;
  /** The conversation to show; a customer without one gets their most recent (or a new one on the first send). */
  declare conversationId: string | undefined;
  /** BCP 47 locale: `en` and `de` have catalogs, others fall back to English strings. @default "en" */
  declare locale: string;
  /** @default "auto" */
  declare theme: "light" | "dark" | "auto";
  /** @default "customer" */
  declare mode: "customer" | "agent";
  /** The shop or team name in the header. @default the "Chat with us" string */
  declare shopName: string | undefined;
  /** Passed to the message list: a message still sending after this many ms shows Retry. @default 10000 */
  declare stallAfter: number;
  /** The shop's map tiles and audio (shop-features.ts); `{}` when it has none. @default {} */
  declare features: ShopFeatures;
  /** @internal Rendering state. */
  declare current: string | undefined;
  /** @internal Rendering state. */
  declare loadError: boolean;
  /** @internal Rendering state. */
  declare names: Record<string, string>;
  /** @internal Rendering state. */
  declare mentionable: Mentionable[];
  /** @internal Rendering state: a guest is signed in (no handle, so no invites button unless one is pending). */
  declare guest: boolean;
  /** @internal Rendering state: the open panel (panels/panel-host.ts sets it). */
  declare panel: PanelName | undefined;

  readonly #state = new StoreController<ConversationState>(this, (s) => {
    this.#unread.recount();
    // A listening session in the conversation: its player (and card) load now (ADR 0026).
    if (!listenLoading() && s.messages.some(isListen)) loadListen().catch(() => undefined);
  });
  readonly #unread = new UnreadTally((count) =>
    this.dispatchEvent(new CustomEvent("parley-unread", { detail: { count }, bubbles: true, composed: true })),
  );
  readonly #presence = new StoreController<TeamPresence>(this, () => this.#refreshNames());
  readonly #invites = new StoreController<readonly InviteInfo[]>(this);
  readonly #deviceNotice = new DeviceNoticeLoader(this);
  readonly #calls = new CallsHook(this);
  #host: Promise<import("../panels/panel-host.js").PanelHost> | undefined;
  #offs: Array<() => void> = [];
  #members: Array<{ principalId: string; displayName: string; handle?: string }> = [];
  #opening: ReturnType<ParleyClient["openConversation"]> | undefined;
  #load = 0;

  constructor() {
    super();
    this.features = NO_FEATURES;
    this.locale = "en";
    this.theme = "auto";
    this.mode = "customer";
    this.stallAfter = 10_000;
    this.loadError = false;
    this.names = {};
    this.mentionable = [];
  }

  /** Opens a panel (`profile`, `invites`, `members`), loading it the first time; focus moves into it. */
  async openPanel(name: PanelName): Promise<void> {
    // Offline before the first panel loaded: forgotten, so the next press tries again.
    this.#host ??= import("../panels/panel-host.js")
      .then((m) => m.createHost(this, kit))
      .catch((err) => {
        this.#host = undefined;
        throw err;
      });
    await (await this.#host).show(name);
  }

  /** Closes the open panel, if any; focus goes back to the control that opened it. */
  async closePanel(): Promise<void> {
    await (await this.#host)?.hide();
  }

  /** @internal The element's shadow DOM styles (themed through CSS custom properties and parts). */
  static override styles = styles;

  override connectedCallback(): void {
    super.connectedCallback();
    // Before the first update, willUpdate attaches the client.
    if (this.hasUpdated && this.client && this.#offs.length === 0) this.#attach();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#detach();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has("locale")) {
      const tr = translator(this.locale);
      this.dir = tr.dir;
      this.lang = tr.locale;
      if (this.hasUpdated) this.#refreshNames(); // "You" in the new language
    }
    if (changed.has("client")) {
      this.#detach();
      if (this.client && this.isConnected) this.#attach();
    }
    if (changed.has("conversationId") && this.conversationId) this.current = this.conversationId;
    if (changed.has("current") || changed.has("client")) {
      this.#state.set(this.client && this.current ? this.client.conversation(this.current) : undefined);
      if (this.current) void this.#open(this.current);
    }
  }

  /** Total unread messages across the conversations this element follows. */
  get unread(): number {
    return this.#unread.total;
  }

  #attach(): void {
    const client = this.client;
    if (!client) return;
    this.#presence.set(client.presence);
    this.#invites.set(client.invites);
    this.#deviceNotice.follow(client);
    this.#offs.push(
      client.on("membership", (e) => {
        if (e.convId === this.current) void this.#loadMembers(e.convId);
      }),
      client.on("message", ({ conversationId }) => this.#adopt(conversationId)),
      client.on("conversation", (c) => this.#adopt(c.id)),
    );
    void this.#start(client);
  }

  #detach(): void {
    this.#deviceNotice.follow(undefined);
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#unread.unwatchAll();
  }

  /**
   * A conversation this principal can see appeared live (another tab or device of the customer
   * opened it, or a message arrived in it): followed for its unread count, and shown when a
   * customer is still on the empty state.
   */
  #adopt(convId: string): void {
    this.#watch(convId);
    if (this.mode === "customer" && !this.current) this.current = convId;
  }

  async #start(client: ParleyClient): Promise<void> {
    const load = ++this.#load;
    this.loadError = false;
    try {
      await ready(client);
      this.guest = client.principal.kind === "guest";
      const list = await client.listConversations();
      if (load !== this.#load) return;
      for (const c of list) {
        this.#unread.set(c.id, c.unread ?? 0);
        this.#watch(c.id);
      }
      this.#unread.recount();
      if (this.mode === "customer" && !this.current) {
        const newest = [...list].sort((a, b) => b.updatedAt - a.updatedAt)[0];
        if (newest) this.current = newest.id;
      }
    } catch {
      if (load === this.#load) this.loadError = true;
    }
  }

  async #open(convId: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.loadError = false;
    this.#watch(convId);
    try {
      await ready(client);
      await client.loadConversation(convId);
      await this.#loadMembers(convId);
    } catch {
      if (this.current === convId) this.loadError = true;
    }
  }

  async #loadMembers(convId: string): Promise<void> {
    const client = this.client;
    if (!client) return;
    try {
      this.#members = await client.members(convId);
    } catch {
      return;
    }
    this.#refreshNames();
  }

  #refreshNames(): void {
    const me = this.#me();
    const people = chatPeople(
      this.#presence.value?.online ?? [],
      this.#members,
      me,
      translator(this.locale).t("msg.you"),
    );
    this.names = people.names;
    this.mentionable = people.mentionable;
  }

  #me(): string | undefined {
    try {
      return this.client?.principal.id;
    } catch {
      return undefined; // not connected yet
    }
  }

  /** Follows a conversation's state for its unread count. */
  #watch(convId: string): void {
    if (this.client) this.#unread.watch(this.client, convId);
  }

  /** For the composer: the conversation to send to, opened now when a customer has none. */
  #resolveConversation = async (): Promise<string> => {
    if (this.current) return this.current;
    if (!this.client) throw new Error("no client");
    // A second send while the first still opens the conversation waits for the same one.
    this.#opening ??= this.client.openConversation().finally(() => {
      this.#opening = undefined;
    });
    const { id } = await this.#opening;
    this.current = id;
    return id;
  };

  /** Files dropped on the messages are attached in the composer (drop-files.ts). */
  #drop = dropFiles(() => this.renderRoot.querySelector("parley-composer"));

  /** Answers a ringing call (the launcher's ring bubble): `video`, `audio` or `decline`; loads the calls view. */
  answerCall(callId: string, how: "video" | "audio" | "decline"): Promise<void> {
    return this.#calls.answer(callId, how);
  }

  #main() {
    const tr = translator(this.locale);
    if (this.loadError) {
      return html`<div class="state" role="alert">
        <p>${tr.t("chat.error.load")}</p>
        <button type="button" @click=${() => (this.current ? this.#open(this.current) : this.client && this.#start(this.client))}>
          ${tr.t("chat.error.retry")}
        </button>
      </div>`;
    }
    if (this.mode === "agent" && !this.current) return html`<p class="state">${tr.t("chat.pick")}</p>`;
    const typing = (this.#state.value?.typing ?? [])
      .filter((id) => id !== this.#me())
      .map((id) => this.names[id] ?? tr.t("msg.someone"));
    return html`${listenBar(this, this.current)}
      <parley-message-list
        exportparts="messages, message, bubble, new-messages, retry-button, empty"
        .client=${this.client}
        .conversationId=${this.current}
        .locale=${this.locale}
        .names=${this.names}
        .stallAfter=${this.stallAfter}
        .features=${this.features}
      ></parley-message-list>
      <parley-typing-indicator exportparts="typing" .names=${typing} .locale=${this.locale}></parley-typing-indicator>
      <parley-composer
        exportparts="composer, input, send-button, attach-button, attachments"
        .client=${this.client}
        .conversationId=${this.current}
        .locale=${this.locale}
        .mentionable=${this.mentionable}
        .resolveConversation=${this.mode === "customer" ? this.#resolveConversation : undefined}
        .features=${this.features}
      ></parley-composer>`;
  }

  protected override render() {
    const tr = translator(this.locale);
    const open = this.panel;
    const invites = this.#invites.value?.length ?? 0;
    return html`<div class="frame" part="frame">
      ${chatHeader({
        tr,
        client: this.client,
        locale: this.locale,
        title: this.shopName || tr.t("chat.title"),
        guest: this.guest,
        open,
        invites,
        members: !!this.current,
        calls: this.#calls.buttons(tr, this.current),
        openPanel: (name) => void (open === name ? this.closePanel() : this.openPanel(name)),
        close: () => this.dispatchEvent(new CustomEvent("parley-close", { bubbles: true, composed: true })),
      })}
      <parley-connection-status exportparts="status" .client=${this.client} .locale=${this.locale}></parley-connection-status>
      ${this.#deviceNotice.ready ? html`<parley-device-notice .client=${this.client} .names=${this.names} .locale=${this.locale}></parley-device-notice>` : nothing}
      <div class="body">
        ${
          this.mode === "agent"
            ? html`<parley-conversation-list
                exportparts="conversation-list, conversation, unread-badge"
                .client=${this.client}
                .selected=${this.current}
                .locale=${this.locale}
                @parley-select=${(e: CustomEvent<{ conversationId: string }>) => {
                  this.current = e.detail.conversationId;
                }}
              ></parley-conversation-list>`
            : nothing
        }
        <div class="main" ?inert=${!!open} @dragover=${this.#drop.over} @drop=${this.#drop.drop} @parley-call-conversation=${(e: CustomEvent<{ convId: string }>) => (this.current = e.detail.convId)}>${this.#calls.view(this.locale, this.names, this.mode === "agent")}${this.#main()}</div>
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "parley-chat": ParleyChat;
  }
}
