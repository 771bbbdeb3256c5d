/**
 * The system under load: N customer SDK clients, each in its own conversation,
 * and one agent SDK client that receives every conversation through the shop's
 * team subject (the dashboard's view). Every message is counted at the agent,
 * the member other than its sender, by msgId: sustained throughput, lost and
 * duplicated, and delivery latency from the `send()` call to the agent's
 * `message` event.
 */
import type { ParleyClient } from "@parley/sdk";
import { agentClient, customerClient } from "./clients.js";
import { now, percentile, pool, round, sleep, Tally, waitFor } from "./stats.js";

interface Sender {
  client: ParleyClient;
  convId: string;
}

interface Body {
  /** Phase tag: w (warm-up), t (throughput), l (latency), s (storm). */
  ph: string;
  s: number;
  k: number;
  /** performance.now() at the send() call (same process as the receiver). */
  t: number;
}

const PAD = "x".repeat(200);
const SEND_BOUND_MS = 30_000;
/** A text body of about 200 bytes whose first part the receiver parses. */
function text(body: Body): string {
  const head = JSON.stringify(body);
  return `${head}${PAD.slice(0, Math.max(0, 200 - head.length - 1))}`;
}
function parse(textBody: string): Body | undefined {
  const end = textBody.indexOf("}");
  try {
    return JSON.parse(textBody.slice(0, end + 1)) as Body;
  } catch {
    return undefined;
  }
}

export class SystemRig {
  readonly agent: ParleyClient;
  readonly senders: Sender[] = [];
  /** msgIds the gateway acknowledged to a sender. */
  readonly acked = new Set<string>();
  /** msgIds seen at the agent, with counts. */
  readonly received = new Tally();
  /** (convId, seq) seen at the agent, with counts. */
  readonly seqs = new Tally();
  receivedTotal = 0;
  failed = 0;
  /** Sends still unacknowledged after SEND_BOUND_MS. */
  unacked = 0;
  latencies: number[] = [];
  #recordLatency = false;
  #nextSender = 0;

  private constructor(readonly gatewayUrl: string) {
    this.agent = agentClient(gatewayUrl);
  }

  static async start(gatewayUrl: string): Promise<SystemRig> {
    const rig = new SystemRig(gatewayUrl);
    await rig.agent.connect();
    rig.agent.on("message", ({ conversationId, message }) => {
      rig.received.add(message.msgId);
      rig.seqs.add(`${conversationId}:${message.seq}`);
      rig.receivedTotal++;
      if (rig.#recordLatency && message.body?.type === "text") {
        const b = parse(message.body.text);
        if (b?.ph === "l") rig.latencies.push(now() - b.t);
      }
    });
    return rig;
  }

  /** Connects `n` more customers, each opening its own conversation. */
  async addSenders(n: number): Promise<void> {
    const added: Sender[] = [];
    await pool(n, 8, async () => {
      const client = customerClient(this.gatewayUrl, `cust_${this.#nextSender++}_${Date.now()}`);
      await client.connect();
      const { id } = await client.openConversation();
      added.push({ client, convId: id });
    });
    this.senders.push(...added);
  }

  /**
   * Closes the current senders and connects `n` fresh ones in new, empty
   * conversations. The SDK's conversation state costs O(conversation length)
   * per message (conversation-tracker insert copies and sorts), so the latency
   * run starts from short conversations instead of the throughput run's long ones.
   */
  async replaceSenders(n: number): Promise<void> {
    const old = this.senders.splice(0);
    await Promise.all(old.map((s) => s.client.close().catch(() => undefined)));
    await this.addSenders(n);
  }

  /**
   * One send, bounded: the SDK retries a retryable failure forever, so after
   * `SEND_BOUND_MS` the message counts as unacknowledged and the run moves on.
   */
  async send(sender: Sender, body: Body): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), SEND_BOUND_MS);
    });
    try {
      const m = await Promise.race([sender.client.send(sender.convId, text(body)), bound]);
      if (m === "timeout") this.unacked++;
      else this.acked.add(m.msgId);
    } catch {
      this.failed++;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every sender sends `count` messages, one after another. */
  async warmUp(count: number): Promise<void> {
    await Promise.all(
      this.senders.map(async (s, i) => {
        for (let k = 0; k < count; k++) await this.send(s, { ph: "w", s: i, k, t: now() });
      }),
    );
  }

  /**
   * Closed loop: each sender sends its next message when the previous one is
   * acknowledged, for `ms` or `maxPerSender` messages. Rate counted at the agent.
   */
  async throughput(ms: number, maxPerSender: number): Promise<{ msgs_per_s: number; seconds: number; sent: number }> {
    let sent = 0;
    const start = now();
    const startCount = this.receivedTotal;
    let endCount = -1;
    let endAt = 0;
    const timer = setTimeout(() => {
      endCount = this.receivedTotal;
      endAt = now();
    }, ms);
    await Promise.all(
      this.senders.map(async (s, i) => {
        for (let k = 0; k < maxPerSender && now() - start < ms; k++) {
          sent++;
          await this.send(s, { ph: "t", s: i, k, t: now() });
        }
      }),
    );
    if (endCount < 0) {
      clearTimeout(timer);
      endCount = this.receivedTotal;
      endAt = now();
    }
    const seconds = (endAt - start) / 1000;
    return { msgs_per_s: Math.round((endCount - startCount) / seconds), seconds: round(seconds, 2), sent };
  }

  /** Open loop at `rate` msgs/s in total, spread evenly over the senders, for `ms`. */
  async latency(rate: number, ms: number): Promise<{ p50_ms: number; p99_ms: number; samples: number; rate: number }> {
    this.latencies = [];
    this.#recordLatency = true;
    const interval = (this.senders.length / Math.max(1, rate)) * 1000;
    const start = now() + 50;
    const pending: Promise<void>[] = [];
    await Promise.all(
      this.senders.map(async (s, i) => {
        const offset = (i / this.senders.length) * interval;
        for (let k = 0; ; k++) {
          const at = start + offset + k * interval;
          if (at - start > ms) break;
          const wait = at - now();
          if (wait > 0) await sleep(wait);
          pending.push(this.send(s, { ph: "l", s: i, k, t: now() }));
        }
      }),
    );
    await Promise.race([Promise.all(pending), sleep(20_000)]);
    await this.drain(10_000);
    this.#recordLatency = false;
    return {
      p50_ms: round(percentile(this.latencies, 50), 2),
      p99_ms: round(percentile(this.latencies, 99), 2),
      samples: this.latencies.length,
      rate,
    };
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
    await Promise.all([this.agent, ...this.senders.map((s) => s.client)].map((c) => c.close().catch(() => undefined)));
  }
}

/**
 * A steady stream from every sender, one message per `everyMs` each (queued in
 * the outbox while disconnected), until `until()`; resolves with every send.
 */
export async function stream(rig: SystemRig, everyMs: number, until: () => boolean): Promise<Promise<void>[]> {
  const pending: Promise<void>[] = [];
  await Promise.all(
    rig.senders.map(async (s, i) => {
      for (let k = 0; !until(); k++) {
        pending.push(rig.send(s, { ph: "s", s: i, k, t: now() }));
        await sleep(everyMs);
      }
    }),
  );
  return pending;
}
