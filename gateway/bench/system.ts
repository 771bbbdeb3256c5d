/**
 * The system under load: N customer SDK clients, each in its own conversation,
 * and one agent SDK client that receives every conversation through the shop's
 * team subject (the dashboard's view). Every message is counted at the agent,
 * the member other than its sender, by msgId: sustained throughput, lost and
 * duplicated, and delivery latency from the `send()` call to the agent's
 * decrypted `message` event.
 *
 * The senders run in `procs` child processes (senders.ts, child.ts role
 * `senders`), or in this process when `procs` is 0 (the reconnect storm's few
 * senders); the agent always runs here, alone on its thread.
 */
import type { ParleyClient } from "@parley/sdk";
import type { SendersChildOptions } from "./child.js";
import { agentClient } from "./clients.js";
import { type NodeChild, onCleanup, spawnNodeChild } from "./procs.js";
import { type GroupReport, parse, SenderGroup, type Slot } from "./senders.js";
import { now, percentile, round, Tally, waitFor } from "./stats.js";

/** Source addresses per sender process (see clients.ts): far more than a run's sessions. */
const ADDRESSES_PER_PROCESS = 4_000;

/** A group of senders in a child process, driven over its stdin. */
class RemoteGroup {
  constructor(readonly child: NodeChild) {}

  async #run(command: string, arg?: unknown): Promise<unknown> {
    const line = arg === undefined ? command : `${command} ${typeof arg === "string" ? arg : JSON.stringify(arg)}`;
    const answer = await this.child.command(line);
    if (typeof answer.error === "string") throw new Error(`senders child: ${command}: ${answer.error}`);
    return answer.result;
  }
  add = (n: number) => this.#run("senders:add", String(n));
  replace = (n: number) => this.#run("senders:replace", String(n));
  warmUp = (count: number, spread: number) => this.#run("senders:warmup", { count, spread });
  closedLoop = (ms: number, max: number) => this.#run("senders:closed-loop", { ms, max });
  openLoop = (rate: number, ms: number, startAt: number, slot: Slot) =>
    this.#run("senders:open-loop", { rate, ms, startAt, slot });
  report = async () => (await this.#run("senders:report")) as GroupReport;
  close = () => this.#run("senders:close");
}

/** A group of senders in a child process, or a SenderGroup in this one. */
type Group = RemoteGroup | SenderGroup;

let nextProcess = 0;

export class SystemRig {
  readonly agent: ParleyClient;
  /** msgIds the gateway acknowledged to a sender. */
  readonly acked = new Set<string>();
  /** msgIds seen at the agent, with counts. */
  readonly received = new Tally();
  /** (convId, seq) seen at the agent, with counts. */
  readonly seqs = new Tally();
  receivedTotal = 0;
  /** `stats.now()` of the latest message the agent received. */
  lastReceivedAt = 0;
  failed = 0;
  /** Sends still unacknowledged after the send bound (senders.ts). */
  unacked = 0;
  latencies: number[] = [];
  #recordLatency = false;
  /** Groups holding senders (the first ones). */
  #active = 0;

  private constructor(
    readonly gatewayUrl: string,
    readonly groups: Group[],
    /** The in-process group, when `procs` is 0. */
    readonly local: SenderGroup | undefined,
  ) {
    this.agent = agentClient(gatewayUrl);
  }

  /** The agent here, and the senders in `procs` child processes (0: in this process). */
  static async start(gatewayUrl: string, procs = 0): Promise<SystemRig> {
    let local: SenderGroup | undefined;
    const groups: Group[] = [];
    if (procs === 0) {
      local = new SenderGroup(gatewayUrl, "local");
      groups.push(local);
    } else {
      const children = await Promise.all(
        Array.from({ length: procs }, async () => {
          const n = ++nextProcess;
          const options: SendersChildOptions = {
            role: "senders",
            gatewayUrl,
            name: `p${n}`,
            addressBase: n * ADDRESSES_PER_PROCESS,
          };
          const child = await spawnNodeChild({ ...options });
          onCleanup(() => child.stop());
          return child;
        }),
      );
      groups.push(...children.map((c) => new RemoteGroup(c)));
    }
    const rig = new SystemRig(gatewayUrl, groups, local);
    await rig.agent.connect();
    rig.agent.on("message", ({ conversationId, message }) => {
      rig.received.add(message.msgId);
      rig.seqs.add(`${conversationId}:${message.seq}`);
      rig.receivedTotal++;
      rig.lastReceivedAt = now();
      if (rig.#recordLatency && message.body?.type === "text") {
        const b = parse(message.body.text);
        if (b?.ph === "l") rig.latencies.push(now() - b.t);
      }
    });
    return rig;
  }

  /** Pids of the sender processes (for CPU accounting), empty when the senders run here. */
  get senderPids(): number[] {
    return this.groups.flatMap((g) => (g instanceof RemoteGroup ? [g.child.pid] : []));
  }

  /** The sender processes, for profiling. */
  get senderChildren(): NodeChild[] {
    return this.groups.flatMap((g) => (g instanceof RemoteGroup ? [g.child] : []));
  }

