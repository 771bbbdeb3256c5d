/**
 * `npm run bench -- --sdk-cpu [--senders N] [--messages M] [--rounds R] [--profile]`: the SDK's own
 * CPU per message, sending and receiving, counted by process CPU time (not wall time).
 *
 * A real gateway (child process, embedded store) and nats-server; N customer SDK clients in one
 * load-generator process (child.ts role `senders`), each in its own conversation; one agent SDK
 * client in this process that receives, verifies and opens every message (system.ts). After a
 * warm-up that staggers the conversations' epochs (as the bench's system run does), each round has
 * every sender send M messages closed loop; the sender process's CPU over the round divided by the
 * messages it sent, and this process's CPU divided by the messages the agent received, are the
 * figures. The median round is reported. `--profile` adds one more round with CPU profiles of both
 * processes (summarised in the JSON; the inspector slows them, so that round is not counted).
 *
 * Writes gateway/bench/out/sdk-cpu.json. See docs/performance.md, "SDK CPU per message".
 */
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { ROTATE_AFTER_MESSAGES } from "@parley/sdk/crypto";
import { startNats } from "../test/harness/nats.js";
import { startGatewayChild } from "./gateway-child.js";
import { type ProfileSummary, summariseProfile } from "./profile.js";
import { round } from "./stats.js";
import { SystemRig } from "./system.js";

export interface SdkCpuOptions {
  /** Customer senders, all in one process. */
  senders: number;
  /** Messages each sender sends per round. */
  messages: number;
  rounds: number;
  profile: boolean;
}

export interface SdkCpuRound {
  sent: number;
  received: number;
  seconds: number;
  /** CPU of the senders' process per message sent. */
  sender_us_per_msg: number;
  /** CPU of the agent's process per message received. */
  agent_us_per_msg: number;
  /** Of those, user-mode CPU (the JavaScript and native code; the rest is the kernel's, mostly socket calls). */
  sender_user_us_per_msg: number;
  agent_user_us_per_msg: number;
}

/** User and system CPU seconds of a process so far (Linux /proc). */
function userSystem(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
}

function numberArg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  const v = i >= 0 ? Number(args[i + 1]) : Number.NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

export function sdkCpuOptions(args: string[]): SdkCpuOptions {
  return {
    senders: numberArg(args, "--senders", 16),
    messages: numberArg(args, "--messages", 300),
    rounds: numberArg(args, "--rounds", 3),
    profile: args.includes("--profile"),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function measureSdkCpu(
  o: SdkCpuOptions,
  log: (msg: string) => void,
): Promise<{ rounds: SdkCpuRound[]; median: Omit<SdkCpuRound, "sent" | "received" | "seconds"> }> {
  const out = resolve("gateway/bench/out");
  await mkdir(join(out, "profiles"), { recursive: true });
  const nats = await startNats();
  const dir = await mkdtemp(join(tmpdir(), "parley-bench-sdk-cpu-"));
  const gw = await startGatewayChild(nats, dir);
  const rig = await SystemRig.start(gw.url, 1);
  try {
    const sendersChild = rig.senderChildren[0];
    if (!sendersChild) throw new Error("no senders process");
    log(`sdk-cpu: ${o.senders} senders in one process, 1 agent here`);
    await rig.addSenders(o.senders);
    await rig.warmUp(20, ROTATE_AFTER_MESSAGES);
    await rig.drain(10_000);
    const round1 = async (): Promise<SdkCpuRound> => {
      const received = rig.receivedTotal;
      const sentBefore = rig.acked.size;
      const senders0 = userSystem(sendersChild.pid);
      const agent0 = process.cpuUsage();
      const started = performance.now();
      await rig.throughput(600_000, o.messages);
      await rig.drain(10_000);
      const agent = process.cpuUsage(agent0);
      const senders1 = userSystem(sendersChild.pid);
      const sent = rig.acked.size - sentBefore;
      const got = rig.receivedTotal - received;
      const perSent = (seconds: number) => round((seconds * 1e6) / Math.max(1, sent), 1);
      const perGot = (us: number) => round(us / Math.max(1, got), 1);
      return {
        sent,
        received: got,
        seconds: round((performance.now() - started) / 1000, 2),
        sender_us_per_msg: perSent(senders1.user + senders1.system - senders0.user - senders0.system),
        agent_us_per_msg: perGot(agent.user + agent.system),
        sender_user_us_per_msg: perSent(senders1.user - senders0.user),
        agent_user_us_per_msg: perGot(agent.user),
      };
    };
    const rounds: SdkCpuRound[] = [];
    for (let r = 0; r < o.rounds; r++) {
      const result = await round1();
      rounds.push(result);
      log(`  round ${r + 1}: ${JSON.stringify(result)}`);
    }
    const profiles: Record<string, ProfileSummary> = {};
    if (o.profile) {
      const sendersFile = join(out, "profiles", "sdk-cpu-senders.cpuprofile");
      const agentFile = join(out, "profiles", "sdk-cpu-agent.cpuprofile");
      const session = new Session();
      session.connect();
      await session.post("Profiler.enable");
      await session.post("Profiler.setSamplingInterval", { interval: 250 });
      await sendersChild.command("prof:start");
      await session.post("Profiler.start");
      const result = await round1();
      const { profile } = await session.post("Profiler.stop");
      await sendersChild.command(`prof:stop ${sendersFile}`);
      await writeFile(agentFile, JSON.stringify(profile));
      log(`  profiled round: ${JSON.stringify(result)}`);
      profiles.senders = await summariseProfile(sendersFile, 30);
      profiles.agent = await summariseProfile(agentFile, 30);
    }
    const integrity = rig.integrity();
    const summary = {
      sender_us_per_msg: median(rounds.map((r) => r.sender_us_per_msg)),
      agent_us_per_msg: median(rounds.map((r) => r.agent_us_per_msg)),
      sender_user_us_per_msg: median(rounds.map((r) => r.sender_user_us_per_msg)),
      agent_user_us_per_msg: median(rounds.map((r) => r.agent_user_us_per_msg)),
    };
    await writeFile(
      join(out, "sdk-cpu.json"),
      `${JSON.stringify({ at: new Date().toISOString(), options: o, median: summary, rounds, integrity, profiles }, null, 2)}\n`,
    );
    log(`  median ${JSON.stringify(summary)}; integrity ${JSON.stringify(integrity)}`);
    return { rounds, median: summary };
  } finally {
    await rig.close();
    await gw.stop();
    await nats[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function sdkCpuCli(args: string[], log: (msg: string) => void): Promise<void> {
  const r = await measureSdkCpu(sdkCpuOptions(args), log);
  process.stdout.write(`${JSON.stringify(r.median)}\nwritten gateway/bench/out/sdk-cpu.json\n`);
}
