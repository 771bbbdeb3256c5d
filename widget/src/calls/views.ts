/**
 * The three faces of `<parley-call>` as templates: the ringing dialog, the
 * call (self-view, one tile per other device, the controls) and its end (the
 * reason in words, Dismiss). The element (call-element.ts) owns the state and
 * hands each template what it shows and what its buttons do.
 */
import type { TemplateResult } from "lit";
import type { PanelKit } from "../components/panel-kit.js";
import { stripBidiControls } from "../i18n/bidi.js";
import type { ActiveCall, IncomingCall, RemotePeer } from "./sdk.js";
import { type CallsKey, type CallsStrings, clockText } from "./strings.js";

/** Icon paths (24×24, stroked). */
export const ICONS = {
  phone: "M5 4h4l2 5-3 2a11 11 0 0 0 5 5l2-3 5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2",
  video: "M3 7h12v10H3zM15 11l6-4v10l-6-4",
  hangUp: "M3 14c5-5 13-5 18 0l-2 3-4-1v-3a9 9 0 0 0-6 0v3l-4 1z",
  mic: "M12 3a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3zM5 11a7 7 0 0 0 14 0M12 18v3",
  micOff: "M3 3l18 18M9 9v3a3 3 0 0 0 5 2M15 9V6a3 3 0 0 0-6 0M5 11a7 7 0 0 0 11 5M19 11a7 7 0 0 1-1 3M12 18v3",
  videoOff: "M3 3l18 18M15 11l6-4v10l-6-4M3 7h4m8 3v7H3V7",
  screen: "M3 4h18v12H3zM8 20h8M12 16v4",
  devices: "M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v3M12 19v3M2 12h3M19 12h3",
  check: "M4 12l5 5L20 6",
  signal: "M4 20v-3M9 20v-7M14 20v-11M19 20V4",
};

/** An icon. */
export const icon = ({ html }: PanelKit, d: string, cls = ""): TemplateResult =>
  html`<svg class=${cls} viewBox="0 0 24 24" aria-hidden="true"><path d=${d} /></svg>`;

/** What the ringing dialog shows and does. */
export interface IncomingView {
  call: IncomingCall;
  callerName: string;
  others: string[];
  busy: boolean;
  error: CallsKey | undefined;
  accept(media: "video" | "audio"): void;
  decline(): void;
  silence(): void;
}

/** The ringing dialog (role=alertdialog): who calls, voice or video, Accept and Decline; Escape silences it. */
export function incomingView(kit: PanelKit, s: CallsStrings, v: IncomingView): TemplateResult {
  const { html, nothing } = kit;
  const video = v.call.media === "video";
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== "Escape") return;
    // Silenced here, not declined: it still rings in the conversation (its line offers Join).
    e.stopPropagation();
    e.preventDefault();
    v.silence();
  };
  return html`<section data-view="incoming" role="alertdialog" aria-modal="false" aria-labelledby="call-title"
      aria-describedby="call-desc" @keydown=${onKey}>
    <div class="row spread">
      <h3 id="call-title">${icon(kit, video ? ICONS.video : ICONS.phone, "ring")} ${s.t("incoming.label")}</h3>
      ${
        v.call.fromTeam
          ? html`<span class="badge" data-team>${icon(kit, ICONS.check)}${s.t("incoming.team")}</span>`
          : nothing
      }
    </div>
    <p id="call-desc">${s.t(video ? "incoming.video" : "incoming.audio", { name: v.callerName })}${
      v.others.length
        ? html`<span class="sub"> ${s.t("incoming.group", { names: v.others.join(", ") })}</span>`
        : nothing
    }<span class="sr"> ${s.t("incoming.silenced")}</span></p>
    <div class="row">
      ${
        video
          ? html`<button type="button" class="accept" data-action="accept-video" ?disabled=${v.busy}
              @click=${() => v.accept("video")}>${icon(kit, ICONS.video)}${s.t("incoming.acceptVideo")}</button>`
          : nothing
      }
      <button type="button" class=${video ? "" : "accept"} data-action="accept-audio" ?disabled=${v.busy}
        @click=${() => v.accept("audio")}>${icon(kit, ICONS.phone)}${s.t(video ? "incoming.acceptAudio" : "incoming.accept")}</button>
      <button type="button" class="decline" data-action="decline" ?disabled=${v.busy}
        @click=${() => v.decline()}>${icon(kit, ICONS.hangUp)}${s.t("incoming.decline")}</button>
    </div>
    ${v.error ? html`<p class="error" role="alert">${s.t(v.error)}</p>` : nothing}
  </section>`;
}

/** What the call's view shows and does. */
export interface InCallView {
  call: ActiveCall;
  nameOf(principal: string): string;
  /** Local ms now, for the duration. */
  now: number;
  /** Screen sharing is offered (agents). */
  canShare: boolean;
  /** The device menu, open with its devices, or undefined. */
  menu: TemplateResult | undefined;
  error: CallsKey | undefined;
  toggleMute(): void;
  toggleCamera(): void;
  toggleShare(): void;
  toggleMenu(): void;
  hangUp(): void;
}