  /** Runs `op` on every group at once, then collects what each acknowledged. */
  async #each(op: (g: Group, index: number) => Promise<unknown>): Promise<void> {
    await Promise.all(this.groups.map((g, i) => op(g, i)));
    await this.collect();
  }

  /** Merges the groups' acknowledgements and failures into the rig's counts. */
  async collect(): Promise<void> {
    for (const report of await Promise.all(this.groups.map((g) => g.report()))) {
      for (const id of report.acked) this.acked.add(id);
      this.failed += report.failed;
      this.unacked += report.unacked;
    }
  }

  /** `n` customers in all, spread over the groups, each opening its own conversation. */
  addSenders(n: number): Promise<void> {
    this.#active = this.groups.length;
    return this.#each((g, i) => g.add(share(n, this.groups.length, i)));
  }

  /**
   * Closes the senders and connects `n` fresh ones in new, empty conversations,
   * spread over the first `groups` groups (the others stay empty).
   */
  replaceSenders(n: number, groups = this.groups.length): Promise<void> {
    this.#active = Math.max(1, Math.min(groups, this.groups.length));
    return this.#each((g, i) => g.replace(i < this.#active ? share(n, this.#active, i) : 0));
  }

  /**
   * Every sender sends `count` messages, one after another, plus up to
   * `spread` more so that their epochs turn over at different times (see
   * SenderGroup.warmUp).
   */
  warmUp(count: number, spread = 0): Promise<void> {
    return this.#each((g) => g.warmUp(count, spread));
  }

  /**
   * Closed loop: each sender sends its next message when the previous one is
   * acknowledged, for `ms` or `maxPerSender` messages. Rate counted at the agent
   * over the window.
   */
  async throughput(ms: number, maxPerSender: number): Promise<{ msgs_per_s: number; seconds: number; sent: number }> {
    const start = now();
    const startCount = this.receivedTotal;
    let endCount = -1;
    let endAt = 0;
    const timer = setTimeout(() => {
      endCount = this.receivedTotal;
      endAt = now();
    }, ms);
    await Promise.all(this.groups.map((g) => g.closedLoop(ms, maxPerSender)));
    if (endCount < 0) {
      clearTimeout(timer);
      endCount = this.receivedTotal;
      endAt = now();
    }
    const before = this.acked.size + this.failed + this.unacked;
    await this.collect();
    const sent = this.acked.size + this.failed + this.unacked - before;
    const seconds = (endAt - start) / 1000;
    return { msgs_per_s: Math.round((endCount - startCount) / seconds), seconds: round(seconds, 2), sent };
  }

  /** Open loop at `rate` msgs/s in total, spread evenly over every sender of every group, for `ms`. */
  async latency(
    rate: number,
    ms: number,
  ): Promise<{
    p50_ms: number;
    p90_ms: number;
    p95_ms: number;
    p99_ms: number;
    p999_ms: number;
    max_ms: number;
    samples: number;
    rate: number;
  }> {
    this.latencies = [];
    this.#recordLatency = true;
    // Far enough ahead that every group has the command before the first send is due.
    const startAt = now() + 200;
    await this.#each((g, index) =>
      index < this.#active ? g.openLoop(rate, ms, startAt, { index, of: this.#active }) : Promise.resolve(),
    );
    await this.drain(10_000);
    this.#recordLatency = false;
    return {
      p50_ms: round(percentile(this.latencies, 50), 2),
      p90_ms: round(percentile(this.latencies, 90), 2),
      p95_ms: round(percentile(this.latencies, 95), 2),
      p99_ms: round(percentile(this.latencies, 99), 2),
      p999_ms: round(percentile(this.latencies, 99.9), 2),
      max_ms: round(percentile(this.latencies, 100), 2),
      samples: this.latencies.length,
      rate,
    };
  }

  /**
   * The storm's stream from the in-process senders, one message per `everyMs`
   * each, until `until()`; resolves with every send (collect() afterwards).
   */
  stream(everyMs: number, until: () => boolean): Promise<Promise<void>[]> {
    if (!this.local) throw new Error("stream() needs the senders in this process (procs 0)");
    return this.local.stream(everyMs, until);
  }

  /** Waits until every acknowledged message reached the agent (or `timeoutMs`). */
  drain(timeoutMs: number): Promise<boolean> {
    return waitFor(() => this.lost().length === 0, timeoutMs, 100);
  }

  lost(): string[] {
    const out: string[] = [];
    for (const id of this.acked) if (!this.received.has(id)) out.push(id);
    return out;
  }

  /** lost/duplicated by msgId at the agent, plus repeated seqs. */
  integrity(): { lost: number; duplicated: number; acked: number; received: number; failed: number; unacked: number } {
    return {
      unacked: this.unacked,
      lost: this.lost().length,
      duplicated: this.received.duplicated + this.seqs.duplicated,
      acked: this.acked.size,
      received: this.received.size,
      failed: this.failed,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.groups.map((g) => g.close().catch(() => undefined)));
    await Promise.all(this.senderChildren.map((c) => c.stop()));
    await this.agent.close().catch(() => undefined);
  }
}

/** Group `index`'s part of `n` split over `groups` (the first groups take the remainder). */
function share(n: number, groups: number, index: number): number {
  return Math.floor(n / groups) + (index < n % groups ? 1 : 0);
}
