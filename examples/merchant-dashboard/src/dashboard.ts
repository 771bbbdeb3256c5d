/**
 * The dashboard's model: one signed-in agent's SDK client (end-to-end
 * encryption on, IndexedDB storage per login), the inbox rows derived from
 * every conversation of the shop, the names of the people in them, the search
 * index over decrypted text, the team key status and new-message alerts.
 * Framework-free: the Lit elements bind to its `StateStore`s.
 */
import {
  type ConversationState,
  createClient,
  type IndexedDbStorage,
  indexedDbStorage,
  type ParleyClient,
  StateStore,
} from "@parley/sdk";
import type { WidgetConfig } from "@parley/sdk/protocol";
import { NO_FEATURES, type ShopFeatures, shopFeatures } from "@parley/widget/components";
import { Alerts } from "./alerts.js";
import { databaseName, rememberLogin, type SavedLogin } from "./auth.js";
import { t } from "./i18n.js";
import { bodyText, SearchIndex } from "./search-index.js";
import { TeamWatch } from "./team-status.js";

type Member = Awaited<ReturnType<ParleyClient["members"]>>[number];
type Info = NonNullable<ConversationState["info"]>;

/** One line of the inbox. */
export interface InboxRow {
  id: string;
  info: Info;
  unread: number;
  /** The newest message's text (decrypted here), "" when there is none. */
  preview: string;
  /** Whether the newest message could not be decrypted on this device. */
  unreadable: boolean;
  lastActivity: number;
  customer: Member | undefined;
}

export type InboxFilter = "open" | "mine" | "unassigned" | "closed";

export function matchesFilter(row: InboxRow, filter: InboxFilter, me: string): boolean {
  const open = row.info.status === "open";
  switch (filter) {
    case "open":
      return open;
    case "mine":
      return open && row.info.assignee === me;
    case "unassigned":
      return open && !row.info.assignee;
    case "closed":
      return !open;
  }
}

export interface SignIn extends SavedLogin {
  gatewayUrl: string;
  /** Omitted: resume the saved session of this login. */
  password?: string;
}

/** Conversations loaded at once at start (history page and members each). */
const LOAD_CONCURRENCY = 3;

export class Dashboard {
  readonly client: ParleyClient;
  readonly storage: IndexedDbStorage;
  readonly who: SavedLogin;
  readonly rows = new StateStore<readonly InboxRow[]>([]);
  /** Display names by principal id: the shop's team (presence) and every member seen. */
  readonly names = new StateStore<Readonly<Record<string, string>>>({});
  /** Members by conversation. */
  readonly members = new StateStore<ReadonlyMap<string, readonly Member[]>>(new Map());
  /** Bumped whenever the search index grows, so searches run again. */
  readonly indexVersion = new StateStore(0);
  readonly index = new SearchIndex();
  readonly team: TeamWatch;
  readonly alerts = new Alerts();
  /** The shop's map tiles and audio (its public widget config), `{}` until loaded or when it has none. */
  readonly features = new StateStore<ShopFeatures>(NO_FEATURES);
  readonly #followed = new Map<string, () => void>();
  readonly #rowById = new Map<string, InboxRow>();
  readonly #offs: Array<() => void> = [];
  readonly #queue: string[] = [];
  #loading = 0;
  #publishQueued = false;
  #closed = false;

  private constructor(o: SignIn, onOwnKey: () => void) {
    this.who = { shopId: o.shopId, login: o.login };
    this.storage = indexedDbStorage(databaseName(this.who));
    this.client = createClient({
      gatewayUrl: o.gatewayUrl,
      // Without a password the SDK resumes the session it saved in this login's storage (or fails `unauthorized`).
      auth: {
        kind: "agent",
        shopId: o.shopId,
        login: o.login,
        ...(o.password !== undefined ? { password: o.password } : {}),
      },
      encryption: true,
      storage: this.storage,
    });
    this.team = new TeamWatch(this.client, this.storage, onOwnKey);
  }

  /**
   * Signs in (or resumes the saved session) and loads the inbox.
   * `onOwnKey` runs when this device receives the team key after waiting for it.
   */
  static async start(o: SignIn, onOwnKey: () => void): Promise<Dashboard> {
    const dash = new Dashboard(o, onOwnKey);
    try {
      await dash.client.connect();
    } catch (err) {
      await dash.client.close().catch(() => undefined);
      throw err;
    }
    rememberLogin(dash.who);
    // Not awaited: the inbox does not wait for it, and without it the chat just shows no map or audio.
    void dash.#loadFeatures(o.gatewayUrl);
    try {
      await dash.#begin();
    } catch (err) {
      await dash.close("keep");
      throw err;
    }
    return dash;
  }

