// Free loopback ports, for the tests' servers and the demo's. Only node: builtins
// (the demo imports this before node_modules exists).
import { createServer } from "node:net";

function listen(port, host) {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

function close(server) {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * `count` distinct free TCP ports on `host` (loopback by default). The ports are
 * held open together until all are known, so they never repeat; another process
 * may still take one before the caller binds it, so callers retry on "address in use".
 */
export async function freePorts(count, host = "127.0.0.1") {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen(0, host));
    return servers.map((s) => {
      const addr = s.address();
      if (addr === null || typeof addr === "string") throw new Error("server has no TCP address");
      return addr.port;
    });
  } finally {
    await Promise.all(servers.map(close));
  }
}

/** One free TCP port on `host` (loopback by default). */
export async function freePort(host = "127.0.0.1") {
  const [port] = await freePorts(1, host);
  if (port === undefined) throw new Error("no free port");
  return port;
}

/** Whether `port` on `host` can be bound now. */
export async function isFree(port, host = "127.0.0.1") {
  try {
    await close(await listen(port, host));
    return true;
  } catch {
    return false;
  }
}
