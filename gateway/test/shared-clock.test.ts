/**
 * `client.clock` against real gateways (`time.now` over NATS): on the same
 * machine the offset is within its own error bound of 0; against a gateway
 * whose clock runs 5 s ahead it is +5 s within that bound. A machine clock
 * cannot be set wrong here (no privileges, and every process shares it), so
 * the second gateway gets a deliberately skewed clock through its `now`
 * option (GatewayOptions.now, the chat service's clock) instead: the one fake
 * in this file. Concurrent syncs share one run; a reconnect measures again
 * only for a client that asked for the clock before.
 */
import type { ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startStack, type TestStack } from "./harness/stack.js";
import { startWiretap, type Wiretap } from "./harness/wiretap.js";
import { codeOf, waitFor } from "./helpers.js";

/** How far the skewed gateway's clock runs ahead, ms. */
const SKEW_MS = 5_000;
/** Both clocks read whole milliseconds: each reading may be up to 1 ms short. */
const ROUNDING_MS = 2;

let stack: TestStack;
let skewed: TestStack;
let tap: Wiretap;
const clients: ParleyClient[] = [];

async function connected(s: TestStack, sub: string): Promise<ParleyClient> {
  const client = s.customer(sub);
  clients.push(client);
  await client.connect();
  return client;
}

/** How many `time.now` requests `client` made so far, as NATS carried them. */
async function timeRequests(client: ParleyClient): Promise<number> {
  await tap.flush();
  const subject = `api.${client.principal.id}.time.now `;
  return tap.captured.filter((line) => line.startsWith(subject)).length;
}

beforeAll(async () => {
  stack = await startStack();
  skewed = await startStack({ now: () => Date.now() + SKEW_MS });
  tap = await startWiretap(stack);
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  await tap?.[Symbol.asyncDispose]();
  await stack?.[Symbol.asyncDispose]();
  await skewed?.[Symbol.asyncDispose]();
});

describe("client.clock", () => {
  it("finds no offset to a gateway on the same machine, within half the round trip", async () => {
    const client = await connected(stack, "clock-same");
    expect(client.clock.estimate.value).toBeUndefined();
    const estimate = await client.clock.sync();
    expect(estimate.samples).toBe(5);
    expect(Math.abs(estimate.offsetMs)).toBeLessThanOrEqual(estimate.rttMs / 2 + ROUNDING_MS);
    expect(client.clock.estimate.value).toEqual(estimate);
    expect(await timeRequests(client)).toBe(5);
  });

  it("finds the +5 s of a gateway whose clock runs ahead, within half the round trip", async () => {
    const client = await connected(skewed, "clock-skewed");
    const estimate = await client.clock.sync(3);
    expect(estimate.samples).toBe(3);
    expect(Math.abs(estimate.offsetMs - SKEW_MS)).toBeLessThanOrEqual(estimate.rttMs / 2 + ROUNDING_MS);
    // now() is local time plus the offset.
    const local = Date.now();
    const shared = client.clock.now();
    expect(shared - local - estimate.offsetMs).toBeGreaterThanOrEqual(0);
  });

  it("shares one run between concurrent syncs, and refuses a sample count out of range", async () => {
    const client = await connected(stack, "clock-concurrent");
    const first = client.clock.sync(4);
    const second = client.clock.sync(4);
    expect(second).toBe(first);
    await first;
    expect(await timeRequests(client)).toBe(4);
    for (const samples of [0, 21, 1.5]) expect(await codeOf(client.clock.sync(samples))).toBe("bad_request");
  });

  it("measures again after a reconnect, only for a client that asked for the clock", async () => {
    const asked = await connected(stack, "clock-asked");
    const never = await connected(stack, "clock-never");
    const before = await asked.clock.sync(2);
    const reconnected = [asked, never].map(
      (client) =>
        new Promise<void>((resolve) => {
          const off = client.on("status", (s) => {
            if (s.state === "connected") {
              off();
              resolve();
            }
          });
        }),
    );
    await stack.nats.restart();
    await Promise.all(reconnected);
    const again = await waitFor(() => {
      const now = asked.clock.estimate.value;
      return now && now !== before ? now : undefined;
    }, "the clock to be measured again after the reconnect");
    expect(again.samples).toBe(5);
    expect(never.clock.estimate.value).toBeUndefined();
  });
});
