/**
 * SDK clients for the benchmark: real `ParleyClient`s over real WebSockets
 * (the `ws` package), signed in through the gateway's HTTP session routes,
 * end-to-end encrypted like every SDK client.
 *
 * The session routes allow 60 sessions per minute per client IP. Real customers
 * come from many addresses; here every client opens its session from its own
 * loopback address (127.0.x.y), through a minimal fetch bound to that address
 * (test/harness/plain-fetch.ts).
 */
import { type ClientOptions, createClient, type ParleyClient } from "@parley/sdk";
import { signCustomerToken } from "@parley/sdk/server";
import WebSocket from "ws";
import { installDualTransport } from "../test/harness/dual-transport.js";
import { DEFAULT_TEST_ORIGIN } from "../test/harness/nats.js";
import { plainFetch } from "../test/harness/plain-fetch.js";

export const SHOP = {
  id: "shop_bench",
  secret: "bench-shop-secret-0123456789abcdefghijkl",
  origins: ["https://shop.bench.test"],
};
export const AGENT = { login: "agent@bench.test", password: "bench agent password" };

let nextAddress = 0;
/** Starts this process's addresses at number `n`, so load-generator processes never share one. */
export function useAddressesFrom(n: number): void {
  nextAddress = n;
}
/** A fresh loopback source address per call: 127.0.1.1, 127.0.1.2, ... */
function loopbackAddress(): string {
  const n = nextAddress++;
  return `127.0.${1 + Math.floor(n / 250)}.${1 + (n % 250)}`;
}

function client(gatewayUrl: string, auth: ClientOptions["auth"]): ParleyClient {
  const c = createClient({
    gatewayUrl,
    auth,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    fetch: plainFetch({ localAddress: loopbackAddress() }),
    origin: DEFAULT_TEST_ORIGIN,
    requestTimeout: 10_000,
  });
  // This process also holds TCP NATS connections (baselines); see dual-transport.ts.
  const connect = c.connect.bind(c);
  c.connect = async () => {
    try {
      return await connect();
    } finally {
      installDualTransport();
    }
  };
  return c;
}

export function customerClient(gatewayUrl: string, sub: string): ParleyClient {
  const getToken = () =>
    signCustomerToken({
      shopId: SHOP.id,
      key: { alg: "HS256", secret: SHOP.secret },
      customer: { id: sub, name: sub },
    });
  return client(gatewayUrl, { kind: "customer", shopId: SHOP.id, getToken });
}

export function agentClient(gatewayUrl: string): ParleyClient {
  return client(gatewayUrl, { kind: "agent", shopId: SHOP.id, login: AGENT.login, password: AGENT.password });
}
