/**
 * What the chat's first load knows of calls (widget/src/calls/ loads on
 * demand, ADR 0026): whether calls are possible here, the header's two call
 * buttons, and `CallsHook`, which follows the client's ringing and current
 * call and loads the calls chunk the first time there is one (or a button is
 * pressed, or a call shows in the timeline). Shared by `<parley-chat>`, the
 * message and the dashboard, so the chunk is fetched once.
 */
import type { CallsApi, ParleyClient } from "@parley/sdk";
import type { CallMedia } from "@parley/sdk/protocol";
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from "lit";
import type { Translator } from "../i18n/index.js";
import { kit } from "./panel-kit.js";

type CallsModule = typeof import("../calls/index.js");
type CallView = import("../calls/index.js").ParleyCallElement;

let calls: Promise<CallsModule> | undefined;

/** The calls module, its elements defined; fetched again after a failed load. */
export function loadCalls(): Promise<CallsModule> {
  calls ??= import("../calls/index.js").then(
    (m) => {
      m.define(kit);
      return m;
    },
    (err: unknown) => {
      calls = undefined;
      throw err;
    },
  );
  return calls;
}

/** The client's calls API (undefined without a client). */
export const callsApi = (client: ParleyClient | undefined): CallsApi | undefined => client?.calls;

/** Whether calls can be made here (`client.calls.available`: WebRTC and end-to-end encryption). */
export const callsAvailable = (client: ParleyClient | undefined): boolean => !!callsApi(client)?.available;

/**
 * The host of a `CallsHook`: the element that shows `<parley-call>` in its shadow root, with the client
 * whose calls it follows. `<parley-call>` fires `parley-call-conversation` (detail `{ convId }`) when a call
 * is taken in a conversation; the host shows that conversation.
 */
export type CallsHookHost = ReactiveControllerHost &
  HTMLElement & {
    /** Where the element renders (its shadow root): the call view's focus is moved within it. */
    renderRoot: HTMLElement | DocumentFragment;
    /** The client whose calls are followed; undefined until it is made. */
    readonly client: ParleyClient | undefined;
  };

/**
 * Follows a client's ringing calls and current call (for `<parley-chat>` and the dashboard): the
 * first time either holds one, the calls chunk loads and `view()` shows `<parley-call>`.
 */
export class CallsHook implements ReactiveController {
  readonly #host: CallsHookHost;
  #client: ParleyClient | undefined;
  #offs: Array<() => void> = [];
  /** Whether the calls chunk is wanted (something rang, a call ran, or a button was pressed). */
  #wanted = false;

  /** Follows `host.client`, read before each update (a new one is followed). */
  constructor(host: CallsHookHost) {
    this.#host = host;
    host.addController(this);
  }

  hostUpdate(): void {
    const client = this.#host.client;
    if (client !== this.#client) this.#follow(client);
  }

  /** Follows `client`'s calls (undefined: none). */
  #follow(client: ParleyClient | undefined): void {
    this.hostDisconnected();
    this.#client = client;
    const api = callsApi(client);
    if (!api) return;
    const check = () => {
      if (api.incoming.value.length > 0 || api.current.value) this.#want();
      this.#host.requestUpdate(); // the header's buttons follow the current call
    };
    this.#offs.push(api.incoming.subscribe(check), api.current.subscribe(check));
  }

  hostConnected(): void {
    if (this.#client && this.#offs.length === 0) this.#follow(this.#client);
  }

  hostDisconnected(): void {
    for (const off of this.#offs) off();
    this.#offs = [];
  }

  #want(): void {
    if (this.#wanted) return;
    this.#wanted = true;
    loadCalls().then(
      () => this.#host.requestUpdate(),
      () => {
        this.#wanted = false;
      },
    );
  }

  /** `<parley-call>` once the chunk is wanted (an empty element until it is defined). */
  view(locale: string, names: Record<string, string>, screenShare: boolean): TemplateResult | typeof nothing {
    if (!this.#wanted) return nothing;
    return html`<parley-call exportparts="call" .client=${this.#client} locale=${locale} .names=${names}
      ?screen-share=${screenShare}></parley-call>`;
  }

  /** The call element, loaded and rendered. */
  async #element(): Promise<CallView | undefined> {
    this.#want();
    await loadCalls();
    this.#host.requestUpdate();
    await this.#host.updateComplete;
    return (this.#host.renderRoot.querySelector("parley-call") as CallView | null | undefined) ?? undefined;
  }

  /** Whether this device is in a call now (not ended). */
  get busy(): boolean {
    const current = callsApi(this.#client)?.current.value;
    return !!current && current.phase !== "ended";
  }

  /** The header's call buttons for the conversation on screen (none without one, or when calls are unavailable). */
  buttons(tr: Translator, convId: string | undefined): TemplateResult | typeof nothing {
    return callButtons({
      tr,
      available: !!convId && callsAvailable(this.#client),
      inCall: this.busy,
      start: (media) => void (convId && this.start(convId, media)),
    });
  }

  /** Starts a call in `convId` (the header's buttons). */
  async start(convId: string, media: CallMedia): Promise<void> {
    await (await this.#element())?.start(convId, media);
  }

  /** Answers a ringing call (the launcher's ring bubble): `video`, `audio` or `decline`. */
  async answer(callId: string, how: CallMedia | "decline"): Promise<void> {
    await (await this.#element())?.answer(callId, how);
  }
}

/** What the header's call buttons need. */
export interface CallButtons {
  /** The strings of the host's locale. */
  tr: Translator;
  /** Hidden when false (no WebRTC, encryption off, no conversation to call in). */
  available: boolean;
  /** A call of this device runs: the buttons are disabled. */
  inCall: boolean;
  /** A button was pressed: start a call with this media. */
  start(media: CallMedia): void;
  /** How the buttons look (the chat header's round icon buttons by default). */
  look?: {
    /** The buttons' class (`hb`: the chat header's icon buttons). */
    className: string;
    /** Whether the label shows as text beside the icon (the dashboard) rather than only as `aria-label`. */
    text: boolean;
  };
}

/** The header's voice and video call buttons. */
export function callButtons(b: CallButtons): TemplateResult | typeof nothing {
  if (!b.available) return nothing;
  const look = b.look ?? { className: "hb", text: false };
  const button = (media: CallMedia, label: string, d: string) =>
    html`<button type="button" class=${look.className} part="call-button" data-call=${media} aria-label=${look.text ? nothing : label} ?disabled=${b.inCall} @click=${() => b.start(media)}><svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d=${d} /></svg>${look.text ? label : nothing}</button>`;
  return html`${button("audio", b.tr.t("chat.call.audio"), "M5 4h4l2 5-3 2a11 11 0 0 0 5 5l2-3 5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2")}${button("video", b.tr.t("chat.call.video"), "M3 7h12v10H3zM15 11l6-4v10l-6-4")}`;
}
