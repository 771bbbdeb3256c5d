/**
 * The connection watcher (gateway/src/nats/connections.ts) across a
 * nats-server restart: no disconnect event arrives for the connections the
 * old process held, so the watcher must forget them when it reads the lists
 * again, or every reconnected client would count twice against its cap.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { openSession } from "./attack/kit.js";
import { startStack, type TestStack } from "./harness/stack.js";
import { waitFor } from "./helpers.js";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ env: { PARLEY_MAX_CONNECTIONS_PER_PRINCIPAL: "10" } });
});
afterAll(async () => {
  await stack?.[Symbol.asyncDispose]();
});

it("counts each of a principal's 8 reconnecting connections once after a nats-server restart and closes none", async () => {
  const session = await openSession(stack);
  const id = session.principal.id;
  const conns: NatsConnection[] = await Promise.all(
    Array.from({ length: 8 }, () =>
      stack.nats.wsConnect(session.nats.jwt, {
        inboxPrefix: session.nats.inboxPrefix,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 100,
      }),
    ),
  );
  try {
    await waitFor(() => stack.gateway.connections.count(id) === 8, "the watcher sees 8");
    const reconnected = conns.map((nc) =>
      (async () => {
        for await (const s of nc.status()) if (s.type === "reconnect") return true;
        return false;
      })(),
    );
    await stack.nats.restart();
    expect(await Promise.all(reconnected)).toEqual(Array(8).fill(true));
    await waitFor(() => stack.gateway.connections.count(id) === 8, "the watcher counts 8 again", 15_000);
    // A few seconds more: nothing is closed as over the cap, the count stays.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(conns.filter((nc) => nc.isClosed())).toHaveLength(0);
    expect(stack.gateway.connections.count(id)).toBe(8);
  } finally {
    await Promise.all(conns.map((nc) => nc.close().catch(() => undefined)));
  }
}, 30_000);
