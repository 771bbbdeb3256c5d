// Makes sure the server binaries and Chromium exist before any suite starts (the first run on
// a fresh machine builds them from the Go module proxy).
import { ensureChromium } from "../../scripts/lib/chromium.mjs";
import { ensureFerretdb } from "../../scripts/lib/ferretdb.mjs";
import { ensureNatsServer } from "../../scripts/lib/nats-server.mjs";

export default async function setup(): Promise<void> {
  await ensureNatsServer();
  if (!process.env.MONGODB_URI) await ensureFerretdb();
  await ensureChromium();
}
