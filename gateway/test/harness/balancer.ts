/**
 * A loopback TCP load balancer for the cluster tests: each new connection goes
 * to the next backend in turn, and a backend that refuses the connection (its
 * process is dead) is skipped for the next one. What an operator puts in front
 * of several gateways (HTTP) or several FerretDB processes (MongoDB wire
 * protocol); connections through a backend that dies are dropped, as a real
 * balancer drops them.
 */
import { createServer, type Server, type Socket, connect as tcpConnect } from "node:net";

export interface Balancer {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/** Connects to the first backend, from `start` on, that accepts; `undefined` when none does. */
function connectAny(ports: readonly number[], start: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const tryAt = (i: number) => {
      if (i >= ports.length) {
        resolve(undefined);
        return;
      }
      const port = ports[(start + i) % ports.length] ?? 0;
      const upstream = tcpConnect(port, "127.0.0.1");
      const refused = () => {
        upstream.destroy();
        tryAt(i + 1);
      };
      upstream.once("error", refused);
      upstream.once("connect", () => {
        upstream.off("error", refused);
        resolve(upstream);
      });
    };
    tryAt(0);
  });
}

export async function startBalancer(backendPorts: readonly number[]): Promise<Balancer> {
  const sockets = new Set<Socket>();
  let next = 0;
  const server: Server = createServer((client) => {
    client.pause();
    sockets.add(client);
    client.on("error", () => client.destroy());
    client.on("close", () => sockets.delete(client));
    const start = next++ % backendPorts.length;
    connectAny(backendPorts, start).then((upstream) => {
      if (!upstream || client.destroyed) {
        upstream?.destroy();
        client.destroy();
        return;
      }
      sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(upstream);
      };
      client.on("close", drop);
      upstream.on("error", drop).on("close", drop);
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("balancer has no port");
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
