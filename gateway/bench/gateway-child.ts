/** Starts a real gateway in its own process (child.ts), wired to the bench's nats-server and shop. */
import type { NatsHarness } from "../test/harness/nats.js";
import type { GatewayChildOptions } from "./child.js";
import { AGENT, SHOP } from "./clients.js";
import { type NodeChild, onCleanup, spawnNodeChild } from "./procs.js";

export interface GatewayChild {
  url: string;
  pid: number;
  child: NodeChild;
  stop(): Promise<void>;
}

export async function startGatewayChild(
  nats: NatsHarness,
  dataDir: string,
  mongo?: { uri: string; dbName: string },
  /** Give the gateway the system-account user (connection watcher, presence from connections). @default false */
  watch = false,
): Promise<GatewayChild> {
  const options: GatewayChildOptions = {
    role: "gateway",
    natsUrl: nats.url,
    natsWsUrl: nats.wsUrl,
    accountPub: nats.auth.appAccountPub,
    signingSeed: nats.auth.appSigningSeed,
    dataDir,
    ...(mongo ? { mongo } : {}),
    shop: SHOP,
    agent: AGENT,
    ...(watch ? { systemUser: { jwt: nats.auth.gatewaySystemJwt, seed: nats.auth.gatewaySystemSeed } } : {}),
  };
  const child = await spawnNodeChild({ ...options });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await child.stop();
  };
  onCleanup(stop);
  return { url: String(child.ready.url), pid: child.pid, child, stop };
}
