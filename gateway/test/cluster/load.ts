/**
 * A bounded load of real SDK clients against a cluster, with a fault applied
 * in the middle, counted by msgId: every customer has its own conversation, the
 * agent is a member of all of them, and both sides send in a closed loop (send, ack, pause). Each
 * member's `message` events are kept per conversation, so the counts answer
 * "lost" (an acknowledged msgId the member never got) and "duplicated" (a msgId
 * it got twice), and the ack times answer the longest gap in service.
 */
import { type ClientEvents, isRetryable, type ParleyClient } from "@parley/sdk";
import type { ClusterHarness } from "../harness/cluster.js";
import { waitFor } from "../helpers.js";

export interface LoadOptions {
  customers: number;
  /** Pause after each ack before a sender's next send, in ms. */
  paceMs: number;
  /** The load runs at least this long, in ms. */
  minMs: number;
  /** The fault starts this long after the load, in ms. */
  faultAtMs: number;
  /** The load goes on this long after the fault resolved, in ms. */
  tailMs: number;
}

export interface LoadReport {
  /** Sends made (every one is expected to be acknowledged in the end). */
  sent: number;
  acked: number;
  /** Sends that failed for good (rejected instead of acknowledged). */
  failed: string[];
  /** Summed over every member of every conversation. */
  lost: number;
  duplicated: number;
  /** Stored rows per conversation that are not exactly the acknowledged msgIds once each, seq 1..N. */
  storeMismatches: number;
  decodeFailures: number;
  /** Longest interval with no acknowledgement, from the load's start to its last ack, in ms. */
  longestGapMs: number;
  /** Where that gap started, in ms from the load's start. */
  longestGapAtMs: number;
  /** Longest interval without any ack that ended after the fault started (the fault's gap in service), in ms. */
  faultGapMs: number;
  /** Longest interval without any ack that ended before the fault started (the baseline), in ms. */
  baselineGapMs: number;
  /** The slowest single send, from `send()` to its ack, in ms (a request lost in flight waits for the SDK's timeout). */
  slowestAckMs: number;
  /** When the fault started and ended, in ms from the load's start. */
  fault: { startMs: number; endMs: number };
  /** Setup requests (before the load) retried after a retryable error, with the error: reported, not asserted. */
  setupRetries: string[];
}

interface Conv {
  id: string;
  customer: ParleyClient;
  acked: Set<string>;
  /** Events per member: the customer's and the agent's. */
  got: Map<ParleyClient, string[]>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Setup steps retried after a retryable error, and what each retry was for. */
const SETUP_ATTEMPTS = 3;

/**
 * Runs a setup step (connect, open, load), again after a retryable error (a request that timed out
 * on a gateway still recovering from the previous fault), at most SETUP_ATTEMPTS times; each retry
 * is kept in `retries` for the report. The load's own sends are never retried here: the outbox does.
 */
async function setupStep<T>(what: string, retries: string[], step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (attempt >= SETUP_ATTEMPTS || !isRetryable(err)) throw err;
      retries.push(`${what}: ${(err as Error).message}`);
      await sleep(500);
    }
  }
}

/** Opens one conversation per customer (named `<label>-c<i>`) that the agent has loaded. */
async function openConversations(
  cluster: ClusterHarness,
  agent: ParleyClient,
  label: string,
  n: number,
  retries: string[],
) {
  const convs: Conv[] = [];
  for (let i = 0; i < n; i++) {
    // A client whose connect failed is closed and a new one made for the same customer.
    const customer = await setupStep(`customer ${i} connect`, retries, async () => {
      const client = cluster.customer(`${label}-c${i}`);
      try {
        await client.connect();
        return client;
      } catch (err) {
        await client.close().catch(() => undefined);
        throw err;
      }
    });
    const { id } = await setupStep(`customer ${i} open`, retries, () => customer.openConversation());
    await setupStep(`agent load ${i}`, retries, () => agent.loadConversation(id));
    convs.push({
      id,
      customer,
      acked: new Set(),
      got: new Map([
        [customer, []],
        [agent, []],
      ]),
    });
  }
  return convs;
}

