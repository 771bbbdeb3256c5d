/**
 * This device's media in a call: the microphone, the camera and the shared
 * screen, in one `MediaStream` the UI shows. The peer connections send
 * {@link LocalMedia.audioTrack} and {@link LocalMedia.videoTrack} (the screen
 * while shared, else the camera while on); a change swaps the track on their
 * senders (no renegotiation).
 */
import { ParleyError } from "../../errors.js";
import type { CallMedia } from "../../protocol/calls/wire.js";
import type { CallJoinOptions } from "../api.js";

/** The browser's media devices (navigator.mediaDevices). */
type Devices = MediaDevices;

/** `media_denied` with the browser's error as the cause. */
function denied(err: unknown): ParleyError {
  return new ParleyError("media_denied", undefined, { cause: err });
}

/** A device constraint: that device when named, else any. */
const pick = (deviceId: string | undefined): MediaTrackConstraints | boolean =>
  deviceId ? { deviceId: { exact: deviceId } } : true;

/** This device's microphone, camera and screen in a call. */
export class LocalMedia {
  /** What the UI shows: the microphone and what the video sender sends. */
  readonly stream: MediaStream;
  #devices: Devices;
  #audio: MediaStreamTrack | undefined;
  #camera: MediaStreamTrack | undefined;
  #screen: MediaStreamTrack | undefined;
  #muted: boolean;
  #videoDevice: string | undefined;
  /** Called when the screen share ends from the browser's own controls. */
  onScreenEnded: () => void = () => {};

  private constructor(devices: Devices, stream: MediaStream, options: CallJoinOptions) {
    this.#devices = devices;
    this.stream = stream;
    this.#audio = stream.getAudioTracks()[0];
    this.#camera = stream.getVideoTracks()[0];
    this.#muted = options.muted ?? false;
    this.#videoDevice = options.videoDevice;
    if (this.#audio) this.#audio.enabled = !this.#muted;
  }

  /** Asks for the microphone (and the camera for a video call unless `options.camera` is false); `media_denied` on failure. */
  static async open(devices: Devices, media: CallMedia, options: CallJoinOptions = {}): Promise<LocalMedia> {
    const video = media === "video" && options.camera !== false;
    try {
      const stream = await devices.getUserMedia({
        audio: pick(options.audioDevice),
        video: video ? pick(options.videoDevice) : false,
      });
      return new LocalMedia(devices, stream, options);
    } catch (err) {
      throw denied(err);
    }
  }

  /** The microphone track (sent muted as disabled, so the sender keeps it). */
  get audioTrack(): MediaStreamTrack | undefined {
    return this.#audio;
  }

  /** What the video sender sends: the screen while shared, else the camera while on, else nothing. */
  get videoTrack(): MediaStreamTrack | undefined {
    return this.#screen ?? this.#camera;
  }

  /** Microphone muted. */
  get muted(): boolean {
    return this.#muted;
  }

  /** Camera on. */
  get camera(): boolean {
    return this.#camera !== undefined;
  }

  /** Screen shared. */
  get screen(): boolean {
    return this.#screen !== undefined;
  }

  /** Mutes or unmutes the microphone. */
  setMuted(muted: boolean): void {
    this.#muted = muted;
    if (this.#audio) this.#audio.enabled = !muted;
  }

  /** Camera on (asks for it again) or off (stops it, so its light goes out). */
  async setCamera(on: boolean): Promise<void> {
    if (on === this.camera) return;
    if (!on) {
      this.#drop(this.#camera);
      this.#camera = undefined;
      return;
    }
    this.#camera = await this.#get("videoinput", this.#videoDevice);
    if (!this.#screen) this.stream.addTrack(this.#camera);
  }

  /** Another microphone or camera (the camera only switches while it is on; the next `setCamera(true)` uses it either way). */
  async switchDevice(kind: "audioinput" | "videoinput", deviceId: string): Promise<void> {
    if (kind === "videoinput") {
      this.#videoDevice = deviceId;
      if (!this.#camera) return;
      const next = await this.#get(kind, deviceId);
      this.#drop(this.#camera);
      this.#camera = next;
      if (!this.#screen) this.stream.addTrack(next);
      return;
    }
    const next = await this.#get(kind, deviceId);
    next.enabled = !this.#muted;
    this.#drop(this.#audio);
    this.#audio = next;
    this.stream.addTrack(next);
  }

  /** Shares the screen in place of the camera (`media_denied` when refused), or goes back to the camera. */
  async shareScreen(on: boolean): Promise<void> {
    if (on === this.screen) return;
    if (!on) {
      this.#drop(this.#screen);
      this.#screen = undefined;
      if (this.#camera) this.stream.addTrack(this.#camera);
      return;
    }
    let screen: MediaStreamTrack | undefined;
    try {
      screen = (await this.#devices.getDisplayMedia({ video: true, audio: false })).getVideoTracks()[0];
    } catch (err) {
      throw denied(err);
    }
    if (!screen) throw denied(new Error("no screen track"));
    if (this.#camera) this.stream.removeTrack(this.#camera);
    this.#screen = screen;
    this.stream.addTrack(screen);
    screen.addEventListener("ended", () => {
      if (this.#screen !== screen) return;
      screen.stop();
      this.stream.removeTrack(screen);
      this.#screen = undefined;
      if (this.#camera) this.stream.addTrack(this.#camera);
      this.onScreenEnded();
    });
  }

  /** Stops every track. */
  stop(): void {
    for (const track of [this.#audio, this.#camera, this.#screen, ...this.stream.getTracks()]) track?.stop();
    this.#audio = this.#camera = this.#screen = undefined;
  }

  async #get(kind: "audioinput" | "videoinput", deviceId: string | undefined): Promise<MediaStreamTrack> {
    try {
      const stream = await this.#devices.getUserMedia(
        kind === "audioinput" ? { audio: pick(deviceId) } : { video: pick(deviceId) },
      );
      const track = (kind === "audioinput" ? stream.getAudioTracks() : stream.getVideoTracks())[0];
      if (!track) throw new Error(`no ${kind} track`);
      return track;
    } catch (err) {
      throw denied(err);
    }
  }

  #drop(track: MediaStreamTrack | undefined): void {
    if (!track) return;
    track.stop();
    this.stream.removeTrack(track);
  }
}
