/**
 * `<parley-location>`: a shared place, drawn from the conversation's location
 * board (`client.location.board(convId)`) and kept live as updates arrive. A
 * live share shows "Live", the age of the newest fix (ticking) and its end;
 * once over (stopped, or `until` passed on the shared clock, whatever the
 * sharer's device does) "Live location ended". The sharer gets "Stop
 * sharing", and after a reload this device goes on with the shares it started
 * (or offers "Resume sharing" when the browser would have to ask first). With
 * a live share of their own in the conversation, viewers see the distance and
 * direction to the place. Built from the chat's kit (ADR 0026).
 */
import type { ParleyClient } from "@parley/sdk";
import type { TemplateResult } from "lit";
import { boardViewClass } from "../components/board-view.js";
import type { PanelKit } from "../components/panel-kit.js";
import { accuracy, age, clockTime, coordinates, distanceAndDirection, geoUri, osmUrl } from "./format.js";
import { geoFailure, permissionGranted } from "./geo.js";
import { runningShare, startedHere, unwatch, watching, watchShare } from "./live-watch.js";
import type { MapTilesConfig } from "./map/leaflet-map.js";
import { MapView } from "./map-view.js";
import { bearingDeg, clockNow, distanceM, isLive, type LocationBoard, locationOf, type PinState } from "./sdk.js";
import { type LocationKey, type LocationStrings, locationStrings } from "./strings.js";
import { cardStyles } from "./styles.js";

/** What the card needs of its message. */
export interface LocationMessageRef {
  convId: string;
  msgId: string;
}

/** The signed-in principal's id, or undefined before the client is connected. */
export function principalOf(client: ParleyClient | undefined): string | undefined {
  try {
    return client?.principal.id;
  } catch {
    return undefined;
  }
}

const PIN_ICON = "M12 21s-6-5.3-6-10a6 6 0 0 1 12 0c0 4.7-6 10-6 10Zm0-8a2 2 0 1 0 0-4 2 2 0 0 0 0 4Z";

