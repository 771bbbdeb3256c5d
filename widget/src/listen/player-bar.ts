/**
 * `<parley-listen-bar>`: the player of the conversation's running session,
 * shown while the viewer listens in it. It sits in `<parley-chat>` (and the
 * dashboard's conversation view) outside the message list, so it keeps
 * playing while the list scrolls or a panel opens. Title and artist,
 * previous / play-pause / next, a seek slider (arrow keys seek 5 s), the
 * time, who listens, Leave, and End for the starter. Every control is shared:
 * it changes the session for every listener (`client.listen.control`), and
 * the page's player (player.ts) follows the session. A page that has not been
 * tapped yet (a listener's reload) shows "Tap to resume" and stays silent.
 */
import type { ParleyClient } from "@parley/sdk";
import type { PropertyValues, TemplateResult } from "lit";
import type { PanelKit } from "../components/panel-kit.js";
import { audioElement, ListenPlayer, type PlayerStatus, prime } from "./player.js";
import {
  clockOf,
  type ListenBoard,
  type ListenFeatures,
  type ListenSession,
  listenOf,
  nextChange,
  type PlaybackChange,
  type PlaybackState,
  type Playhead,
  playheadAt,
  principalOf,
  running,
  sharedNow,
} from "./sdk.js";
import { type ListenKey, listenStrings } from "./strings.js";
import { barStyles } from "./styles.js";
import { failure, listOf, nameOf } from "./view.js";

/** How far an arrow key seeks, ms. */
export const SEEK_STEP_MS = 5_000;

const ICONS = {
  previous: "M6 5v14M19 5 9 12l10 7z",
  next: "M18 5v14M5 5l10 7-10 7z",
  play: "M7 5v14l12-7z",
  pause: "M8 5v14M16 5v14",
} as const;

