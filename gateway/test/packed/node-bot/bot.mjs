// The packed-packages test's Node bot, run from a scratch dir where only the SDK's tarball
// (and ws) is installed: signs in as a bot of the shop with end-to-end encryption, answers
// every customer text that starts with "ping" with "pong <rest>", and reports on stdout,
// one JSON object a line: {ready, backend}, then {heard} and {sent} for each ping.
//
//   PARLEY_GATEWAY=… PARLEY_SHOP=… PARLEY_BOT_LOGIN=… PARLEY_BOT_PASSWORD=… node bot.mjs
import { createClient, memoryStorage } from "@parley/sdk";
import { sodiumBackend } from "@parley/sdk/crypto";
import WebSocket from "ws";

const env = process.env;
const gatewayUrl = env.PARLEY_GATEWAY;
const report = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

const client = createClient({
  gatewayUrl,
  auth: { kind: "bot", shopId: env.PARLEY_SHOP, login: env.PARLEY_BOT_LOGIN, password: env.PARLEY_BOT_PASSWORD },
  WebSocket,
  origin: gatewayUrl,
  encryption: true,
  storage: memoryStorage(),
});
client.on("error", (err) => report({ error: String(err?.message ?? err) }));
client.on("message", async ({ conversationId, message }) => {
  if (message.sender === client.principal.id || message.body?.type !== "text") return;
  const text = message.body.text;
  if (!text.startsWith("ping")) return;
  report({ heard: text });
  const answer = `pong${text.slice(4)}`;
  await client.send(conversationId, answer);
  report({ sent: answer });
});
await client.connect();
report({ ready: true, backend: await sodiumBackend() });
process.on("SIGTERM", () => {
  client.close().finally(() => process.exit(0));
});
