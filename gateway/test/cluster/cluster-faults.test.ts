/**
 * A production-shaped cluster under faults (harness/cluster.ts): 3 gateway
 * processes, a 3-node NATS cluster, and the store as FerretDB on PostgreSQL
 * (two FerretDB processes on one database) or on SQLite (one process). For each
 * fault a bounded load of encrypted SDK clients (customers and the admin agent)
 * runs, the fault lands in its middle, and the messages are counted by msgId at
 * every member and in the store: 0 lost, 0 duplicated, every acknowledged
 * message delivered. The longest gap in service (no ack at all) from the fault
 * on, the same before it, and the slowest single ack per fault go to
 * test-artifacts/cluster-faults.json; they are reported, not asserted (speed
 * belongs to the benchmark).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import type { ParleyClient } from "@parley/sdk";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ClusterHarness, type ClusterStore, startCluster } from "../harness/cluster.js";
import { type LoadOptions, type LoadReport, runLoad } from "./load.js";

const LOAD: LoadOptions = { customers: 3, paceMs: 50, minMs: 4000, faultAtMs: 1500, tailMs: 1500 };

interface Row extends LoadReport {
  store: ClusterStore;
  fault: LoadReport["fault"] & { name: string; detail: string };
}
const rows: Row[] = [];

afterAll(() => {
  if (rows.length === 0) return;
  mkdirSync("test-artifacts", { recursive: true });
  writeFileSync("test-artifacts/cluster-faults.json", `${JSON.stringify(rows, null, 2)}\n`);
  const table = rows.map((r) => ({
    store: r.store,
    fault: r.fault.name,
    sent: r.sent,
    acked: r.acked,
    lost: r.lost,
    duplicated: r.duplicated,
    "gap from fault ms": r.faultGapMs,
    "gap before fault ms": r.baselineGapMs,
    "slowest ack ms": r.slowestAckMs,
    "setup retries": r.setupRetries.length,
    "fault ms": `${r.fault.startMs}-${r.fault.endMs}`,
  }));
  console.table(table);
});

describe.each<ClusterStore>(["postgresql", "sqlite"])("a cluster with FerretDB on %s", (store) => {
  let cluster: ClusterHarness;
  let agent: ParleyClient;
  let mongo: MongoClient;

  beforeAll(async () => {
    mkdirSync("test-artifacts", { recursive: true });
    cluster = await startCluster({ store });
    agent = cluster.agent();
    await agent.connect();
    mongo = new MongoClient(cluster.mongo.uri, { serverSelectionTimeoutMS: 10_000 });
  });
  afterAll(async () => {
    // The gateways' own logs, for a failure seen only in CI.
    if (cluster) writeFileSync(`test-artifacts/cluster-gateways-${store}.log`, cluster.logs());
    await agent?.close().catch(() => undefined);
    await mongo?.close().catch(() => undefined);
    await cluster?.[Symbol.asyncDispose]();
  });

  const stored = async (convId: string) =>
    (
      await mongo
        .db(cluster.mongo.dbName)
        .collection<{ convId: string; seq: number; msgId: string }>("messages")
        .find({ convId })
        .sort({ seq: 1 })
        .project<{ seq: number; msgId: string }>({ _id: 0, seq: 1, msgId: 1 })
        .toArray()
    ).map(({ seq, msgId }) => ({ seq, msgId }));

  /** Runs the load with `fault` in its middle, checks the counts, keeps the row. */
  const measure = async (name: string, fault: () => Promise<string>) => {
    let detail = "";
    const report = await runLoad(
      cluster,
      agent,
      `${store}-${name.replace(/\W+/g, "-")}`,
      LOAD,
      async () => {
        detail = await fault();
      },
      stored,
    );
    rows.push({ ...report, store, fault: { ...report.fault, name, detail } });
    // The failures themselves in the message: a long array is cut to its length in the diff.
    expect(
      report.failed,
      `${report.failed.length} sends failed, first: ${report.failed.slice(0, 5).join("; ")}`,
    ).toEqual([]);
    expect(report.acked).toBe(report.sent);
    expect(report.sent).toBeGreaterThan(0);
    expect({ lost: report.lost, duplicated: report.duplicated, storeMismatches: report.storeMismatches }).toEqual({
      lost: 0,
      duplicated: 0,
      storeMismatches: 0,
    });
    expect(report.decodeFailures).toBe(0);
    return report;
  };

  it("loses and duplicates nothing when one gateway is killed with SIGKILL mid-load", async () => {
    const victim = cluster.gateways[1];
    if (!victim) throw new Error("3 gateways expected");
    await measure("kill -9 one gateway", async () => {
      const pid = victim.pid;
      await victim.kill();
      return `gateway pid ${pid} on port ${victim.port} killed; 2 of 3 gateways serve`;
    });
    await victim.start();
  });

  it("loses and duplicates nothing when one NATS node is killed with SIGKILL mid-load", async () => {
    let killed: (typeof cluster.nats.nodes)[number] | undefined;
    await measure("kill -9 one NATS node", async () => {
      // The node holding the most connections (gateways' and clients'), so the kill moves the most.
      const counts = await Promise.all(
        cluster.nats.nodes.map(async (node) => {
          const connz = (await (await fetch(`${node.monitorUrl}/connz`)).json()) as { num_connections: number };
          return connz.num_connections;
        }),
      );
      const index = counts.indexOf(Math.max(...counts));
      killed = cluster.nats.nodes[index];
      await killed?.kill();
      return `node ${index} killed with ${counts[index]} of ${counts.reduce((a, b) => a + b, 0)} connections on it; 2 of 3 nodes serve`;
    });
    expect(killed).toBeDefined();
    await killed?.restart();
  });

  it("loses and duplicates nothing when a FerretDB process is killed with SIGKILL mid-load", async () => {
    const victim = cluster.ferretdbs[0];
    if (!victim) throw new Error("a FerretDB process expected");
    const alone = cluster.ferretdbs.length === 1;
    await measure("kill -9 one FerretDB process", async () => {
      await victim.kill();
      // SQLite has one FerretDB process: the store is down until it is started again on its files.
      if (alone) await victim.start();
      return alone
        ? "the only FerretDB process (SQLite) killed and started again on the same files"
        : "FerretDB 0 of 2 killed; the other serves the same PostgreSQL database";
    });
    if (!alone) await victim.start();
  });

  it("loses and duplicates nothing across a rolling restart of every gateway mid-load", async () => {
    await measure("rolling restart of 3 gateways", async () => {
      const steps: string[] = [];
      for (const [i, gateway] of cluster.gateways.entries()) {
        const t0 = Date.now();
        await gateway.stop();
        const t1 = Date.now();
        await gateway.start();
        steps.push(`gateway ${i}: stop ${t1 - t0} ms, start ${Date.now() - t1} ms`);
      }
      return `each gateway in turn: SIGTERM (drain), start, wait for /readyz, then the next (${steps.join("; ")})`;
    });
  }, 120_000);
});
