/**
 * `<parley-call>`: this device's calls, over the messages. It follows
 * `client.calls.incoming` and `client.calls.current` and shows one of three
 * faces (views.ts): the ringing dialog for the newest incoming call (Escape
 * silences it, and its line in the timeline still offers Join), the call while
 * it runs, and its end with the reason until Dismiss.
 *
 * Focus (focus.ts): a ring takes focus to Accept unless the viewer is typing
 * in a text field; a call started or answered here puts focus on Mute (the
 * header's button that started it is disabled during the call); when the call
 * ends or its view goes with focus inside, focus goes back to where it was
 * before (the call button, or what had it before the ring), else the composer.
 * Remote video plays with sound; where the browser refuses sound without a
 * gesture, it plays muted until the next tap anywhere on the view.
 *
 * @fires parley-call-conversation - detail `{ convId }`: a call was taken in that conversation (show it)
 */
import type { ParleyClient } from "@parley/sdk";
import type { PropertyValues, TemplateResult } from "lit";
import type { PanelKit } from "../components/panel-kit.js";
import { deepActive } from "../deep-active.js";
import { type DeviceKind, deviceMenu, inUse, listDevices } from "./device-menu.js";
import { isTyping, joining, restoreFocus } from "./focus.js";
import { type ActiveCall, type CallMedia, callsOf, failure, type IncomingCall } from "./sdk.js";
import { type CallsKey, callsStrings } from "./strings.js";
import { callStyles } from "./styles.js";
import { endedView, inCallView, incomingView } from "./views.js";

/** How a call is answered: with the camera, voice only, or not at all. */
export type CallAnswer = CallMedia | "decline";

/** The `<parley-call>` element's public side. */
export interface ParleyCallElement extends HTMLElement {
  /** The client whose calls it shows. */
  client: ParleyClient | undefined;
  /** BCP 47 locale. */
  locale: string;
  /** Display names by principal id. */
  names: Record<string, string>;
  /** Offer screen sharing in the call (agents). */
  screenShare: boolean;
  /** Starts a call in `convId`; a refusal is said in the view. */
  start(convId: string, media: CallMedia): Promise<void>;
  /** Answers a ringing call (the launcher's ring bubble, a history line). */
  answer(callId: string, how: CallAnswer): Promise<void>;
}

