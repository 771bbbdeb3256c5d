/**
 * New-message alerts while the dashboard's tab is hidden: a short two-tone
 * chime made with WebAudio (no audio file), and a browser notification when
 * the agent allowed them. Permission is asked only from a click on the
 * "Enable sound and notifications" button, never on load. Notifications name
 * the customer but never carry message text: the lock screen is not
 * end-to-end encrypted.
 */
export type AlertPermission = NotificationPermission | "unsupported";

export class Alerts {
  #audio: AudioContext | undefined;
  /** Alerts raised so far (shown as `data-alerts` on the app, which tests read). */
  count = 0;

  /** Browser notification permission as it stands. */
  get permission(): AlertPermission {
    return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
  }

  /** Call from a user gesture: unlocks audio, and asks for notification permission when `ask`. */
  async enable(ask: boolean): Promise<AlertPermission> {
    try {
      this.#audio ??= new AudioContext();
      await this.#audio.resume();
    } catch {
      // No audio output: notifications still work.
    }
    if (!ask || typeof Notification === "undefined") return this.permission;
    return Notification.requestPermission();
  }

  /** A new message from someone else arrived: alert when the tab is hidden. */
  newMessage(title: string, tag: string): boolean {
    if (document.visibilityState !== "hidden") return false;
    this.count++;
    this.#chime();
    if (this.permission === "granted") {
      try {
        const n = new Notification(title, { tag, silent: true });
        n.onclick = () => {
          window.focus();
          n.close();
        };
      } catch {
        // Some browsers only allow notifications from a service worker.
      }
    }
    return true;
  }

  #chime(): void {
    const ctx = this.#audio;
    if (ctx?.state !== "running") return;
    const now = ctx.currentTime;
    const gain = ctx.createGain();
    gain.connect(ctx.destination);
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.2, now + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.35);
    for (const [freq, start] of [
      [880, 0],
      [1320, 0.12],
    ] as const) {
      const osc = ctx.createOscillator();
      osc.type = "sine";
      osc.frequency.setValueAtTime(freq, now + start);
      osc.connect(gain);
      osc.start(now + start);
      osc.stop(now + start + 0.2);
    }
  }

  close(): void {
    void this.#audio?.close().catch(() => undefined);
    this.#audio = undefined;
  }
}
