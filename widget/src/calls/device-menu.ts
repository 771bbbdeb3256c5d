/**
 * The call's device menu: the microphones and cameras the browser lists
 * (`navigator.mediaDevices.enumerateDevices`, labelled once the page may use
 * them), the ones in use checked. Arrow keys move between the entries,
 * Enter or Space picks one, Escape closes the menu.
 */
import type { TemplateResult } from "lit";
import type { PanelKit } from "../components/panel-kit.js";
import type { CallsStrings } from "./strings.js";

/** A device's kind as `client.calls.switchDevice` takes it. */
export type DeviceKind = "audioinput" | "videoinput";

/** The devices of the kinds a call uses. */
export async function listDevices(video: boolean): Promise<MediaDeviceInfo[]> {
  const all = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  return all.filter((d) => d.kind === "audioinput" || (video && d.kind === "videoinput"));
}

/** The id of the device a stream's track of `kind` comes from, if it says. */
export function inUse(stream: MediaStream | undefined, kind: DeviceKind): string | undefined {
  const track = kind === "audioinput" ? stream?.getAudioTracks()[0] : stream?.getVideoTracks()[0];
  return track?.getSettings().deviceId;
}

/** What the menu shows and does. */
export interface DeviceMenu {
  devices: readonly MediaDeviceInfo[];
  chosen: Partial<Record<DeviceKind, string>>;
  pick(kind: DeviceKind, deviceId: string): void;
  close(): void;
}

/** Moves focus among the menu's entries with the arrow keys, Home and End; Escape closes. */
function onKey(e: KeyboardEvent, close: () => void): void {
  const menu = e.currentTarget as HTMLElement;
  const items = [...menu.querySelectorAll<HTMLElement>("[role=menuitemradio]")];
  const at = items.indexOf(e.target as HTMLElement);
  const go = (i: number) => items[(i + items.length) % items.length]?.focus();
  if (e.key === "ArrowDown") go(at + 1);
  else if (e.key === "ArrowUp") go(at - 1);
  else if (e.key === "Home") go(0);
  else if (e.key === "End") go(items.length - 1);
  else if (e.key === "Escape" || e.key === "Tab") {
    if (e.key === "Escape") e.stopPropagation();
    close();
    if (e.key === "Tab") return;
  } else return;
  e.preventDefault();
}

/** The open menu. */
export function deviceMenu(kit: PanelKit, s: CallsStrings, m: DeviceMenu): TemplateResult {
  const { html, nothing } = kit;
  const group = (kind: DeviceKind, label: string) => {
    const list = m.devices.filter((d) => d.kind === kind);
    if (list.length === 0) return nothing;
    return html`<div role="group" aria-label=${label}><span aria-hidden="true">${label}</span>${list.map(
      (d, i) => html`<button type="button" role="menuitemradio" tabindex="-1" data-device=${d.deviceId}
        aria-checked=${m.chosen[kind] === d.deviceId ? "true" : "false"}
        @click=${() => m.pick(kind, d.deviceId)}>${d.label || s.t("call.deviceFallback", { n: i + 1 })}</button>`,
    )}</div>`;
  };
  return html`<div role="menu" aria-label=${s.t("call.devices")} @keydown=${(e: KeyboardEvent) => onKey(e, m.close)}>
    ${group("audioinput", s.t("call.microphones"))}${group("videoinput", s.t("call.cameras"))}
  </div>`;
}
