/**
 * A stand-in `<parley-chat>` used only until the Lit components land: the
 * same properties (`client`, `locale`, `theme`, `mode`) and the same
 * `parley-close` event, a message list and a composer, in plain DOM with
 * text-only bindings (`textContent`, never markup).
 */
import type { ChatMessage, ConversationState, ParleyClient, PendingMessage } from "@parley/sdk";

const WORDS = {
  en: { title: "Chat", close: "Close chat", label: "Message", send: "Send", empty: "Ask us anything." },
  de: { title: "Chat", close: "Chat schließen", label: "Nachricht", send: "Senden", empty: "Fragen Sie uns." },
};

const text = (m: ChatMessage | PendingMessage) => (m.body?.type === "text" ? m.body.text : "…");

export class PlaceholderChat extends HTMLElement {
  #client: ParleyClient | undefined;
  #convId: string | undefined;
  #unsubscribe: (() => void) | undefined;
  #locale = "en";
  theme: "light" | "dark" | "auto" = "auto";
  mode: "customer" | "agent" = "customer";
  readonly #list = document.createElement("ol");
  readonly #input = document.createElement("textarea");
  readonly #send = document.createElement("button");
  readonly #close = document.createElement("button");
  readonly #title = document.createElement("h1");
  readonly #label = document.createElement("label");

  connectedCallback(): void {
    if (this.childElementCount > 0) return;
    const header = document.createElement("header");
    this.#close.type = "button";
    this.#close.textContent = "×";
    this.#close.addEventListener("click", () => this.dispatchEvent(new CustomEvent("parley-close", { bubbles: true })));
    header.append(this.#title, this.#close);
    const form = document.createElement("form");
    this.#input.id = "parley-composer";
    this.#input.rows = 2;
    this.#label.htmlFor = "parley-composer";
    this.#send.type = "submit";
    form.append(this.#label, this.#input, this.#send);
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.#submit();
    });
    this.#input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && !e.shiftKey) {
        e.preventDefault();
        void this.#submit();
      }
    });
    this.#list.setAttribute("aria-label", "Messages");
    this.append(header, this.#list, form);
    this.#words();
  }

  get locale(): string {
    return this.#locale;
  }
  set locale(value: string) {
    this.#locale = value;
    this.#words();
  }

  get client(): ParleyClient | undefined {
    return this.#client;
  }
  set client(client: ParleyClient | undefined) {
    this.#client = client;
    this.#unsubscribe?.();
    if (client) void this.#load(client);
  }

  disconnectedCallback(): void {
    this.#unsubscribe?.();
  }

  #words(): void {
    const w = this.#locale.startsWith("de") ? WORDS.de : WORDS.en;
    this.#title.textContent = w.title;
    this.#close.setAttribute("aria-label", w.close);
    this.#label.textContent = w.label;
    this.#send.textContent = w.send;
  }

  async #load(client: ParleyClient): Promise<void> {
    const list = await client.listConversations();
    const conv = list.find((c) => c.status === "open") ?? list[0];
    if (conv) await this.#follow(client, conv.id);
  }

  async #follow(client: ParleyClient, convId: string): Promise<void> {
    this.#convId = convId;
    this.#unsubscribe?.();
    this.#unsubscribe = client.conversation(convId).subscribe((state) => this.#render(state));
    await client.loadConversation(convId);
  }

  async #submit(): Promise<void> {
    const client = this.#client;
    const value = this.#input.value.trim();
    if (!client || !value) return;
    this.#input.value = "";
    if (!this.#convId) await this.#follow(client, (await client.openConversation()).id);
    if (this.#convId) await client.send(this.#convId, value).catch(() => undefined);
  }

  #render(state: ConversationState): void {
    const me = this.#client?.principal.id;
    const items = [...state.messages, ...state.pending].map((m) => {
      const li = document.createElement("li");
      li.textContent = text(m);
      li.className = "seq" in m && m.sender !== me ? "theirs" : "mine";
      return li;
    });
    this.#list.replaceChildren(...items);
  }
}

export function definePlaceholderChat(): void {
  if (!customElements.get("parley-chat")) customElements.define("parley-chat", PlaceholderChat);
}