/** One other device's tile: its video (or its initial), name, muted, camera off, screen, connection quality. */
function tile(kit: PanelKit, s: CallsStrings, peer: RemotePeer, name: string, video: boolean): TemplateResult {
  const { html, nothing } = kit;
  const showsVideo = video && (peer.video || peer.screen);
  const quality = peer.connection === "connected" ? peer.quality : peer.connection === "failed" ? "lost" : "connecting";
  return html`<figure data-peer=${peer.device} class=${!video ? "voice" : showsVideo ? "" : "off"}>
    <video autoplay playsinline .srcObject=${peer.stream ?? null} aria-label=${peer.screen ? `${s.t("call.screen")}: ${name}` : name}></video>
    ${showsVideo ? nothing : html`<span class="avatar" aria-hidden="true">${name.slice(0, 1).toUpperCase()}</span>`}
    <figcaption>
      <span class="name" dir="auto">${stripBidiControls(name)}</span>
      ${peer.screen ? html`<span class="tag" data-screen>${icon(kit, ICONS.screen)}${s.t("call.screen")}</span>` : nothing}
      ${peer.audio ? nothing : html`<span class="tag" data-muted>${icon(kit, ICONS.micOff)}${s.t("call.muted")}</span>`}
      ${video && !peer.video && !peer.screen ? html`<span class="tag" data-camera-off>${icon(kit, ICONS.videoOff)}${s.t("call.cameraOff")}</span>` : nothing}
      <span class="q" data-quality=${quality} title=${peer.rttMs !== undefined ? `${Math.round(peer.rttMs)} ms` : nothing}
        >${icon(kit, ICONS.signal)}${s.t(`quality.${quality}`)}</span>
    </figcaption>
  </figure>`;
}

/** The call: the other devices' tiles with the self-view over them, the duration and the controls. */
export function inCallView(kit: PanelKit, s: CallsStrings, v: InCallView): TemplateResult {
  const { html, nothing } = kit;
  const { call } = v;
  const video = call.media === "video";
  const peers = [...call.peers.values()];
  const status =
    call.phase === "ringing"
      ? s.t("call.ringing")
      : call.phase === "connecting" || call.connectedAt === undefined
        ? s.t("call.connecting")
        : s.t("call.duration", { time: clockText(v.now - call.connectedAt) });
  const selfShows = video && (call.camera || call.screen);
  return html`<section data-view="in-call" data-phase=${call.phase} tabindex="-1" aria-labelledby="call-title">
    <div class="row spread">
      <h3 id="call-title">${icon(kit, video ? ICONS.video : ICONS.phone)} ${s.t(video ? "call.video" : "call.audio")}</h3>
      <span class="sub duration" role="timer" aria-live="off" data-duration>${status}</span>
    </div>
    <div class="stage">
      <div class="tiles">${peers.map((p) => tile(kit, s, p, v.nameOf(p.principalId), video))}</div>
      ${
        video
          ? html`<figure class="self ${peers.length ? "" : "alone"} ${selfShows ? "" : "off"}" data-self>
              <video autoplay playsinline muted .muted=${true} .srcObject=${call.local ?? null}
                aria-label=${s.t(call.screen ? "call.yourScreen" : "call.selfView")}></video>
              ${selfShows ? nothing : html`<span class="avatar" aria-hidden="true">${s.t("call.you").slice(0, 1)}</span>`}
              <figcaption><span class="name">${s.t("call.you")}</span>${
                call.muted
                  ? html`<span class="tag">${icon(kit, ICONS.micOff)}<span class="sr">${s.t("call.muted")}</span></span>`
                  : nothing
              }</figcaption>
            </figure>`
          : nothing
      }
    </div>
    <div class="controls" role="group" aria-label=${s.t("call.label")}>
      <button type="button" data-action="mute" aria-pressed=${call.muted ? "true" : "false"} @click=${v.toggleMute}
        >${icon(kit, call.muted ? ICONS.micOff : ICONS.mic)}<span>${s.t(call.muted ? "call.unmute" : "call.mute")}</span></button>
      ${
        video
          ? html`<button type="button" data-action="camera" aria-pressed=${call.camera ? "false" : "true"} ?disabled=${call.screen}
              @click=${v.toggleCamera}>${icon(kit, call.camera ? ICONS.video : ICONS.videoOff)}<span>${s.t(call.camera ? "call.cameraOffAction" : "call.cameraOn")}</span></button>`
          : nothing
      }
      <span class="menu">${v.menu ?? nothing}<button type="button" data-action="devices" aria-haspopup="menu"
        aria-expanded=${v.menu ? "true" : "false"} aria-label=${s.t("call.devices")} @click=${v.toggleMenu}>${icon(kit, ICONS.devices)}</button></span>
      ${
        v.canShare
          ? html`<button type="button" data-action="share" aria-pressed=${call.screen ? "true" : "false"} @click=${v.toggleShare}
              >${icon(kit, ICONS.screen)}<span>${s.t(call.screen ? "call.stopShare" : "call.share")}</span></button>`
          : nothing
      }
      <button type="button" class="hangup" data-action="hang-up" @click=${v.hangUp}>${icon(kit, ICONS.hangUp)}<span>${s.t("call.hangUp")}</span></button>
    </div>
    ${v.error ? html`<p class="error" role="alert">${s.t(v.error)}</p>` : nothing}
  </section>`;
}

/** The reason a call ended, in words. */
export function endText(s: CallsStrings, call: ActiveCall): string {
  if (call.endReason === "refused") return s.t(`refused.${call.refusal?.check ?? "unsigned"}`);
  return s.t(`end.${call.endReason ?? "ended"}`);
}

/** The end of this device's call: why, and Dismiss. */
export function endedView(kit: PanelKit, s: CallsStrings, call: ActiveCall, dismiss: () => void): TemplateResult {
  const { html } = kit;
  return html`<section data-view="ended" data-reason=${call.endReason ?? "ended"} role="status" tabindex="-1" aria-labelledby="call-title">
    <h3 id="call-title">${s.t("ended.title")}</h3>
    <p data-reason-text>${endText(s, call)}</p>
    <div class="row"><button type="button" data-action="dismiss" @click=${dismiss}>${s.t("ended.dismiss")}</button></div>
  </section>`;
}
