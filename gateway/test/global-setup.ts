// Makes sure the server binaries (nats-server, FerretDB, turnserver) and Chromium exist before any
// suite starts (the first run on a fresh machine builds them from the Go module proxy or installs
// them with apt-get).
import { ensureChromium } from "../../scripts/lib/chromium.mjs";
import { ensureCoturn } from "../../scripts/lib/coturn.mjs";
import { ensureFerretdb } from "../../scripts/lib/ferretdb.mjs";
import { ensureNatsServer } from "../../scripts/lib/nats-server.mjs";

export default async function setup(): Promise<void> {
  await ensureNatsServer();
  if (!process.env.MONGODB_URI) await ensureFerretdb();
  await ensureChromium();
  await ensureCoturn();
}
