#!/usr/bin/env node
// Finds or builds the servers the tests and the demo need (nats-server, FerretDB,
// coturn's turnserver) and the Chromium the browser tests drive, caching built binaries under
// $PARLEY_CACHE (default ~/.cache/parley). Safe to run twice.
import { ensureChromium } from "./lib/chromium.mjs";
import { ensureCoturn } from "./lib/coturn.mjs";
import { ensureFerretdb } from "./lib/ferretdb.mjs";
import { ensureNatsServer } from "./lib/nats-server.mjs";

const nats = await ensureNatsServer();
console.log(`nats-server: ${nats.bin} (${nats.version})`);
if (process.env.MONGODB_URI) {
  console.log("MongoDB: MONGODB_URI is set; FerretDB not needed");
} else {
  const ferret = await ensureFerretdb();
  console.log(`ferretdb: ${ferret.bin} (${ferret.version})`);
}
const chromium = await ensureChromium();
console.log(`chromium: ${chromium.bin} (${chromium.version})`);
const coturn = await ensureCoturn();
console.log(`turnserver: ${coturn.bin} (${coturn.version})`);
