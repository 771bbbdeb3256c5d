/**
 * `<parley-launcher>`: the button the storefront shows, its unread badge and,
 * after the visitor shows intent, the chat frame. Vanilla DOM in a closed
 * shadow root (no Lit: this ships in the script tag and must stay tiny).
 *
 * The element does no networking itself; the controller (launcher.ts) decides
 * when the frame exists and what it is told.
 */
import type { CallAnswer, RingingCall, ThemeSettings } from "../bridge/protocol.js";
import { type LauncherStrings, stringsFor } from "./strings.js";

const CSS = `:host{all:initial;position:fixed;z-index:2147483000;bottom:20px;right:20px;font-family:var(--parley-font,system-ui,sans-serif)}
:host([data-position=left]){right:auto;left:20px}
button{width:56px;height:56px;border-radius:50%;border:0;padding:0;background:var(--parley-brand,#0b5cad);color:#fff;cursor:pointer;display:grid;place-items:center;box-shadow:0 4px 14px #0004;position:relative}
button:focus-visible{outline:3px solid #111;outline-offset:3px}
svg{width:28px;height:28px;fill:currentColor}
.b{position:absolute;top:-4px;right:-4px;min-width:20px;height:20px;padding:0 6px;box-sizing:border-box;border-radius:10px;background:#b3261e;color:#fff;font:700 12px/20px system-ui,sans-serif}
.p{position:fixed;bottom:88px;right:20px;width:380px;max-width:calc(100vw - 40px);height:min(640px,calc(100vh - 108px));border-radius:var(--parley-radius,12px);overflow:hidden;box-shadow:0 8px 30px #0005;background:#fff}
:host([data-position=left]) .p{right:auto;left:20px}
:host([data-mode=dark]) .p{background:#1b1d21}
:host([data-full]) .p{inset:0;width:100%;max-width:none;height:100%;border-radius:0}
.r{position:fixed;bottom:88px;right:20px;width:300px;max-width:calc(100vw - 40px);box-sizing:border-box;padding:12px 14px;border-radius:var(--parley-radius,12px);background:#fff;color:#111827;box-shadow:0 8px 30px #0005;font:14px/1.4 var(--parley-font,system-ui,sans-serif)}
:host([data-position=left]) .r{right:auto;left:20px}
:host([data-mode=dark]) .r{background:#1b1d21;color:#f3f4f6}
.r strong{display:block;font-size:15px}.r p{margin:4px 0 10px}
.r button{all:unset;display:inline-block;margin:0 6px 4px 0;padding:6px 10px;border-radius:6px;color:#fff;background:#166534;font:600 13px system-ui,sans-serif;cursor:pointer}
.r button.d{background:#b91c1c}.r button.o{background:#374151}.r button:focus-visible{outline:3px solid #111;outline-offset:2px}
[hidden]{display:none!important}
iframe{border:0;width:100%;height:100%;display:block;color-scheme:normal}
@media (max-width:480px){.p{inset:0;width:100%;max-width:none;height:100%;border-radius:0}:host([data-open]) button{display:none}}`;

// A speech bubble and a cross (open / close), 24x24.
const BUBBLE = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z";
const CROSS = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z";

export interface LauncherElementEvents {
  /** The visitor hovered, focused or touched the button: time to load the frame. */
  intent: () => void;
  /** The button was activated. */
  toggle: () => void;
  /** The ring bubble was answered. */
  answer: (id: string, answer: CallAnswer) => void;
}

export class ParleyLauncherElement extends HTMLElement {
  readonly #root: ShadowRoot;
  readonly #button: HTMLButtonElement;
  readonly #path: SVGPathElement;
  readonly #badge: HTMLSpanElement;
  readonly #panel: HTMLDivElement;
  readonly #ring: HTMLDivElement;
  #call: RingingCall | null = null;
  #strings: LauncherStrings = stringsFor("en");
  #count = 0;
  #invites = 0;
  #open = false;
  /** Set by the controller. */
  handlers: LauncherElementEvents = { intent() {}, toggle() {}, answer() {} };