export async function runLoad(
  cluster: ClusterHarness,
  agent: ParleyClient,
  label: string,
  options: LoadOptions,
  fault: () => Promise<void>,
  storedMsgIds: (convId: string) => Promise<{ seq: number; msgId: string }[]>,
): Promise<LoadReport> {
  const setupRetries: string[] = [];
  const convs = await openConversations(cluster, agent, label, options.customers, setupRetries);
  const byId = new Map(convs.map((c) => [c.id, c]));
  let decodeFailures = 0;
  const offs: (() => void)[] = [];
  for (const member of [agent, ...convs.map((c) => c.customer)]) {
    offs.push(
      member.on("message", ({ conversationId, message }: ClientEvents["message"]) => {
        byId.get(conversationId)?.got.get(member)?.push(message.msgId);
      }),
      member.on("decode-failed", () => {
        decodeFailures++;
      }),
    );
  }

  const t0 = Date.now();
  const ackTimes: number[] = [];
  let sent = 0;
  let slowestAckMs = 0;
  const failed: string[] = [];
  let stop = false;
  const faultWindow = { startMs: 0, endMs: 0 };
  const faultDone = (async () => {
    await sleep(options.faultAtMs);
    faultWindow.startMs = Date.now() - t0;
    await fault();
    faultWindow.endMs = Date.now() - t0;
    await sleep(Math.max(options.tailMs, options.minMs - (Date.now() - t0)));
    stop = true;
  })();

  /** One sender, closed loop: a send, its ack (the outbox retries until then), a pause, the next. */
  const sender = async (client: ParleyClient, targets: Conv[], who: string) => {
    for (let i = 0; !stop; i++) {
      const conv = targets[i % targets.length];
      if (!conv) return;
      sent++;
      const start = Date.now();
      try {
        const m = await client.send(conv.id, `${who} ${i}`);
        conv.acked.add(m.msgId);
        ackTimes.push(Date.now());
        slowestAckMs = Math.max(slowestAckMs, Date.now() - start);
      } catch (err) {
        const code = (err as { code?: unknown }).code;
        failed.push(
          `${who} ${i}: ${typeof code === "string" ? `${code}: ` : ""}${(err as Error).message} (${Date.now() - t0} ms)`,
        );
      }
      await sleep(options.paceMs);
    }
  };
  await Promise.all([
    ...convs.map((c, i) => sender(c.customer, [c], `customer${i}`)),
    sender(agent, convs, "agent"),
    faultDone,
  ]);
  const acked = convs.reduce((n, c) => n + c.acked.size, 0);

  // Delivery is asynchronous: wait until every member holds every acknowledged msgId (or time out and count).
  const delivered = () =>
    convs.every((c) => [...c.got.values()].every((got) => [...c.acked].every((id) => got.includes(id))));
  await waitFor(delivered, "every acknowledged message at every member", 30_000).catch(() => undefined);
  // Late duplicates would show up after the last delivery: give them a moment to arrive before counting.
  await sleep(500);

  let lost = 0;
  let duplicated = 0;
  let storeMismatches = 0;
  for (const c of convs) {
    for (const got of c.got.values()) {
      const set = new Set(got);
      lost += [...c.acked].filter((id) => !set.has(id)).length;
      duplicated += got.length - set.size;
    }
    const rows = await storedMsgIds(c.id);
    const ids = rows.map((r) => r.msgId);
    const gapless = rows.every((r, i) => r.seq === i + 1);
    const exact = ids.length === c.acked.size && new Set(ids).size === ids.length && ids.every((id) => c.acked.has(id));
    if (!gapless || !exact) storeMismatches++;
  }
  for (const off of offs) off();
  await Promise.all(convs.map((c) => c.customer.close()));

  const times = [t0, ...ackTimes.sort((a, b) => a - b)];
  let longestGapMs = 0;
  let longestGapAtMs = 0;
  let faultGapMs = 0;
  let baselineGapMs = 0;
  for (let i = 1; i < times.length; i++) {
    const end = times[i] ?? 0;
    const gap = end - (times[i - 1] ?? 0);
    if (gap > longestGapMs) {
      longestGapMs = gap;
      longestGapAtMs = (times[i - 1] ?? 0) - t0;
    }
    if (end - t0 > faultWindow.startMs) faultGapMs = Math.max(faultGapMs, gap);
    else baselineGapMs = Math.max(baselineGapMs, gap);
  }
  return {
    sent,
    acked,
    failed,
    setupRetries,
    lost,
    duplicated,
    storeMismatches,
    decodeFailures,
    longestGapMs,
    longestGapAtMs,
    faultGapMs,
    baselineGapMs,
    slowestAckMs,
    fault: faultWindow,
  };
}
