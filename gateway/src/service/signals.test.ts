/**
 * The presence table shared by several gateways, on a real nats-server: who
 * announces a change (exactly one gateway), who expires a silent connection
 * (the gateway that served its last heartbeat; the others once it said it
 * stopped, or a TTL later when it vanished without a word), and a starting
 * gateway catching up from a peer. The trackers run on one clock the test
 * moves, so "a TTL later" needs no waiting; only NATS delivery is waited for.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import type { ServerEvent } from "@parley/sdk/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsHarness, startNats } from "../../test/harness/nats.js";
import { waitFor } from "../../test/helpers.js";
import type { PrincipalRecord } from "../store/port.js";
import { PresenceTracker } from "./presence.js";

const SHOP = "s1";
const TTL = 1000;
const decoder = new TextDecoder();

const person = (id: string, kind: PrincipalRecord["kind"], displayName: string): PrincipalRecord => ({
  id,
  kind,
  shopId: SHOP,
  externalId: id,
  displayName,
  createdAt: 0,
});
const ada = person("a_ada", "agent", "Ada");
const bea = person("a_bea", "agent", "Bea");
const cust = person("c_cust", "customer", "Cust");

let nats: NatsHarness;
const connections: NatsConnection[] = [];
const trackers: PresenceTracker[] = [];
let now = 1_000_000;

/** A tracker on its own NATS connection, with the presence events it published. */
async function gateway(): Promise<{
  tracker: PresenceTracker;
  nc: NatsConnection;
  sent: Array<[string, ServerEvent]>;
}> {
  const nc = await nats.serviceConnection();
  connections.push(nc);
  const sent: Array<[string, ServerEvent]> = [];
  const tracker = new PresenceTracker(
    { publish: (subject, payload) => sent.push([subject, JSON.parse(decoder.decode(payload)) as ServerEvent]) },
    { ttlMs: TTL },
    () => now,
  );
  trackers.push(tracker);
  await tracker.start(nc);
  return { tracker, nc, sent };
}

const names = (t: PresenceTracker) => t.snapshotNow(SHOP).online.map((m) => m.displayName);
/** Presence events published to the team subject. */
const teamEvents = (sent: Array<[string, ServerEvent]>) => sent.filter(([subject]) => subject === `team.${SHOP}.ev`);

beforeAll(async () => {
  nats = await startNats();
});

afterAll(async () => {
  for (const t of trackers) t.stop();
  await Promise.allSettled(connections.map((nc) => nc.close()));
  await nats?.stop();
});

describe("presence across gateways", () => {
  it("announces each change once, from the gateway that saw it, and expires by the last heartbeat's gateway", async () => {
    const a = await gateway();
    const b = await gateway();
    a.tracker.ping(cust, "k1");
    const reply = await a.tracker.ping(ada, "x1");
    expect(reply).toMatchObject({ ttlMs: TTL, intervalMs: Math.floor(TTL / 3) });
    expect(reply.presence.online.map((m) => m.displayName)).toEqual(["Ada"]);
    await waitFor(() => names(b.tracker).includes("Ada"), "B to learn of Ada");
    // A announced to the team and to the connected customer; B only followed.
    expect(a.sent.map(([subject]) => subject).sort()).toEqual([`team.${SHOP}.ev`, `user.${cust.id}.ev`]);
    expect(b.sent).toEqual([]);

    // Ada's next heartbeat lands on B: not a change, so nobody announces; B is now her "origin".
    b.tracker.ping(ada, "x1");
    b.tracker.ping(bea, "y1");
    await waitFor(() => names(a.tracker).includes("Bea"), "A to learn of Bea");
    expect(a.tracker.connection(ada.id, "x1")?.origin).toBe(b.tracker.id);
    expect(teamEvents(b.sent)).toHaveLength(1);
    expect(teamEvents(a.sent)).toHaveLength(1);

    // Bea keeps beating on A; Ada goes silent. A TTL later only B (Ada's last gateway) expires and announces her.
    now += TTL / 2;
    a.tracker.ping(bea, "y1");
    await waitFor(() => b.tracker.connection(bea.id, "y1")?.origin === a.tracker.id, "B to hear Bea's beat on A");
    now += TTL / 2 + 1;
    a.tracker.sweep();
    expect(names(a.tracker)).toEqual(["Ada", "Bea"]);
    b.tracker.sweep();
    expect(names(b.tracker)).toEqual(["Bea"]);
    await waitFor(() => !names(a.tracker).includes("Ada"), "A to drop Ada on B's word");
    const last = teamEvents(b.sent).at(-1)?.[1];
    expect(last).toMatchObject({ type: "presence", presence: { shopId: SHOP, updatedAt: now } });
    expect(last?.type === "presence" && last.presence.online.map((m) => m.displayName)).toEqual(["Bea"]);
    expect(teamEvents(a.sent)).toHaveLength(1);
    expect(teamEvents(b.sent)).toHaveLength(2);

    // An explicit leave on A of Bea's only connection: offline at once, announced by A.
    a.tracker.leave(bea, "y1");
    expect(names(a.tracker)).toEqual([]);
    await waitFor(() => names(b.tracker).length === 0, "B to drop Bea");
    expect(teamEvents(a.sent)).toHaveLength(2);
    expect(teamEvents(b.sent)).toHaveLength(2);
  });

  it("keeps a principal online while any of its connections beats", async () => {
    const a = await gateway();
    a.tracker.ping(ada, "phone");
    a.tracker.ping(ada, "laptop");
    a.tracker.leave(ada, "phone");
    expect(names(a.tracker)).toContain("Ada");
    now += TTL + 1;
    a.tracker.sweep();
    expect(names(a.tracker)).not.toContain("Ada");
  });

  it("lets the others expire what a stopped gateway served, and what a vanished one served a TTL later", async () => {
    const a = await gateway();
    const b = await gateway();
    b.tracker.ping(ada, "x2");
    await waitFor(() => names(a.tracker).includes("Ada"), "A to learn of Ada");
    b.tracker.stop();
    now += TTL + 1;
    // A expires Ada once it has heard that B stopped.
    await waitFor(() => {
      a.tracker.sweep();
      return !names(a.tracker).includes("Ada");
    }, "A to expire Ada after B's goodbye");
    expect(teamEvents(a.sent).at(-1)?.[1]).toMatchObject({ type: "presence" });

    // C vanishes without a word (its connection drops): A waits one more TTL, then expires.
    const c = await gateway();
    c.tracker.ping(bea, "y2");
    await waitFor(() => names(a.tracker).includes("Bea"), "A to learn of Bea");
    await c.nc.close();
    c.tracker.stop(); // the connection is gone: no goodbye reaches anyone
    now += TTL + 1;
    a.tracker.sweep();
    expect(names(a.tracker)).toContain("Bea");
    now += TTL;
    a.tracker.sweep();
    expect(names(a.tracker)).not.toContain("Bea");
  });

  it("gives a starting gateway a peer's table", async () => {
    const a = await gateway();
    a.tracker.ping(bea, "y3");
    const late = await gateway();
    expect(names(late.tracker)).toContain("Bea");
    // And it expires that connection itself only as a fallback: the origin (A) is alive.
    now += TTL + 1;
    late.tracker.sweep();
    expect(names(late.tracker)).toContain("Bea");
    a.tracker.sweep();
    await waitFor(() => !names(late.tracker).includes("Bea"), "the late gateway to follow A");
  });
});
