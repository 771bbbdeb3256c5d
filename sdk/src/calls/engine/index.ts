/**
 * The WebRTC engine of `client.calls` (engine-api.ts): this device's call,
 * one at a time. It gets the media ({@link LocalMedia}), posts the `call` or
 * `join` message through the host, and runs the call's mesh and signalling in
 * a {@link CallSession}. Loaded on first use by the calls runtime; needs a
 * browser (`RTCPeerConnection`, `navigator.mediaDevices`).
 */
import type { ReceivedLive } from "../../client/live-channel.js";
import { ParleyError } from "../../errors.js";
import { type CallMedia, RING_MS } from "../../protocol/calls/wire.js";
import { StateStore } from "../../state-store.js";
import type { ActiveCall, CallJoinOptions } from "../api.js";
import type { CallEngineApi, CallEngineHost } from "../engine-api.js";
import { LocalMedia } from "./local-media.js";
import { CallSession } from "./session.js";

export { certificateMatches, sdpFingerprint } from "./fingerprint.js";
export { offerTargets, postsDropLeave, qualityOf } from "./mesh.js";

/** The browser's media devices, when this runtime has WebRTC at all. */
function mediaDevices(): MediaDevices | undefined {
  const g = globalThis as { RTCPeerConnection?: unknown; navigator?: { mediaDevices?: MediaDevices } };
  if (typeof g.RTCPeerConnection !== "function") return undefined;
  return g.navigator?.mediaDevices;
}

/** `call_unavailable` with a reason. */
const unavailable = (why: string) =>
  new ParleyError("call_unavailable", `That call cannot be started or joined: ${why}.`);

/** This device's calls: one {@link CallSession} at a time. */
export class CallEngine implements CallEngineApi {
  readonly current = new StateStore<ActiveCall | undefined>(undefined);
  readonly #host: CallEngineHost;
  #session: CallSession | undefined;
  /** The media of the current session. */
  #local: LocalMedia | undefined;
  /** Set while `start` or `accept` gets media and posts, before the session exists. */
  #pending = false;
  readonly #unsubscribe: () => void;

  constructor(host: CallEngineHost) {
    this.#host = host;
    this.#unsubscribe = host.live.onSignal((s) => this.#signal(s));
  }

  async start(convId: string, media: CallMedia, options: CallJoinOptions = {}): Promise<ActiveCall> {
    const host = this.#host;
    const devices = this.#available();
    this.#pending = true;
    try {
      const local = await LocalMedia.open(devices, media, options);
      let message: Awaited<ReturnType<CallEngineHost["send"]>>;
      try {
        message = await host.send(convId, { type: "call", call: { media, at: Math.round(host.now()) } });
      } catch (err) {
        local.stop();
        throw err;
      }
      return this.#begin({ convId, id: message.msgId, media, outgoing: true, local });
    } finally {
      this.#pending = false;
    }
  }

  async accept(convId: string, callId: string, options: CallJoinOptions = {}): Promise<ActiveCall> {
    const host = this.#host;
    const devices = this.#available();
    const record = host.board(convId).value.calls.get(callId);
    if (!record) throw unavailable("the call is not on the board");
    if (record.state === "ended") throw unavailable("the call has ended");
    this.#pending = true;
    try {
      const local = await LocalMedia.open(devices, record.media, options);
      try {
        await host.send(convId, {
          type: "call-event",
          event: { call: callId, op: "join", at: Math.round(host.now()) },
        });
      } catch (err) {
        local.stop();
        throw err;
      }
      const call = this.#begin({ convId, id: callId, media: record.media, outgoing: false, local });
      void this.#session?.connect().catch((err) => host.report(err));
      return call;
    } finally {
      this.#pending = false;
    }
  }

  async hangUp(): Promise<void> {
    await this.#session?.end("hung_up", true);
  }

  setMuted(muted: boolean): void {
    const session = this.#live();
    if (!session) return;
    this.#local?.setMuted(muted);
    void session.mediaChanged();
  }

  async setCamera(on: boolean): Promise<void> {
    await this.#change((local) => local.setCamera(on));
  }

  async switchDevice(kind: "audioinput" | "videoinput", deviceId: string): Promise<void> {
    await this.#change((local) => local.switchDevice(kind, deviceId));
  }

  async shareScreen(on: boolean): Promise<void> {
    await this.#change((local) => local.shareScreen(on));
  }

  dismiss(): void {
    if (this.#session && !this.#session.ended) return;
    this.#session = undefined;
    this.#local = undefined;
    this.current.set(undefined);
  }

  unverified(convId: string, sender: string, _reason: string): void {
    const session = this.#live();
    if (session?.convId === convId) session.unverified(sender);
  }

  busy(): boolean {
    return this.#pending || this.#live() !== undefined;
  }

  close(): void {
    this.#unsubscribe();
    void this.#session?.end("hung_up", false);
  }

  /** The session while its call has not ended. */
  #live(): CallSession | undefined {
    return this.#session && !this.#session.ended ? this.#session : undefined;
  }

  /** The media devices, or `call_unavailable` (no encryption, no WebRTC, already in a call). */
  #available(): MediaDevices {
    if (!this.#host.encrypted) throw unavailable("calls need end-to-end encryption");
    const devices = mediaDevices();
    if (!devices) throw unavailable("this runtime has no WebRTC");
    if (this.busy()) throw unavailable("this device is in another call");
    return devices;
  }

  #begin(o: { convId: string; id: string; media: CallMedia; outgoing: boolean; local: LocalMedia }): ActiveCall {
    const session = new CallSession(this.#host, {
      ...o,
      ringMs: this.#host.ringMs ?? RING_MS,
      publish: (call) => {
        if (this.#session === session) this.current.set(call);
      },
    });
    this.#session = session;
    this.#local = o.local;
    this.current.set(session.snapshot());
    session.begin();
    return session.snapshot();
  }

  async #change(work: (local: LocalMedia) => Promise<void>): Promise<void> {
    const session = this.#live();
    const local = this.#local;
    if (!session || !local) return;
    await work(local);
    await session.mediaChanged();
  }

  #signal(s: ReceivedLive): void {
    if (s.live.kind !== "call") return;
    this.#live()?.signal(s);
  }
}
