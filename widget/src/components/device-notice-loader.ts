/**
 * Loads `<parley-device-notice>` the first time a member's devices really
 * change (a device added, retired, or offered with new keys; first contact is
 * not a change): most chats never see one, so the element stays out of the
 * chat's first load (ADR 0026). Until then the chat renders nothing in its
 * place; the changes that made it load are handed to the element once it is
 * in the page, and it follows the client itself from then on.
 */
import type { DeviceSetChange, ParleyClient } from "@parley/sdk";
import type { ReactiveController, ReactiveControllerHost } from "lit";
import { kit } from "./panel-kit.js";
import type { ParleyDeviceNotice } from "./parley-device-notice.js";

/** Whether a `devices-changed` event holds a change worth a notice. */
const noticeable = (changes: readonly DeviceSetChange[]) =>
  changes.some((c) => !c.firstSight && (c.added.length > 0 || c.removed.length > 0 || c.keyChanged.length > 0));

/** Follows a client's `devices-changed` events for its host until the notice element is needed. */
export class DeviceNoticeLoader implements ReactiveController {
  /** True once the element is defined and should be rendered. */
  ready = false;
  readonly #host: ReactiveControllerHost & HTMLElement;
  #off: (() => void) | undefined;
  #waiting: DeviceSetChange[][] = [];

  constructor(host: ReactiveControllerHost & HTMLElement) {
    this.#host = host;
    host.addController(this);
  }

  /** Follows `client` (none: stops); call whenever the host's client changes. */
  follow(client: ParleyClient | undefined): void {
    this.#off?.();
    this.#off = undefined;
    if (!client || this.ready) return;
    this.#off = client.on("devices-changed", (changes) => {
      this.#waiting.push(changes);
      if (noticeable(changes)) void this.#load();
    });
  }

  hostDisconnected(): void {
    this.#off?.();
    this.#off = undefined;
  }

  /** After the host rendered the element: hands it the changes that came before it followed the client. */
  hostUpdated(): void {
    if (!this.ready || this.#waiting.length === 0) return;
    const element = this.#host.shadowRoot?.querySelector<ParleyDeviceNotice>("parley-device-notice");
    if (!element) return;
    for (const changes of this.#waiting.splice(0)) element.add(changes);
  }

  async #load(): Promise<void> {
    if (!customElements.get("parley-device-notice")) {
      const { deviceNoticeClass } = await import("./parley-device-notice.js");
      if (!customElements.get("parley-device-notice")) {
        customElements.define("parley-device-notice", deviceNoticeClass(kit));
      }
    }
    // From now on the element hears the client itself.
    this.#off?.();
    this.#off = undefined;
    this.ready = true;
    this.#host.requestUpdate();
  }
}