  constructor() {
    super();
    this.#root = this.attachShadow({ mode: "closed" });
    const style = document.createElement("style");
    style.textContent = CSS;
    this.#panel = document.createElement("div");
    this.#panel.className = "p";
    this.#panel.hidden = true;
    this.#button = document.createElement("button");
    this.#button.type = "button";
    const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    this.#path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    svg.append(this.#path);
    this.#badge = document.createElement("span");
    this.#badge.className = "b";
    this.#badge.setAttribute("aria-hidden", "true");
    this.#button.append(svg, this.#badge);
    this.#ring = document.createElement("div");
    this.#ring.className = "r";
    this.#ring.setAttribute("role", "alertdialog");
    this.#ring.setAttribute("aria-labelledby", "rt");
    this.#ring.setAttribute("aria-describedby", "rd");
    this.#ring.addEventListener("keydown", (e) => {
      // Escape silences the bubble; the call still rings in the chat.
      if (e.key === "Escape") this.setRinging(null);
    });
    this.#root.append(style, this.#panel, this.#ring, this.#button);
    const intent = () => this.handlers.intent();
    this.#button.addEventListener("pointerenter", intent);
    this.#button.addEventListener("focus", intent);
    this.#button.addEventListener("click", () => {
      intent();
      this.handlers.toggle();
    });
    this.#render();
  }

  /** Puts the chat frame in the (still hidden) panel. */
  mountFrame(frame: HTMLIFrameElement): void {
    frame.title = this.#strings.frame;
    this.#panel.append(frame);
  }

  setOpen(open: boolean): void {
    const pressed = this.#root.activeElement === this.#button;
    this.#open = open;
    this.#panel.hidden = !open;
    this.toggleAttribute("data-open", open);
    this.#render();
    // Opened from the button: the keyboard goes on in the chat (at 480 px or narrower the button is hidden
    // while the chat is open, and its focus would fall to the page's top).
    if (open && pressed) this.#panel.querySelector("iframe")?.focus();
  }

  /** Full screen (the frame asked for it), or back to the corner panel. */
  setFull(full: boolean): void {
    this.toggleAttribute("data-full", full);
  }

  /** The badge: unread messages plus pending invites (the button's name says both). */
  setUnread(count: number, invites = 0): void {
    this.#count = count;
    this.#invites = invites;
    this.#render();
  }

  setLocale(locale: string): void {
    this.#strings = stringsFor(locale);
    if (this.#call) this.setRinging(this.#call);
    const frame = this.#panel.querySelector("iframe");
    if (frame) frame.title = this.#strings.frame;
    this.#render();
  }

  setTheme(theme: ThemeSettings): void {
    if (theme.brand) this.style.setProperty("--parley-brand", theme.brand);
    if (theme.radius !== undefined) this.style.setProperty("--parley-radius", `${theme.radius}px`);
    if (theme.font) this.style.setProperty("--parley-font", theme.font);
    if (theme.position) this.dataset.position = theme.position;
    if (theme.mode) this.dataset.mode = theme.mode;
  }

  /**
   * The ring bubble over the closed chat: who calls (a team member's name, else neutral words),
   * Accept (with video or voice only) and Decline; `null` hides it. Focus moves to it when the
   * launcher's button had focus or nothing on the page had.
   */
  setRinging(call: RingingCall | null): void {
    const s = this.#strings.ring;
    const before = this.#call;
    this.#call = call;
    this.#ring.replaceChildren();
    if (call) {
      const title = document.createElement("strong");
      title.id = "rt";
      title.textContent = call.media === "video" ? s.video : s.audio;
      const who = document.createElement("p");
      who.id = "rd";
      who.textContent = call.teamName ? s.from(call.teamName) : s.shop;
      const button = (text: string, cls: string, answer: CallAnswer) => {
        const b = document.createElement("button");
        b.type = "button";
        b.className = cls;
        b.dataset.answer = answer;
        b.textContent = text;
        b.addEventListener("click", () => this.handlers.answer(call.id, answer));
        return b;
      };
      const buttons =
        call.media === "video"
          ? [button(s.video1, "a", "video"), button(s.audio1, "o", "audio")]
          : [button(s.accept, "a", "audio")];
      this.#ring.append(title, who, ...buttons, button(s.decline, "d", "decline"));
      const active = document.activeElement;
      if (before?.id !== call.id && (active === this || active === document.body || active === null))
        buttons[0]?.focus({ preventScroll: true });
    }
    this.#render();
  }

  /** Moves keyboard focus back to the button (after the chat closes). */
  focusButton(): void {
    this.#button.focus({ preventScroll: true });
  }

  #render(): void {
    const s = this.#strings;
    const n = this.#count + this.#invites;
    const shown = n > 99 ? "99+" : String(n);
    this.#path.setAttribute("d", this.#open ? CROSS : BUBBLE);
    this.#badge.textContent = shown;
    this.#badge.hidden = n === 0 || this.#open;
    this.#ring.hidden = !this.#call || this.#open;
    this.#button.setAttribute("aria-expanded", String(this.#open));
    // The name says what the badge adds up, with the badge's own text ("99+") when it is one figure.
    const parts = [this.#open ? s.close : s.open];
    if (this.#count > 0) parts.push(s.unread(this.#invites > 0 ? String(this.#count) : shown));
    if (this.#invites > 0) parts.push(s.invites(this.#count > 0 ? String(this.#invites) : shown));
    this.#button.setAttribute("aria-label", parts.join(", "));
  }
}
