// Finds or installs coturn's `turnserver`, the TURN relay the call tests run
// (the same server production docs recommend next to the gateway).
//
// Order: $TURNSERVER_BIN; /usr/bin/turnserver; else Debian's `coturn` package via
// apt-get (the CI machine is fresh each run and has apt). Debian's package does
// not start a daemon on install: its /etc/default/coturn leaves
// TURNSERVER_ENABLED commented out, and the tests start their own on loopback.
import { ensureDebianTool } from "./debian-tool.mjs";

/** Resolves `{bin, version}`; installs Debian's coturn when no turnserver is found and apt is usable. */
export function ensureCoturn(options = {}) {
  return ensureDebianTool(
    {
      name: "coturn",
      envVar: "TURNSERVER_BIN",
      bin: "/usr/bin/turnserver",
      packages: ["coturn"],
      // `turnserver --version` prints the bare version (`4.6.1`).
      version: /(\d+\.\d+\.\d+)/,
      purpose: "the call tests",
    },
    options,
  );
}
