/**
 * Customer senders for the system runs: each a real SDK client in its own
 * conversation. A `SenderGroup` lives in one process; the benchmark runs its
 * groups in child processes (child.ts, role `senders`), so the load generator
 * is spread over the machine's cores instead of one thread, and the agent that
 * counts every message (system.ts) has its process to itself.
 *
 * Each message body carries the wall-clock time of its `send()` call
 * (`stats.now()`, comparable across processes on one machine), which the agent
 * subtracts from its own clock on receipt.
 */
import type { ParleyClient } from "@parley/sdk";
import { customerClient } from "./clients.js";
import { now, pool, sleep } from "./stats.js";

export interface Sender {
  client: ParleyClient;
  convId: string;
}

export interface Body {
  /** Phase tag: w (warm-up), t (throughput), l (latency), s (storm). */
  ph: string;
  s: number;
  k: number;
  /** `stats.now()` at the send() call. */
  t: number;
}

const PAD = "x".repeat(200);
const SEND_BOUND_MS = 30_000;

/** A text body of about 200 bytes whose first part the receiver parses. */
export function text(body: Body): string {
  const head = JSON.stringify(body);
  return `${head}${PAD.slice(0, Math.max(0, 200 - head.length - 1))}`;
}

export function parse(textBody: string): Body | undefined {
  const end = textBody.indexOf("}");
  try {
    return JSON.parse(textBody.slice(0, end + 1)) as Body;
  } catch {
    return undefined;
  }
}

/** What a group reports after a phase: the msgIds acknowledged since the last report, and failures. */
export interface GroupReport {
  acked: string[];
  failed: number;
  unacked: number;
  sent: number;
}

/** Where this group's senders sit among all groups' senders, for spreading open-loop sends evenly. */
export interface Slot {
  index: number;
  of: number;
}

export class SenderGroup {
  readonly senders: Sender[] = [];
  #acked: string[] = [];
  #failed = 0;
  #unacked = 0;
  #sent = 0;
  #nextSender = 0;

  constructor(
    readonly gatewayUrl: string,
    readonly name: string,
  ) {}

  /** Connects `n` more customers, each opening its own conversation. */
  async add(n: number): Promise<void> {
    const added: Sender[] = [];
    await pool(n, 8, async () => {
      const client = customerClient(this.gatewayUrl, `cust_${this.name}_${this.#nextSender++}_${Date.now()}`);
      await client.connect();
      const { id } = await client.openConversation();
      added.push({ client, convId: id });
    });
    this.senders.push(...added);
  }

  /**
   * Closes the current senders and connects `n` fresh ones in new, empty
   * conversations, so the latency run starts from short conversations instead
   * of the throughput run's long ones.
   */
  async replace(n: number): Promise<void> {
    await this.close();
    await this.add(n);
  }

  /**
   * One send, bounded: the SDK retries a retryable failure forever, so after
   * `SEND_BOUND_MS` the message counts as unacknowledged and the run moves on.
   */
  async send(sender: Sender, body: Body): Promise<void> {
    this.#sent++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const bound = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), SEND_BOUND_MS);
    });
    try {
      const m = await Promise.race([sender.client.send(sender.convId, text(body)), bound]);
      if (m === "timeout") this.#unacked++;
      else this.#acked.push(m.msgId);
    } catch {
      this.#failed++;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Every sender sends `count` messages, one after another, and sender i of n
   * `floor(i * spread / n)` more. With `spread` set to the epoch length (a new
   * epoch every 100 messages), the conversations start the measured phase at
   * different points of their epochs, as real ones do, instead of all
   * committing their next epoch at the same moment.
   */
  async warmUp(count: number, spread = 0): Promise<void> {
    const n = this.senders.length;
    await Promise.all(
      this.senders.map(async (s, i) => {
        const total = count + Math.floor((i * spread) / Math.max(1, n));
        for (let k = 0; k < total; k++) await this.send(s, { ph: "w", s: i, k, t: now() });
      }),
    );
  }

  /** Closed loop: each sender sends its next message when the previous one is acknowledged, until `ms` pass. */
  async closedLoop(ms: number, maxPerSender: number): Promise<void> {
    const start = now();
    await Promise.all(
      this.senders.map(async (s, i) => {
        for (let k = 0; k < maxPerSender && now() - start < ms; k++) {
          await this.send(s, { ph: "t", s: i, k, t: now() });
        }
      }),
    );
  }

  /**
   * Open loop: `rate` msgs/s across every group's senders, from `startAt`
   * (`stats.now()` time) for `ms`. This group's senders take every `slot.of`-th
   * place in the schedule, so the groups' sends interleave evenly.
   */
  async openLoop(rate: number, ms: number, startAt: number, slot: Slot): Promise<void> {
    const total = this.senders.length * slot.of;
    const interval = (total / Math.max(1, rate)) * 1000;
    const pending: Promise<void>[] = [];
    await Promise.all(
      this.senders.map(async (s, i) => {
        const offset = ((slot.index + i * slot.of) / total) * interval;
        for (let k = 0; ; k++) {
          const at = startAt + offset + k * interval;
          if (at - startAt > ms) break;
          const wait = at - now();
          if (wait > 0) await sleep(wait);
          pending.push(this.send(s, { ph: "l", s: i, k, t: now() }));
        }
      }),
    );
    await Promise.race([Promise.all(pending), sleep(SEND_BOUND_MS)]);
  }

  /**
   * A steady stream from every sender, one message per `everyMs` each (queued in
   * the outbox while disconnected), until `until()`; resolves with every send.
   */
  async stream(everyMs: number, until: () => boolean): Promise<Promise<void>[]> {
    const pending: Promise<void>[] = [];
    await Promise.all(
      this.senders.map(async (s, i) => {
        for (let k = 0; !until(); k++) {
          pending.push(this.send(s, { ph: "s", s: i, k, t: now() }));
          await sleep(everyMs);
        }
      }),
    );
    return pending;
  }

  /** Everything acknowledged or failed since the last report. */
  async report(): Promise<GroupReport> {
    const out = { acked: this.#acked, failed: this.#failed, unacked: this.#unacked, sent: this.#sent };
    this.#acked = [];
    this.#failed = 0;
    this.#unacked = 0;
    this.#sent = 0;
    return out;
  }

  async close(): Promise<void> {
    const old = this.senders.splice(0);
    await Promise.all(old.map((s) => s.client.close().catch(() => undefined)));
  }
}
