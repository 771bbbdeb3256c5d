/**
 * `<parley-call-note>`: the timeline's one line for a call (a `call`
 * message), drawn from the conversation's calls board and changing in place
 * as the call goes on: "Call in progress" with Join while it runs and this
 * device is not in it, then "Video call · 3:24", "Missed voice call",
 * "Video call · Declined" or "Voice call · Busy". Its `call-event` messages
 * leave no line (message-filters.ts hides them).
 */
import type { ChatMessage } from "@parley/sdk";
import type { PropertyValues, TemplateResult } from "lit";
import { boardViewClass, noteStyles } from "../components/board-view.js";
import type { PanelKit } from "../components/panel-kit.js";
import { joining } from "./focus.js";
import { type ActiveCall, type CallRecord, type CallsBoard, callsOf, deviceOf, failure, principalOf } from "./sdk.js";
import { type CallsKey, type CallsStrings, callsStrings, clockText } from "./strings.js";

/** The words of a call's line, and whether Join is offered. */
export function callLine(
  s: CallsStrings,
  call: CallRecord,
  viewer: { me: string | undefined; device: string | undefined; inCall: string | undefined },
): { text: string; join: boolean } {
  const video = call.media === "video";
  const what = s.t(video ? "call.video" : "call.audio");
  if (call.state !== "ended") {
    const here = call.participants.some((p) => p.device === viewer.device && p.leftAt === undefined);
    return { text: `${what} · ${s.t("line.active")}`, join: !here && viewer.inCall !== call.id };
  }
  switch (call.outcome) {
    case "answered":
      return { text: s.t(video ? "line.video" : "line.audio", { time: clockText(call.durationMs ?? 0) }), join: false };
    case "declined":
      return { text: `${what} · ${s.t("line.declined")}`, join: false };
    case "busy":
      return { text: `${what} · ${s.t("line.busy")}`, join: false };
    default: {
      const mine = call.caller === viewer.me;
      const key: CallsKey = mine
        ? video
          ? "line.noAnswerVideo"
          : "line.noAnswerAudio"
        : video
          ? "line.missedVideo"
          : "line.missedAudio";
      return { text: s.t(key), join: false };
    }
  }
}

/** The `<parley-call-note>` class built from `kit`. */
export function callNoteClass(kit: PanelKit): CustomElementConstructor {
  const { html, nothing, css } = kit;
  const Base = boardViewClass<CallsBoard, ChatMessage>(kit, (client, convId) => callsOf(client)?.board(convId));
  return class ParleyCallNote extends Base {
    /** @internal Lit's reactive property declarations. */
    static override properties = { ...Base.properties, error: { state: true }, busy: { state: true } };
    /** @internal */
    static override styles = [
      ...noteStyles(kit),
      css`
        p { display: flex; gap: 0.4rem; align-items: center; justify-content: center; flex-wrap: wrap; }
        svg { width: 14px; height: 14px; fill: none; stroke: currentColor; stroke-width: 2; }
        button { font-size: 0.75rem; padding: 0.1rem 0.6rem; border-radius: 999px; border: 0;
          background: var(--parley-brand, #1d4ed8); color: var(--parley-brand-contrast, #fff); }
        .error { color: var(--parley-danger, #b91c1c); }
      `,
    ];
    /** @internal */
    declare error: CallsKey | undefined;
    /** @internal */
    declare busy: boolean;
    readonly #current = new kit.StoreController<ActiveCall | undefined>(this);

    override connectedCallback(): void {
      super.connectedCallback();
      this.#current.set(callsOf(this.client)?.current);
    }

    protected override willUpdate(changed: PropertyValues<this>): void {
      super.willUpdate(changed);
      if (changed.has("client")) this.#current.set(callsOf(this.client)?.current);
    }

    async #join(id: string): Promise<void> {
      const calls = callsOf(this.client);
      if (!calls || this.busy) return;
      this.busy = true;
      this.error = undefined;
      if (this.client) joining.add(this.client); // the call's view takes focus when it shows
      try {
        await calls.accept(id);
      } catch (err) {
        if (this.client) joining.delete(this.client);
        this.error = failure(err);
      } finally {
        this.busy = false;
      }
    }

    protected override render(): TemplateResult | typeof nothing {
      const m = this.message;
      if (m?.body?.type !== "call") return nothing;
      const s = callsStrings(this.locale);
      const call = this.shownBoard?.calls.get(m.msgId);
      const current = callsOf(this.client)?.current.value;
      const inCall = current && current.phase !== "ended" ? current.id : undefined;
      const line = call
        ? callLine(s, call, { me: principalOf(this.client), device: deviceOf(this.client), inCall })
        : { text: s.t(m.body.call.media === "video" ? "call.video" : "call.audio"), join: false };
      const icon =
        m.body.call.media === "video"
          ? "M3 7h12v10H3zM15 11l6-4v10l-6-4"
          : "M5 4h4l2 5-3 2a11 11 0 0 0 5 5l2-3 5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2";
      return html`<p data-call=${m.msgId} data-state=${call?.state ?? "loading"} data-outcome=${call?.outcome ?? nothing}>
        <svg viewBox="0 0 24 24" aria-hidden="true"><path d=${icon} /></svg><span>${line.text}</span>${
          line.join
            ? html`<button type="button" data-action="join" aria-label=${s.t("line.joinLabel")} ?disabled=${this.busy}
                @click=${() => this.#join(m.msgId)}>${s.t("line.join")}</button>`
            : nothing
        }${this.error ? html`<span class="error" role="alert">${s.t(this.error)}</span>` : nothing}</p>`;
    }
  };
}
