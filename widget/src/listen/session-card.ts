/**
 * `<parley-listen-card>`: the timeline's card of a `listen` message, drawn
 * from the conversation's listen board (`client.listen.board(convId)`) and
 * kept live: who started it, the tracks (the one playing marked), who
 * listens, and Join or Leave; "Session ended" once it is over. Join is the
 * tap that lets the page play sound: the track starts inside the click
 * handler, then the player bar keeps it on the shared playhead. A refusal is
 * said in words in the card (role=alert).
 */
import type { ChatMessage } from "@parley/sdk";
import type { TemplateResult } from "lit";
import { boardViewClass } from "../components/board-view.js";
import type { PanelKit } from "../components/panel-kit.js";
import { prime } from "./player.js";
import {
  allowedOrigin,
  type ListenBoard,
  type ListenFeatures,
  type ListenSession,
  listenOf,
  playheadAt,
  principalOf,
  running,
  sharedNow,
} from "./sdk.js";
import { type ListenKey, listenStrings } from "./strings.js";
import { cardStyles } from "./styles.js";
import { failure, listOf, nameOf } from "./view.js";

/** What the card needs of its message. */
export type ListenMessageRef = Pick<ChatMessage, "convId" | "msgId">;

/** The `<parley-listen-card>` class built from `kit`. */
export function sessionCardClass(kit: PanelKit): CustomElementConstructor {
  const { html, nothing } = kit;
  const Base = boardViewClass<ListenBoard, ListenMessageRef>(kit, (client, convId) => listenOf(client)?.board(convId));
  return class ParleyListenCard extends Base {
    /** @internal Lit's reactive property declarations. */
    static override properties = {
      ...Base.properties,
      features: { attribute: false },
      busy: { state: true },
      error: { state: true },
    };
    /** @internal */
    static override styles = cardStyles(kit);

    /** The shop's settings: only tracks on its media origins are played. */
    declare features: ListenFeatures | undefined;
    /** @internal */
    declare busy: boolean;
    /** @internal */
    declare error: ListenKey | undefined;
    #tick: ReturnType<typeof setTimeout> | undefined;

    constructor() {
      super();
      this.busy = false;
    }

    override disconnectedCallback(): void {
      super.disconnectedCallback();
      clearTimeout(this.#tick);
    }

    /** While a track plays, the card draws itself again when it runs out ("Now playing" moves on). */
    protected override updated(): void {
      clearTimeout(this.#tick);
      const session = this.session;
      if (!running(session)) return;
      const at = playheadAt(session, sharedNow(this.client));
      const left = (session.queue[at.index]?.durationMs ?? 0) - at.positionMs;
      if (at.playing || session.state.playing)
        this.#tick = setTimeout(() => this.requestUpdate(), Math.max(250, left + 50));
    }

    /** The session shown. */
    get session(): ListenSession | undefined {
      return this.message ? this.shownBoard?.sessions.get(this.message.msgId) : undefined;
    }

    async #run(work: () => Promise<unknown>): Promise<boolean> {
      if (this.busy) return false;
      this.busy = true;
      this.error = undefined;
      try {
        await work();
        return true;
      } catch (err) {
        this.error = failure(err);
        return false;
      } finally {
        this.busy = false;
      }
    }

    #join(session: ListenSession): void {
      const listen = listenOf(this.client);
      const convId = this.message?.convId;
      if (!listen || !convId) return;
      // The tap: the sound starts now, inside the click handler; the bar takes over once joined.
      const at = playheadAt(session, sharedNow(this.client));
      prime(at.playing ? session.queue[at.index] : undefined, at.positionMs);
      void this.#run(() => listen.join(convId, session.id));
    }

    #leave(session: ListenSession): void {
      const listen = listenOf(this.client);
      const convId = this.message?.convId;
      if (listen && convId) void this.#run(() => listen.leave(convId, session.id));
    }

    protected override render(): TemplateResult {
      const s = listenStrings(this.locale);
      const session = this.session;
      if (!session) return html`<article aria-busy="true"><p class="sub">${s.t("card.loading")}</p></article>`;
      const me = principalOf(this.client);
      const name = nameOf(s, this.names, me);
      const live = running(session);
      const at = live ? playheadAt(session, sharedNow(this.client)) : undefined;
      const listening = !!me && session.listeners.includes(me);
      const allowed = session.queue.every((t) => allowedOrigin(t.url, this.features?.media));
      const title =
        session.starter === me ? s.t("card.startedYou") : s.t("card.started", { name: name(session.starter) });
      return html`<article tabindex="-1" data-kind="listen" data-state=${live ? "running" : "ended"}
        aria-labelledby="title">
        <h3 id="title" dir="auto">${title}</h3>
        <ol aria-label=${s.t("card.tracks")}>
          ${session.queue.map(
            (t, i) => html`<li aria-current=${at?.index === i ? "true" : nothing}>
              <span dir="auto">${t.title}</span>${t.artist ? html` · <span dir="auto">${t.artist}</span>` : nothing}
              <span class="len">· ${s.clock(t.durationMs)}</span>
              ${at?.index === i ? html`<span class="now">${s.t("card.playing")}</span>` : nothing}
            </li>`,
          )}
        </ol>
        ${
          live
            ? html`<p class="sub" data-listeners>${
                session.listeners.length > 0
                  ? s.t("card.listeners", { names: listOf(this.locale, session.listeners.map(name)) })
                  : s.t("card.nobody")
              }</p>`
            : nothing
        }
        ${allowed ? nothing : html`<p class="sub" data-blocked>${s.t("card.blocked")}</p>`}
        <div class="actions">
          ${
            !live
              ? html`<span class="ended">${s.t("card.ended")}</span>`
              : listening
                ? html`<button type="button" data-action="leave" ?disabled=${this.busy}
                    @click=${() => this.#leave(session)}>${s.t("card.leave")}</button>`
                : html`<button type="button" class="primary" data-action="join" ?disabled=${this.busy || !allowed}
                    @click=${() => this.#join(session)}>${s.t("card.join")}</button>`
          }
        </div>
        ${this.error ? html`<p role="alert" class="error">${s.t(this.error)}</p>` : nothing}
      </article>`;
    }
  };
}
