// The demo's ports (a preferred one or the next free, through the repository's
// port helper) and its readiness probe. Only node: builtins.
import { get as httpGet } from "node:http";
import { freePorts, isFree } from "../lib/ports.mjs";
import { DemoError, HOST } from "./common.mjs";

/** The port named by `variable`, else `preferred` or one of the next 19, else any free one; never one in `taken`. */
export async function pickPort(variable, preferred, taken = []) {
  const wanted = process.env[variable];
  if (wanted) {
    const port = Number(wanted);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new DemoError(`${variable}=${wanted} is not a port`);
    if (taken.includes(port) || !(await isFree(port, HOST))) {
      throw new DemoError(`port ${port} (${variable}) is already in use on ${HOST}`);
    }
    return port;
  }
  for (let port = preferred; port < preferred + 20; port++) {
    if (!taken.includes(port) && (await isFree(port, HOST))) return port;
  }
  for (;;) {
    const [port] = await freePorts(1, HOST);
    if (!taken.includes(port)) return port;
  }
}

/** GET `url` answers 2xx. (node:http rather than fetch, which refuses some ports such as 6000.) */
export function httpOk(url) {
  return new Promise((resolveOk) => {
    const req = httpGet(url, { timeout: 1_000 }, (res) => {
      res.resume();
      resolveOk(res.statusCode >= 200 && res.statusCode < 300);
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolveOk(false));
  });
}
