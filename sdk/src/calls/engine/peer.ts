/**
 * One connection of the mesh: an `RTCPeerConnection` to one other device of
 * the call, with one audio and one video transceiver (always both, sendrecv,
 * even in a voice call: turning a camera on or sharing the screen later swaps
 * a track on the video sender and never renegotiates). ICE is not trickled:
 * a description goes out once its candidates are gathered (or after
 * {@link GATHER_MS}), so one signed offer and one signed answer make a call.
 */
import type { RemotePeer } from "../api.js";
import { sdpFingerprint } from "./fingerprint.js";
import { qualityOf } from "./mesh.js";
import { type LinkStats, readStats, type StatsReport } from "./stats.js";

/** The longest wait for ICE candidates before a description goes out with what it has, ms. */
export const GATHER_MS = 2_000;

/** A session description ready to sign and send: the SDP with its candidates and the fingerprint it names. */
export interface SignedDescription {
  /** The SDP. */
  sdp: string;
  /** Its `a=fingerprint` value. */
  fingerprint: string;
}

/** Resolves once ICE gathering is complete, or after `ms`. */
function gathered(pc: RTCPeerConnection, ms: number): Promise<void> {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      pc.removeEventListener("icegatheringstatechange", check);
      resolve();
    };
    const check = () => {
      if (pc.iceGatheringState === "complete") done();
    };
    const timer = setTimeout(done, ms);
    pc.addEventListener("icegatheringstatechange", check);
  });
}

/** What a link tells its engine. */
export interface PeerLinkEvents {
  /** The connection state changed, or a track arrived. */
  changed(): void;
}

/** One other device of the call and this device's connection to it. */
export class PeerLink {
  /** The other device. */
  readonly device: string;
  /** Its principal. */
  readonly principalId: string;
  /** What arrives from it. */
  readonly stream = new MediaStream();
  /** The fingerprint its signed description named (set before its SDP is applied). */
  signedFingerprint: string | undefined;
  /** Whether its certificate was checked against {@link signedFingerprint}. */
  certificateChecked = false;
  /** Whether this side offered (and waits for an answer). */
  awaitingAnswer = false;
  /** Since when the link is down, local ms (made and not yet connected, or out of `connected`); undefined while up. */
  troubleSince: number | undefined;
  /** The last quality and round trip measured. */
  quality: RemotePeer["quality"] = "connecting";
  /** Round-trip time, ms. */
  rttMs: number | undefined;
  readonly #pc: RTCPeerConnection;
  #last: LinkStats | undefined;

  constructor(peer: { device: string; principalId: string }, iceServers: RTCIceServer[], events: PeerLinkEvents) {
    this.device = peer.device;
    this.principalId = peer.principalId;
    this.troubleSince = Date.now();
    const pc = new RTCPeerConnection({ iceServers });
    this.#pc = pc;
    pc.addEventListener("track", (event) => {
      if (!this.stream.getTracks().includes(event.track)) this.stream.addTrack(event.track);
      events.changed();
    });
    pc.addEventListener("connectionstatechange", () => {
      // The drop clock runs from leaving `connected`, not from each later change (disconnected, then failed).
      if (pc.connectionState === "connected") this.troubleSince = undefined;
      else this.troubleSince ??= Date.now();
      events.changed();
    });
  }

  /** The connection's state, as RemotePeer names it. */
  get connection(): RemotePeer["connection"] {
    const state = this.#pc.connectionState;
    if (state === "disconnected") return "connecting";
    return state;
  }

  /** Whether the connection is up. */
  get connected(): boolean {
    return this.#pc.connectionState === "connected";
  }

  /** Makes the offer (this device joined later): the two transceivers, sending `tracks`. */
  async offer(tracks: { audio?: MediaStreamTrack; video?: MediaStreamTrack }): Promise<SignedDescription> {
    const pc = this.#pc;
    pc.addTransceiver(tracks.audio ?? "audio", { direction: "sendrecv" });
    pc.addTransceiver(tracks.video ?? "video", { direction: "sendrecv" });
    await pc.setLocalDescription(await pc.createOffer());
    this.awaitingAnswer = true;
    return this.#described();
  }