/** The `<parley-call>` class built from `kit`. */
export function callElementClass(kit: PanelKit): CustomElementConstructor {
  const { html, nothing, LitElement, StoreController } = kit;
  return class ParleyCall extends LitElement implements ParleyCallElement {
    /** @internal Lit's reactive property declarations. */
    static override properties = {
      client: { attribute: false },
      locale: {},
      names: { attribute: false },
      screenShare: { type: Boolean, attribute: "screen-share" },
      busy: { state: true },
      error: { state: true },
      silenced: { state: true },
      devices: { state: true },
      now: { state: true },
    };
    /** @internal */
    static override styles = callStyles(kit);

    declare client: ParleyClient | undefined;
    declare locale: string;
    declare names: Record<string, string>;
    declare screenShare: boolean;
    /** @internal */
    declare busy: boolean;
    /** @internal */
    declare error: CallsKey | undefined;
    /** @internal Calls the viewer silenced (Escape). */
    declare silenced: ReadonlySet<string>;
    /** @internal The device menu's devices while it is open. */
    declare devices: MediaDeviceInfo[] | undefined;
    /** @internal Local ms, ticking each second while a call runs. */
    declare now: number;
    readonly #incoming = new StoreController<readonly IncomingCall[]>(this);
    readonly #current = new StoreController<ActiveCall | undefined>(this);
    #face: string | undefined;
    /** Whether focus was inside before this update (a face's buttons go away with it). */
    #hadFocus = false;
    /** A start or answer of this viewer is under way: the call's view takes focus when it shows. */
    #ownAction = false;
    /** Where focus goes back to when the call's view goes (set when a call is started, or a ring takes focus). */
    #returnTo: HTMLElement | undefined;
    #tick: ReturnType<typeof setInterval> | undefined;

    constructor() {
      super();
      this.locale = "en";
      this.names = {};
      this.screenShare = false;
      this.busy = false;
      this.silenced = new Set();
      this.now = Date.now();
    }

    override disconnectedCallback(): void {
      super.disconnectedCallback();
      clearInterval(this.#tick);
      this.#tick = undefined;
    }

    protected override willUpdate(changed: PropertyValues<this>): void {
      this.#hadFocus = this.matches(":focus-within");
      if (changed.has("client")) {
        const calls = callsOf(this.client);
        this.#incoming.set(calls?.incoming);
        this.#current.set(calls?.current);
      }
    }

    async start(convId: string, media: CallMedia): Promise<void> {
      this.#ownAction = true;
      const from = deepActive(document);
      if (from && !this.contains(from) && !this.renderRoot.contains(from)) this.#returnTo = from;
      await this.#act(() => callsOf(this.client)?.start(convId, media));
      if (this.error) this.#ownAction = false;
    }

    async answer(callId: string, how: CallAnswer): Promise<void> {
      const calls = callsOf(this.client);
      if (!calls) return;
      if (how === "decline") return this.#act(() => calls.decline(callId));
      const ringing = this.#incoming.value?.find((c) => c.id === callId);
      if (ringing) this.#show(ringing.convId);
      this.#ownAction = true;
      await this.#act(() => calls.accept(callId, { camera: how === "video" }));
      if (this.error) this.#ownAction = false;
    }

    #show(convId: string): void {
      this.dispatchEvent(
        new CustomEvent("parley-call-conversation", { detail: { convId }, bubbles: true, composed: true }),
      );
    }

    async #act(run: () => Promise<unknown> | undefined): Promise<void> {
      if (this.busy) return;
      this.busy = true;
      this.error = undefined;
      try {
        await run();
      } catch (err) {
        this.error = failure(err);
      } finally {
        this.busy = false;
      }
    }

    async #toggleMenu(call: ActiveCall): Promise<void> {
      if (this.devices) return this.#closeMenu();
      try {
        this.devices = await listDevices(call.media === "video");
      } catch {
        this.devices = [];
      }
      await this.updateComplete;
      const items = [...this.renderRoot.querySelectorAll<HTMLElement>("[role=menuitemradio]")];
      (items.find((i) => i.getAttribute("aria-checked") === "true") ?? items[0])?.focus();
    }

    #closeMenu(): void {
      this.devices = undefined;
      void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>("[data-action=devices]")?.focus());
    }

    #pick(kind: DeviceKind, deviceId: string): void {
      this.#closeMenu();
      void this.#act(() => callsOf(this.client)?.switchDevice(kind, deviceId));
    }

    #name = (principal: string): string => this.names[principal] ?? callsStrings(this.locale).t("someone");

    /** The face shown now: the call (running or ended), else the newest ringing call not silenced. */
    #pickFace(): { kind: "call"; call: ActiveCall } | { kind: "incoming"; call: IncomingCall } | undefined {
      const current = this.#current.value;
      if (current) return { kind: "call", call: current };
      const ringing = (this.#incoming.value ?? []).find((c) => !this.silenced.has(c.id));
      return ringing ? { kind: "incoming", call: ringing } : undefined;
    }

    protected override render(): TemplateResult | typeof nothing {
      const s = callsStrings(this.locale);
      const face = this.#pickFace();
      const calls = callsOf(this.client);
      if (!face || !calls) return this.error ? html`<p class="error" role="alert">${s.t(this.error)}</p>` : nothing;
      if (face.kind === "incoming") {
        const call = face.call;
        return incomingView(kit, s, {
          call,
          callerName: this.#name(call.caller),
          others: call.participants.filter((p) => p !== call.caller).map(this.#name),
          busy: this.busy,
          error: this.error,
          accept: (media) => void this.answer(call.id, media),
          decline: () => void this.answer(call.id, "decline"),
          silence: () => {
            this.silenced = new Set([...this.silenced, call.id]);
          },
        });
      }
      const call = face.call;
      if (call.phase === "ended") {
        return endedView(kit, s, call, () => {
          this.error = undefined;
          calls.dismiss();
        });
      }
      return inCallView(kit, s, {
        call,
        nameOf: this.#name,
        now: this.now,
        canShare: this.screenShare && typeof navigator.mediaDevices?.getDisplayMedia === "function",
        menu: this.devices
          ? deviceMenu(kit, s, {
              devices: this.devices,
              chosen: { audioinput: inUse(call.local, "audioinput"), videoinput: inUse(call.local, "videoinput") },
              pick: (kind, id) => this.#pick(kind, id),
              close: () => this.#closeMenu(),
            })
          : undefined,
        error: this.error,
        toggleMute: () => calls.setMuted(!call.muted),
        toggleCamera: () => void this.#act(() => calls.setCamera(!call.camera)),
        toggleShare: () => void this.#act(() => calls.shareScreen(!call.screen)),
        toggleMenu: () => void this.#toggleMenu(call),
        hangUp: () => void this.#act(() => calls.hangUp()),
      });
    }

    protected override updated(): void {
      const section = this.renderRoot.querySelector<HTMLElement>("section[data-view]");
      const face = section?.dataset.view;
      const running = face === "in-call";
      if (running && !this.#tick) this.#tick = setInterval(() => (this.now = Date.now()), 1000);
      if (!running && this.#tick) {
        clearInterval(this.#tick);
        this.#tick = undefined;
      }
      if (face !== this.#face) {
        const had = this.#face !== undefined && (this.#hadFocus || this.matches(":focus-within"));
        this.#face = face;
        this.#moveFocus(face, section, had);
      }
      for (const video of this.renderRoot.querySelectorAll<HTMLVideoElement>("video")) {
        if (video.srcObject && video.paused) void this.#play(video);
      }
    }

    /** Moves focus for a new face (see the class comment); `had`: focus was inside before. */
    #moveFocus(face: string | undefined, section: HTMLElement | null | undefined, had: boolean): void {
      if (face === "incoming") {
        const from = deepActive(document);
        if (this.renderRoot.contains(from ?? null)) return; // already in the call's view
        this.#returnTo = undefined;
        if (isTyping(from)) return; // the dialog is announced (alertdialog); the text field keeps focus
        if (from && from !== document.body) this.#returnTo = from;
        section?.querySelector<HTMLElement>("button")?.focus();
      } else if (face === "in-call") {
        const own = this.#ownAction || (!!this.client && joining.delete(this.client));
        if (own || had) (section?.querySelector<HTMLElement>("[data-action=mute]") ?? section)?.focus();
        this.#ownAction = false;
      } else if (face === "ended" || had) {
        // Ended, or gone with focus inside: with focus inside, back to where it was before (after the host
        // re-enabled its buttons). A ring gone without focus inside may be an answer on its way (no face
        // between the ring and the call): what to focus then is kept.
        if (face === "ended") this.#ownAction = false;
        const to = this.#returnTo;
        this.#returnTo = undefined;
        if (had) void restoreFocus(this, to);
      }
    }

    /** Plays a video; where sound needs a gesture first, muted until the next tap on the view. */
    async #play(video: HTMLVideoElement): Promise<void> {
      try {
        await video.play();
      } catch {
        if (video.muted) return;
        video.muted = true;
        await video.play().catch(() => undefined);
        this.addEventListener("pointerdown", () => (video.muted = false), { once: true });
        this.addEventListener("keydown", () => (video.muted = false), { once: true });
      }
    }
  };
}
