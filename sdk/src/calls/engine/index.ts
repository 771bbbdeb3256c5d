/**
 * PLACEHOLDER on the calls-fold branch only, so the calls runtime type-checks
 * before the WebRTC engine lands (its own branch replaces this file): an
 * engine that has no call and refuses to start or join one.
 */
import { ParleyError } from "../../errors.js";
import type { CallMedia } from "../../protocol/calls/wire.js";
import { StateStore } from "../../state-store.js";
import type { ActiveCall, CallJoinOptions } from "../api.js";
import type { CallEngineApi, CallEngineHost } from "../engine-api.js";

/** Refuses every call: `call_unavailable` (the engine is not built on this branch). */
export class CallEngine implements CallEngineApi {
  readonly current = new StateStore<ActiveCall | undefined>(undefined);

  readonly #host: CallEngineHost;

  /** Keeps the host (unused here). */
  constructor(host: CallEngineHost) {
    this.#host = host;
  }

  /** Whether encryption is on for this client (the real engine refuses a call without it). */
  get encrypted(): boolean {
    return this.#host.encrypted;
  }

  start(_convId: string, _media: CallMedia, _options?: CallJoinOptions): Promise<ActiveCall> {
    return Promise.reject(new ParleyError("call_unavailable", "the call engine is not built here"));
  }

  accept(_convId: string, _callId: string, _options?: CallJoinOptions): Promise<ActiveCall> {
    return Promise.reject(new ParleyError("call_unavailable", "the call engine is not built here"));
  }

  async hangUp(): Promise<void> {}

  setMuted(_muted: boolean): void {}

  async setCamera(_on: boolean): Promise<void> {}

  async switchDevice(_kind: "audioinput" | "videoinput", _deviceId: string): Promise<void> {}

  async shareScreen(_on: boolean): Promise<void> {}

  dismiss(): void {}

  unverified(_convId: string, _sender: string, _reason: string): void {}

  busy(): boolean {
    return false;
  }

  close(): void {}
}