  /** Takes an offer (its fingerprint checked by the caller) and makes the answer, sending `tracks`. */
  async answer(
    sdp: string,
    tracks: { audio?: MediaStreamTrack; video?: MediaStreamTrack },
  ): Promise<SignedDescription> {
    const pc = this.#pc;
    await pc.setRemoteDescription({ type: "offer", sdp });
    for (const transceiver of pc.getTransceivers()) transceiver.direction = "sendrecv";
    await this.setTracks(tracks);
    await pc.setLocalDescription(await pc.createAnswer());
    return this.#described();
  }

  /** Takes the answer to this side's offer (its fingerprint checked by the caller). */
  async accept(sdp: string): Promise<void> {
    this.awaitingAnswer = false;
    await this.#pc.setRemoteDescription({ type: "answer", sdp });
  }

  /** Sends these tracks from now on (a missing one: nothing on that sender). */
  async setTracks(tracks: { audio?: MediaStreamTrack; video?: MediaStreamTrack }): Promise<void> {
    const work: Promise<void>[] = [];
    for (const transceiver of this.#pc.getTransceivers()) {
      const kind = transceiver.receiver.track.kind;
      const next = (kind === "audio" ? tracks.audio : tracks.video) ?? null;
      if (transceiver.sender.track !== next) work.push(transceiver.sender.replaceTrack(next));
    }
    await Promise.all(work);
  }

  /** Reads the stats; the packet counts since the last read make the quality. */
  async sample(): Promise<LinkStats> {
    const stats = readStats((await this.#pc.getStats()) as unknown as StatsReport);
    const last = this.#last;
    this.#last = stats;
    if (stats.rtt !== undefined) this.rttMs = Math.round(stats.rtt * 1000);
    if (this.connected) {
      this.quality = qualityOf({
        ...(stats.rtt === undefined ? {} : { rtt: stats.rtt }),
        lost: stats.packetsLost - (last?.packetsLost ?? 0),
        received: stats.packetsReceived - (last?.packetsReceived ?? 0),
      });
    } else {
      this.quality = this.#pc.connectionState === "failed" ? "lost" : "connecting";
    }
    return stats;
  }

  /** Closes the connection and stops what it received. */
  close(): void {
    this.#pc.close();
    for (const track of this.stream.getTracks()) track.stop();
  }

  async #described(): Promise<SignedDescription> {
    await gathered(this.#pc, GATHER_MS);
    const sdp = this.#pc.localDescription?.sdp ?? "";
    const fingerprint = sdpFingerprint(sdp);
    if (!fingerprint) throw new Error("the session description names no DTLS fingerprint");
    return { sdp, fingerprint };
  }
}

/** What a participant last said it sends (its `media` signal). */
export type MediaState = Pick<RemotePeer, "audio" | "video" | "screen">;

/**
 * The other devices as `ActiveCall.peers` shows them: each link with what its
 * device last said it sends (before its first `media` signal: the microphone
 * on, the camera as the call's media).
 */
export function remotePeers(
  links: Iterable<PeerLink>,
  media: ReadonlyMap<string, MediaState>,
  o: { video: boolean; ended: boolean },
): Map<string, RemotePeer> {
  const peers = new Map<string, RemotePeer>();
  for (const link of links) {
    peers.set(link.device, {
      principalId: link.principalId,
      device: link.device,
      stream: link.stream,
      ...(media.get(link.device) ?? { audio: true, video: o.video, screen: false }),
      connection: o.ended ? "closed" : link.connection,
      quality: link.quality,
      ...(link.rttMs === undefined ? {} : { rttMs: link.rttMs }),
    });
  }
  return peers;
}