  /** Fetches the shop's public widget config (`GET /widget/config/:shopId`) for its features. */
  async #loadFeatures(gatewayUrl: string): Promise<void> {
    try {
      const url = new URL(`/widget/config/${encodeURIComponent(this.who.shopId)}`, gatewayUrl);
      const response = await fetch(url, { credentials: "omit" });
      if (!response.ok || this.#closed) return;
      this.features.set(shopFeatures((await response.json()) as WidgetConfig));
    } catch {
      // Offline or refused: no features, as for a shop without any.
    }
  }

  get me(): string {
    return this.client.principal.id;
  }

  async #begin(): Promise<void> {
    const client = this.client;
    this.#addNames({ [client.principal.id]: client.principal.displayName });
    this.#offs.push(
      client.presence.subscribe((p) =>
        this.#addNames(Object.fromEntries(p.online.map((m) => [m.principalId, m.displayName]))),
      ),
      client.on("conversation", (info) => this.#follow(info.id)),
      client.on("message", ({ conversationId, message }) => {
        this.#follow(conversationId);
        if (message.sender === this.me) return;
        const row = this.#rowById.get(conversationId);
        const name = this.names.value[message.sender] ?? row?.customer?.displayName ?? "";
        this.alerts.newMessage(t("notify.title", { name }), conversationId);
      }),
      client.on("membership", ({ convId }) => void this.refreshMembers(convId)),
    );
    await this.team.check().catch(() => undefined);
    for (const info of await client.listConversations(200)) this.#follow(info.id);
  }

  /** Follows a conversation: its state drives its inbox row; its history page and members load in the background. */
  #follow(convId: string): void {
    if (this.#followed.has(convId) || this.#closed) return;
    const off = this.client.conversation(convId).subscribe((state) => {
      if (state.messages.length > 0) {
        this.index.add(convId, state.messages);
        this.indexVersion.set((v) => v + 1);
      }
      this.#updateRow(state);
    });
    this.#followed.set(convId, off);
    this.#queue.push(convId);
    this.#pump();
  }

  #pump(): void {
    while (this.#loading < LOAD_CONCURRENCY && this.#queue.length > 0 && !this.#closed) {
      const convId = this.#queue.shift() as string;
      this.#loading++;
      Promise.all([this.client.loadConversation(convId), this.refreshMembers(convId)])
        .catch(() => undefined)
        .finally(() => {
          this.#loading--;
          this.#pump();
        });
    }
  }

  /** Loads the members of a conversation again (names, the customer's details). */
  async refreshMembers(convId: string): Promise<void> {
    const list = await this.client.members(convId);
    if (this.#closed) return;
    const next = new Map(this.members.value);
    next.set(convId, list);
    this.members.set(next);
    this.#addNames(Object.fromEntries(list.map((m) => [m.principalId, m.displayName])));
    const state = this.client.conversation(convId).value;
    this.#updateRow(state);
  }

  #addNames(more: Record<string, string>): void {
    const held = this.names.value;
    if (Object.entries(more).every(([id, name]) => held[id] === name)) return;
    this.names.set({ ...held, ...more });
  }

  #updateRow(state: ConversationState): void {
    const info = state.info;
    if (!info) return;
    // A history grant (keys for an invited member) is nobody's words: the preview shows the message before it.
    const last = state.messages.filter((m) => m.body?.type !== "history-grant").at(-1);
    // The preview is the last message with words (or one this browser cannot read): a card or a card's
    // event (a status step, a payment) has none, and "No messages yet" under a busy order would be wrong.
    const shown = state.messages.filter((m) => m.body === undefined || bodyText(m.body) !== "").at(-1);
    const members = this.members.value.get(state.id);
    this.#rowById.set(state.id, {
      id: state.id,
      info,
      unread: state.unread,
      preview: shown ? bodyText(shown.body) : "",
      unreadable: shown !== undefined && shown.body === undefined,
      lastActivity: Math.max(info.updatedAt, last?.ts ?? 0, info.createdAt),
      customer: members?.find((m) => m.principalId === info.createdBy),
    });
    if (this.#publishQueued) return;
    this.#publishQueued = true;
    queueMicrotask(() => {
      this.#publishQueued = false;
      this.rows.set([...this.#rowById.values()].sort((a, b) => b.lastActivity - a.lastActivity));
    });
  }

  /**
   * Stops this dashboard. `logout` also deletes the saved session (a reload
   * shows the sign-in form); `forget-device` wipes this login's database,
   * device keys included (the next sign-in is a new device, to be approved).
   */
  async close(how: "keep" | "logout" | "forget-device" = "keep"): Promise<void> {
    this.#closed = true;
    // Forgotten first: a reload while the connection drains must not resume.
    if (how !== "keep") rememberLogin(undefined);
    for (const off of [...this.#offs, ...this.#followed.values()]) off();
    this.#followed.clear();
    this.team.close();
    this.alerts.close();
    // `signOut` also forgets the saved session.
    await (how === "keep" ? this.client.close() : this.client.signOut()).catch(() => undefined);
    if (how === "forget-device") await this.storage.clear();
    this.index.clear();
  }
}