/** The `<parley-listen-bar>` class built from `kit`. */
export function playerBarClass(kit: PanelKit): CustomElementConstructor {
  const { html, nothing } = kit;
  const icon = (d: string) => html`<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d=${d} /></svg>`;
  return class ParleyListenBar extends kit.LitElement {
    /** @internal Lit's reactive property declarations. */
    static override properties = {
      client: { attribute: false },
      conversationId: { attribute: false },
      locale: {},
      names: { attribute: false },
      features: { attribute: false },
      status: { state: true },
      busy: { state: true },
      error: { state: true },
      dragMs: { state: true },
    };
    /** @internal */
    static override styles = barStyles(kit);

    /** The client whose conversation is shown. */
    declare client: ParleyClient | undefined;
    /** The conversation shown. */
    declare conversationId: string | undefined;
    /** BCP 47 locale (`de*` reads German, others English). */
    declare locale: string;
    /** Display names by principal id. */
    declare names: Record<string, string>;
    /** The shop's settings: only tracks on its media origins are played. */
    declare features: ListenFeatures | undefined;
    /** @internal What the player found at its last check. */
    declare status: PlayerStatus | undefined;
    /** @internal */
    declare busy: boolean;
    /** @internal */
    declare error: ListenKey | undefined;
    /** @internal The slider's position while it is dragged, ms. */
    declare dragMs: number | undefined;
    readonly #board = new kit.StoreController<ListenBoard>(this, () => this.#follow());
    readonly #player = new ListenPlayer({
      now: () => sharedNow(this.client),
      media: () => this.features?.media,
      onStatus: (status) => {
        this.status = status;
      },
    });
    #synced: ParleyClient | undefined;
    /** The viewer's last change, sent on top of board state `of` and not taken yet. */
    #pending: { of: PlaybackState; state: PlaybackState } | undefined;

    constructor() {
      super();
      this.locale = "en";
      this.names = {};
      this.busy = false;
    }

    override connectedCallback(): void {
      super.connectedCallback();
      if (this.hasUpdated) this.#follow();
    }

    override disconnectedCallback(): void {
      super.disconnectedCallback();
      this.#player.stop();
    }

    protected override willUpdate(changed: PropertyValues<this>): void {
      if (changed.has("client") || changed.has("conversationId")) {
        const convId = this.conversationId;
        this.#board.set(convId ? listenOf(this.client)?.board(convId) : undefined);
        this.#follow();
      }
    }

    /** The page's audio element the player plays with (one per page, never in the DOM). */
    get audio(): HTMLAudioElement {
      return audioElement();
    }

    /**
     * The running session the viewer listens in, if any: as the board has it, with the viewer's own
     * last change in place while the board has not taken it yet (so quick presses build on each
     * other, and the page's player answers at once).
     */
    get session(): ListenSession | undefined {
      const active = this.#board.value?.active;
      const me = principalOf(this.client);
      if (!running(active) || !me || !active.listeners.includes(me)) return undefined;
      const mine = this.#pending;
      if (!mine || mine.of !== active.state) {
        this.#pending = undefined;
        return active;
      }
      return { ...active, state: mine.state, changedBy: me };
    }

    #follow(): void {
      const session = this.isConnected ? this.session : undefined;
      if (session && this.#synced !== this.client) {
        // Once when the player starts: a fresh offset to the gateway's clock (the SDK re-syncs on reconnect).
        this.#synced = this.client;
        void clockOf(this.client)
          ?.sync()
          .then(() => this.#player.sync())
          .catch(() => undefined);
      }
      this.#player.follow(session);
      if (!session) this.status = undefined;
    }

    async #run(work: (convId: string, session: ListenSession) => Promise<unknown>): Promise<void> {
      const session = this.session;
      const convId = this.conversationId;
      if (!session || !convId || this.busy) return;
      this.busy = true;
      this.error = undefined;
      try {
        await work(convId, session);
      } catch (err) {
        this.error = failure(err);
      } finally {
        this.busy = false;
        this.#player.sync();
      }
    }

    /**
     * Sends a change of what plays, made from where the session is now: every field is sent, so
     * the change does not depend on what the board holds by the time it goes out. The press is
     * also the tap that lets the page play (the sound starts now when it plays).
     */
    #control(make: (head: Playhead, session: ListenSession) => PlaybackChange): void {
      const session = this.session;
      const active = this.#board.value?.active;
      const listen = listenOf(this.client);
      const convId = this.conversationId;
      if (!session || !active || !listen || !convId) return;
      const now = sharedNow(this.client);
      const state = nextChange(session, now, make(playheadAt(session, now), session));
      this.#pending = { of: active.state, state };
      prime(state.playing ? session.queue[state.index] : undefined, state.positionMs);
      this.#follow();
      this.error = undefined;
      const { index, positionMs, playing } = state;
      listen.control(convId, session.id, { index, positionMs, playing }).catch((err: unknown) => {
        this.#pending = undefined;
        this.error = failure(err);
        this.#follow();
      });
    }

    #resume(): void {
      const session = this.session;
      if (!session) return;
      const now = playheadAt(session, sharedNow(this.client));
      prime(now.playing ? session.queue[now.index] : undefined, now.positionMs);
      this.#player.sync();
    }

    #onSeekKey(e: KeyboardEvent): void {
      const step = {
        ArrowLeft: -SEEK_STEP_MS,
        ArrowDown: -SEEK_STEP_MS,
        ArrowRight: SEEK_STEP_MS,
        ArrowUp: SEEK_STEP_MS,
      }[e.key as "ArrowLeft"];
      if (step === undefined) return;
      e.preventDefault();
      const rtl = getComputedStyle(this).direction === "rtl" && (e.key === "ArrowLeft" || e.key === "ArrowRight");
      this.#control((head, session) => ({
        positionMs: Math.min(
          Math.max(0, head.positionMs + (rtl ? -step : step)),
          Math.max(0, (session.queue[head.index]?.durationMs ?? 1) - 1),
        ),
      }));
    }

    protected override render(): TemplateResult | typeof nothing {
      const session = this.session;
      const at = this.status?.playhead;
      if (!session || !at) return nothing;
      const s = listenStrings(this.locale);
      const me = principalOf(this.client);
      const name = nameOf(s, this.names, me);
      const track = session.queue[at.index];
      if (!track) return nothing;
      const shownMs = this.dragMs ?? Math.min(at.positionMs, track.durationMs);
      const last = session.queue.length - 1;
      // Playing as set, waiting for its start instant (or run out at the end of the queue: then paused).
      const playing = at.playing || (session.state.playing && at.positionMs < track.durationMs);
      const listeners = listOf(this.locale, session.listeners.map(name));
      return html`<section part="listen-bar" aria-label=${s.t("bar.label")} data-listen-bar data-playing=${playing ? "true" : "false"}>
        <div class="what">
          <p class="title" dir="auto" data-title>${track.title}</p>
          <p class="artist">${track.artist ? html`<span dir="auto">${track.artist}</span> · ` : nothing}${s.t(
            "bar.track",
            {
              n: at.index + 1,
              count: session.queue.length,
            },
          )}</p>
        </div>
        <div class="buttons">
          <button type="button" data-action="previous" aria-label=${s.t("bar.previous")} ?disabled=${at.index === 0}
            @click=${() => this.#control((head) => ({ index: Math.max(0, head.index - 1) }))}>${icon(ICONS.previous)}</button>
          <button type="button" class="primary" data-action=${playing ? "pause" : "play"}
            aria-label=${s.t(playing ? "bar.pause" : "bar.play")}
            @click=${() => this.#control((_head, x) => ({ playing: !x.state.playing }))}>${icon(playing ? ICONS.pause : ICONS.play)}</button>
          <button type="button" data-action="next" aria-label=${s.t("bar.next")} ?disabled=${at.index === last}
            @click=${() => this.#control((head) => ({ index: head.index + 1 }))}>${icon(ICONS.next)}</button>
        </div>
        <div class="seek">
          <span aria-hidden="true" data-time>${s.clock(shownMs)}</span>
          <input type="range" min="0" max=${Math.floor(track.durationMs / 1000)} step="1"
            .value=${String(Math.floor(shownMs / 1000))}
            aria-label=${s.t("bar.seek", { title: track.title })}
            aria-valuetext=${s.t("bar.seekText", { at: s.clock(shownMs), length: s.clock(track.durationMs) })}
            @keydown=${(e: KeyboardEvent) => this.#onSeekKey(e)}
            @input=${(e: Event) => {
              this.dragMs = Number((e.target as HTMLInputElement).value) * 1000;
            }}
            @change=${(e: Event) => {
              this.dragMs = undefined;
              const positionMs = Number((e.target as HTMLInputElement).value) * 1000;
              this.#control(() => ({ positionMs }));
            }} />
          <span aria-hidden="true">${s.clock(track.durationMs)}</span>
        </div>
        ${
          this.status?.needsTap
            ? html`<button type="button" class="primary resume" data-action="resume" @click=${() => this.#resume()}>
                ${s.t("bar.resume")}</button>`
            : nothing
        }
        <div class="foot">
          <p class="who" data-listeners>${s.t("bar.listeners", { count: session.listeners.length, names: listeners })}${
            !playing && session.changedBy
              ? html` · ${session.changedBy === me ? s.t("bar.pausedYou") : s.t("bar.paused", { name: name(session.changedBy) })}`
              : nothing
          }</p>
          <button type="button" data-action="leave" ?disabled=${this.busy}
            @click=${() => void this.#run((convId, x) => listenOf(this.client)?.leave(convId, x.id) ?? Promise.resolve())}>
            ${s.t("bar.leave")}</button>
          ${
            session.starter === me
              ? html`<button type="button" data-action="end" ?disabled=${this.busy}
                  @click=${() => void this.#run((convId, x) => listenOf(this.client)?.end(convId, x.id) ?? Promise.resolve())}>
                  ${s.t("bar.end")}</button>`
              : nothing
          }
        </div>
        ${this.error ? html`<p role="alert" class="error">${s.t(this.error)}</p>` : nothing}
      </section>`;
    }
  };
}
