/**
 * What turn-relay.test.ts runs inside Chromium: two RTCPeerConnections in one
 * page, each sending the fake camera and microphone (`--use-fake-device-for-media-stream`),
 * forced through TURN (`iceTransportPolicy: "relay"`) with the ICE servers of
 * a real `call.ice` answer, exchanging SDP and candidates in the page. These
 * functions are passed to `page.evaluate`, so they use nothing from outside
 * their own bodies and keep their state on `window`.
 */
import type { IceServer } from "@parley/sdk/protocol";

/** What {@link relayCall} reports once both sides are connected, or why they are not. */
export interface RelayOutcome {
  /** Each connection's `connectionState` at the end. */
  states: [string, string];
  /** ms from creating the offer until the call settled (connected, or nothing gathered), or the deadline. */
  msToConnected: number;
  /** Types of the candidates each side gathered (`relay`, `host`, ...). */
  gathered: [string[], string[]];
  /** `icecandidateerror` codes and texts each side saw (a TURN server refusing credentials: 401). */
  candidateErrors: [string[], string[]];
}

/** One side's numbers from `getStats()`. */
export interface RelayStats {
  /** Local and remote candidate types of the selected pair (`relay` when it goes through TURN). */
  localType: string | undefined;
  remoteType: string | undefined;
  /** The local candidate's protocol to the TURN server (`udp`, `tcp`) and its address. */
  relayProtocol: string | undefined;
  localAddress: string | undefined;
  /** Bytes sent and received on the selected pair. */
  bytesSent: number;
  bytesReceived: number;
  /** Inbound video frames decoded and audio bytes received. */
  framesDecoded: number;
  audioBytesReceived: number;
}

/**
 * Starts the two-connection call and waits until both are connected, or both
 * finished gathering candidates without any, or `deadlineMs` passed.
 */
export async function relayCall(args: { iceServers: IceServer[]; deadlineMs: number }): Promise<RelayOutcome> {
  const config: RTCConfiguration = { iceServers: args.iceServers, iceTransportPolicy: "relay" };
  const a = new RTCPeerConnection(config);
  const b = new RTCPeerConnection(config);
  (window as unknown as { relayPeers: RTCPeerConnection[] }).relayPeers = [a, b];
  const gathered: [string[], string[]] = [[], []];
  const candidateErrors: [string[], string[]] = [[], []];
  const wire = (from: RTCPeerConnection, to: RTCPeerConnection, index: 0 | 1) => {
    from.addEventListener("icecandidate", (e) => {
      if (!e.candidate) return;
      gathered[index].push(e.candidate.type ?? "unknown");
      to.addIceCandidate(e.candidate).catch(() => undefined);
    });
    from.addEventListener("icecandidateerror", (e) => {
      const err = e as RTCPeerConnectionIceErrorEvent;
      candidateErrors[index].push(`${err.errorCode} ${err.errorText}`);
    });
  };
  wire(a, b, 0);
  wire(b, a, 1);
  for (const pc of [a, b]) {
    const media = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 320, height: 240 } });
    for (const track of media.getTracks()) pc.addTrack(track, media);
  }
  const started = performance.now();
  // Settled: both connected, or both done gathering without a single candidate (nothing can connect then).
  const settled = new Promise<void>((resolve) => {
    const check = () => {
      if (a.connectionState === "connected" && b.connectionState === "connected") resolve();
      const done = a.iceGatheringState === "complete" && b.iceGatheringState === "complete";
      if (done && gathered[0].length === 0 && gathered[1].length === 0) resolve();
    };
    for (const pc of [a, b]) {
      pc.addEventListener("connectionstatechange", check);
      pc.addEventListener("icegatheringstatechange", check);
    }
  });
  const offer = await a.createOffer();
  await a.setLocalDescription(offer);
  await b.setRemoteDescription(offer);
  const answer = await b.createAnswer();
  await b.setLocalDescription(answer);
  await a.setRemoteDescription(answer);
  await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, args.deadlineMs))]);
  // Let the last gathering and error events arrive before reporting.
  await new Promise((resolve) => setTimeout(resolve, 200));
  return {
    states: [a.connectionState, b.connectionState],
    msToConnected: Math.round(performance.now() - started),
    gathered,
    candidateErrors,
  };
}

/** Both sides' {@link RelayStats}, from the connections {@link relayCall} left on `window`. */
export async function relayStats(): Promise<RelayStats[]> {
  const peers = (window as unknown as { relayPeers: RTCPeerConnection[] }).relayPeers;
  return Promise.all(
    peers.map(async (pc) => {
      const report = await pc.getStats();
      const all = [...report.values()] as Array<Record<string, unknown>>;
      const byId = (id: unknown) => (typeof id === "string" ? (report.get(id) as Record<string, unknown>) : undefined);
      const transport = all.find((s) => s.type === "transport");
      const pair = byId(transport?.selectedCandidatePairId);
      const local = byId(pair?.localCandidateId);
      const remote = byId(pair?.remoteCandidateId);
      const inbound = all.filter((s) => s.type === "inbound-rtp");
      const video = inbound.find((s) => s.kind === "video");
      const audio = inbound.find((s) => s.kind === "audio");
      return {
        localType: local?.candidateType as string | undefined,
        remoteType: remote?.candidateType as string | undefined,
        relayProtocol: local?.relayProtocol as string | undefined,
        localAddress: local?.address as string | undefined,
        bytesSent: Number(pair?.bytesSent ?? 0),
        bytesReceived: Number(pair?.bytesReceived ?? 0),
        framesDecoded: Number(video?.framesDecoded ?? 0),
        audioBytesReceived: Number(audio?.bytesReceived ?? 0),
      };
    }),
  );
}

/** Closes the connections and stops the tracks. */
export function relayHangUp(): void {
  const peers = (window as unknown as { relayPeers?: RTCPeerConnection[] }).relayPeers ?? [];
  for (const pc of peers) {
    for (const sender of pc.getSenders()) sender.track?.stop();
    pc.close();
  }
}