/** The `<parley-location>` class built from `kit`. */
export function locationClass(kit: PanelKit): CustomElementConstructor {
  const { html, nothing } = kit;
  const Base = boardViewClass<LocationBoard, LocationMessageRef>(kit, (client, convId) =>
    locationOf(client)?.board(convId),
  );
  return class ParleyLocation extends Base {
    /** @internal Lit's reactive property declarations. */
    static override properties = {
      ...Base.properties,
      features: { attribute: false },
      pin: { attribute: false },
      busy: { state: true },
      error: { state: true },
      resumable: { state: true },
    };
    /** @internal */
    static override styles = cardStyles(kit);

    /** The shop's settings: a map is drawn only with `mapTiles`. */
    declare features: { mapTiles?: MapTilesConfig } | undefined;
    /** The place, when given directly instead of read from the board. */
    declare pin: PinState | undefined;
    /** @internal */
    declare busy: boolean;
    /** @internal */
    declare error: LocationKey | undefined;
    /** @internal */
    declare resumable: boolean;
    readonly #map = new MapView(kit);
    #tick: ReturnType<typeof setInterval> | undefined;
    #resumeTried = false;

    constructor() {
      super();
      this.busy = false;
      this.resumable = false;
    }

    override disconnectedCallback(): void {
      super.disconnectedCallback();
      this.#ticking(false);
      this.#map.destroy();
    }

    /** The place shown: the given pin, or the board's. */
    get place(): PinState | undefined {
      return this.pin ?? (this.message ? this.shownBoard?.pins.get(this.message.msgId) : undefined);
    }

    #ticking(on: boolean): void {
      if (on && !this.#tick) this.#tick = setInterval(() => this.requestUpdate(), 1000);
      if (!on && this.#tick) {
        clearInterval(this.#tick);
        this.#tick = undefined;
      }
    }

    /** Keeps this device's own live share going after a reload, or offers to (see the class comment). */
    #keepOwn(pin: PinState, live: boolean, mine: boolean): void {
      if (!live) {
        if (watching(pin.id) || startedHere(pin.id)) unwatch(pin.id);
        if (this.resumable) this.resumable = false;
        return;
      }
      if (!mine || watching(pin.id) || this.#resumeTried || !startedHere(pin.id)) return;
      this.#resumeTried = true;
      void permissionGranted().then((granted) => {
        if (granted) void this.#resume();
        else this.resumable = true;
      });
    }

    async #resume(): Promise<void> {
      const api = locationOf(this.client);
      const convId = this.message?.convId;
      const id = this.place?.id;
      if (!api || !convId || !id) return;
      this.error = undefined;
      try {
        const share = await api.resume(convId, id);
        if (share)
          watchShare(share, (err) => {
            this.error = geoFailure(err);
          });
        this.resumable = false;
      } catch (err) {
        this.error = geoFailure(err);
      }
    }

    async #stop(): Promise<void> {
      const api = locationOf(this.client);
      const convId = this.message?.convId;
      const id = this.place?.id;
      if (!api || !convId || !id || this.busy) return;
      this.busy = true;
      this.error = undefined;
      try {
        const running = runningShare(id);
        if (running) await running.stop();
        else await api.stop(convId, id);
        unwatch(id);
      } catch (err) {
        this.error = geoFailure(err);
      } finally {
        this.busy = false;
      }
    }

    /** Distance and direction from the viewer's own live share in this conversation, if any. */
    #fromViewer(pin: PinState, me: string | undefined, now: number, s: LocationStrings): string | undefined {
      const board = this.shownBoard;
      if (!me || pin.sender === me || !board) return undefined;
      const own = [...board.pins.values()].find((p) => p.sender === me && p.id !== pin.id && isLive(p, now));
      if (!own) return undefined;
      return distanceAndDirection(distanceM(own.fix, pin.fix), bearingDeg(own.fix, pin.fix), s);
    }

    /** "updated 8 s ago" ("updated just now" under 5 s). */
    #age(ms: number, s: LocationStrings): string {
      return ms < 5_000 ? s.t("card.justNow") : s.t("card.age", { age: age(ms, s) });
    }

    #links(pin: PinState, s: LocationStrings): TemplateResult {
      return html`<p class="links"><span>${s.t("card.links")}:</span>
        <a href=${osmUrl(pin.fix)} target="_blank" rel="noopener noreferrer" data-link="osm">${s.t("card.osm")}</a>
        <a href=${geoUri(pin.fix, pin.fix.accuracy)} target="_blank" rel="noopener noreferrer" data-link="geo">${s.t("card.geo")}</a></p>`;
    }

    protected override updated(): void {
      const tiles = this.features?.mapTiles;
      const pin = this.place;
      if (tiles && pin) this.#map.show(this.renderRoot.querySelector<HTMLElement>(".map"), tiles, pin.fix);
      else this.#map.destroy();
      const live = !!pin && isLive(pin, clockNow(this.client));
      this.#ticking(live);
      if (pin && !this.pin) this.#keepOwn(pin, live, pin.sender === principalOf(this.client));
    }

    protected override render(): TemplateResult {
      const s = locationStrings(this.locale);
      const pin = this.place;
      if (!pin) return html`<article aria-busy="true"><p class="sub">${s.t("card.title")}…</p></article>`;
      const now = clockNow(this.client);
      const me = principalOf(this.client);
      const mine = pin.sender === me;
      const live = isLive(pin, now);
      const ended = pin.live !== undefined && !live;
      const name = mine ? undefined : (this.names[pin.sender] ?? s.t("card.someone"));
      const title = pin.label ?? s.t(pin.live ? "card.titleLive" : "card.title");
      const away = this.#fromViewer(pin, me, now, s);
      const tiles = this.features?.mapTiles;
      return html`<article tabindex="-1" data-kind="location" data-live=${live ? "on" : ended ? "ended" : "none"}
        aria-labelledby="title">
        <header>
          <h3 id="title"><svg viewBox="0 0 24 24" aria-hidden="true"><path d=${PIN_ICON} /></svg>${title}</h3>
          ${live ? html`<span class="badge">${s.t("card.live")}</span>` : nothing}
        </header>
        <p class="sub">${name ? s.t("card.by", { name }) : s.t("card.byYou")}${
          pin.fromTeam ? html` · <span class="shop">${s.t("card.fromShop")}</span>` : nothing
        }</p>
        ${ended ? html`<p class="over" data-ended>${s.t("card.ended")}</p>` : nothing}
        ${
          tiles
            ? html`<div class="map" role="img" aria-label=${s.t("card.mapOf", { label: title })}></div>
              <p class="attribution">${s.t("card.mapAttribution", { attribution: tiles.attribution })}</p>`
            : nothing
        }
        <dl>
          <dt>${s.t("card.coordinates")}</dt><dd data-field="coordinates">${coordinates(pin.fix, s)}</dd>
          <dt>${s.t("card.accuracy")}</dt><dd data-field="accuracy">${accuracy(pin.fix.accuracy, s)}</dd>
          ${
            live
              ? html`<dt>${s.t("card.updated")}</dt><dd data-field="age">${this.#age(now - pin.fix.at, s)}</dd>
                <dt>${s.t("card.ends")}</dt><dd data-field="until">${s.t("card.until", { time: clockTime(pin.live?.until ?? now, now, s) })}</dd>`
              : html`<dt>${s.t("card.time")}</dt><dd data-field="time"><time datetime=${new Date(pin.fix.at).toISOString()}>${clockTime(pin.fix.at, now, s)}</time></dd>`
          }
          ${away ? html`<dt>${s.t("card.distance")}</dt><dd data-field="distance">${away}</dd>` : nothing}
        </dl>
        ${this.#links(pin, s)}
        ${
          live && mine
            ? html`<div class="actions">
                ${this.resumable ? html`<button type="button" class="primary" data-action="resume" @click=${() => this.#resume()}>${s.t("card.resume")}</button>` : nothing}
                <button type="button" data-action="stop" aria-disabled=${this.busy ? "true" : "false"} @click=${() => this.#stop()}>${s.t("card.stop")}</button>
              </div>`
            : nothing
        }
        ${this.error ? html`<p role="alert" class="error">${s.t(this.error)}</p>` : nothing}
      </article>`;
    }
  };
}
