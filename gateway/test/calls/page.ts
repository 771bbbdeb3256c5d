/**
 * The page script of the calls browser tests (bundled with esbuild, the SDK
 * from source): reads its settings from `window.__callsFixture`, creates a
 * real SDK client (end-to-end encrypted) against the test gateway and leaves
 * it on `window.__rtc` with what the tests drive and read: every
 * `RTCPeerConnection` the page made (a subclass records them, so the test can
 * read their stats; it changes nothing else), inbound media totals, and an
 * engine made directly (not the calls runtime's) with the host's test-only
 * ring window `ringMs`, for the missed call (45 s would be too long to wait).
 */
import { createClient, memoryStorage, type ParleyClient } from "@parley/sdk";
import { liveChannelOf } from "@parley/sdk/internal";
import { CallEngine } from "../../../sdk/src/calls/engine/index.js";
import type { CallEngineHost } from "../../../sdk/src/calls/engine-api.js";

interface Settings {
  gatewayUrl: string;
  shopId: string;
  agent?: { login: string; password: string };
}

/** Inbound media of every open connection of the page, summed. */
interface Inbound {
  connections: number;
  audioBytes: number;
  videoBytes: number;
  framesDecoded: number;
  /** Per open connection: video frames decoded. */
  perConnection: number[];
}

declare global {
  interface Window {
    __callsFixture: Settings;
    __parleyToken: () => Promise<string>;
    __rtc: {
      client: ParleyClient;
      pcs: RTCPeerConnection[];
      errors: string[];
      inbound(): Promise<Inbound>;
      live: ReturnType<typeof liveChannelOf>;
      /** An engine made here (not the runtime's), with a short ring window and signals that fail to open wired to it. */
      directEngine(ringMs: number): CallEngine;
      /** The last engine {@link directEngine} made. */
      direct?: CallEngine;
    };
  }
}

const pcs: RTCPeerConnection[] = [];
const Native = window.RTCPeerConnection;
window.RTCPeerConnection = class extends Native {
  constructor(config?: RTCConfiguration) {
    super(config);
    pcs.push(this);
  }
} as typeof RTCPeerConnection;

const s = window.__callsFixture;
const client = createClient({
  gatewayUrl: s.gatewayUrl,
  auth: s.agent
    ? { kind: "agent", shopId: s.shopId, login: s.agent.login, password: s.agent.password }
    : { kind: "customer", shopId: s.shopId, getToken: () => window.__parleyToken() },
  encryption: true,
  storage: memoryStorage(),
  requestTimeout: 5000,
});
const errors: string[] = [];
client.on("error", (err) => errors.push(String((err as Error).message)));

async function inbound(): Promise<Inbound> {
  const out: Inbound = { connections: 0, audioBytes: 0, videoBytes: 0, framesDecoded: 0, perConnection: [] };
  for (const pc of pcs) {
    if (pc.connectionState === "closed") continue;
    out.connections++;
    let frames = 0;
    (await pc.getStats()).forEach((stat: Record<string, unknown>) => {
      if (stat.type !== "inbound-rtp") return;
      const bytes = Number(stat.bytesReceived ?? 0);
      if (stat.kind === "audio") out.audioBytes += bytes;
      else {
        out.videoBytes += bytes;
        frames += Number(stat.framesDecoded ?? 0);
      }
    });
    out.framesDecoded += frames;
    out.perConnection.push(frames);
  }
  return out;
}

function directEngine(ringMs: number): CallEngine {
  const host: CallEngineHost = {
    self: client.principal.id,
    deviceId: client.deviceId,
    encrypted: true,
    live: liveChannelOf(client),
    send: (convId, body) => client.send(convId, body),
    iceServers: () => client.calls.iceServers(),
    board: (convId) => client.calls.board(convId),
    now: () => client.clock.now(),
    members: async (convId) => (await client.members(convId)).map((m) => m.principalId),
    report: (err) => errors.push(String((err as Error).message)),
    ringMs,
  };
  const engine = new CallEngine(host);
  window.__rtc.direct?.close();
  window.__rtc.direct = engine;
  return engine;
}

window.__rtc = { client, pcs, errors, inbound, live: liveChannelOf(client), directEngine };
void client.connect();
