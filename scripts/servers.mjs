#!/usr/bin/env node
// Finds or builds the servers the tests and the demo need (nats-server, FerretDB),
// caching binaries under $PARLEY_CACHE (default ~/.cache/parley). Safe to run twice.
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
