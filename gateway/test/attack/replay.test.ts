/**
 * Attack rows for binding what a client shows to what was signed (issue 17,
 * item 6). A lying gateway (harness wiretap.ts `startLiar`: an app-account
 * user that publishes on principals' event subjects, as only the gateway may)
 * serves a real, validly signed envelope again: under a new `seq`, under a new
 * `msgId`, or into another conversation of the same reader. The encrypted
 * reader must refuse each as `decode-failed` and show the text only once,
 * where it was sent.
 */
import type { ClientEvents, ParleyClient } from "@parley/sdk";
import { randomId, type StoredMessage, subjects } from "@parley/sdk/protocol";
import { afterAll, beforeAll, expect } from "vitest";
import { attack } from "../harness/attack.js";
import { startStack, type TestStack } from "../harness/stack.js";
import { type Liar, startLiar } from "../harness/wiretap.js";
import { collectTexts, waitFor } from "../helpers.js";

let stack: TestStack;
let liar: Liar;
let agent: ParleyClient;
let reader: ParleyClient;
let convA: string;
let convB: string;
let original: StoredMessage;
const failed: ClientEvents["decode-failed"][] = [];
let shown: Map<string, string[]>;
const TEXT = "signed once, in conversation A";

beforeAll(async () => {
  stack = await startStack();
  liar = await startLiar(stack);
  agent = stack.agent({ encryption: true });
  reader = stack.customer("replay-reader", { encryption: true });
  shown = collectTexts(reader);
  reader.on("decode-failed", (e) => failed.push(e));
  await agent.connect();
  await reader.connect();
  convA = (await reader.openConversation()).id;
  convB = (await reader.openConversation()).id;
  await agent.loadConversation(convA);
  await agent.send(convA, TEXT);
  await waitFor(() => shown.get(convA)?.includes(TEXT), "the reader gets the agent's message");
  const { messages } = await reader.request("msg.history", { convId: convA, limit: 1 });
  const first = messages[0];
  if (!first) throw new Error("no message in A");
  original = first;
});
afterAll(async () => {
  for (const c of [agent, reader]) await c?.close().catch(() => undefined);
  await liar?.[Symbol.asyncDispose]();
  await stack?.[Symbol.asyncDispose]();
});

/** Serves `message` live to the reader as the gateway would, and waits until the reader has judged it. */
async function serve(message: StoredMessage): Promise<{ failed: boolean; shownUnder: string[] }> {
  const before = failed.length;
  await liar.publish(subjects.user(reader.principal.id), { type: "message", message });
  const judged = await waitFor(
    () =>
      failed.slice(before).some((f) => f.conversationId === message.convId && f.seq === message.seq) ||
      reader.conversation(message.convId).value.messages.some((m) => m.seq === message.seq && m.body !== undefined),
    "the reader takes the served message in",
    8000,
  ).catch(() => false);
  const state = reader.conversation(message.convId).value;
  const shownUnder = state.messages
    .filter((m) => m.body?.type === "text" && m.body.text === TEXT)
    .map((m) => `${m.convId.slice(-4)}#${m.seq}/${m.msgId.slice(0, 6)}`);
  return { failed: judged === true && failed.slice(before).some((f) => f.seq === message.seq), shownUnder };
}

const nextSeq = (convId: string) => reader.conversation(convId).value.lastSeq + 1;

attack(
  {
    area: "replay",
    attack: "lying gateway serves a signed envelope again under a new seq",
    expected: "decode-failed; the text shown once, under its first seq",
  },
  async (row) => {
    const { failed: refused, shownUnder } = await serve({ ...original, seq: nextSeq(convA) });
    row.observed(`decode-failed: ${refused}; text shown ${shownUnder.length}x (${shownUnder.join(", ")})`);
    expect(refused).toBe(true);
    expect(shownUnder).toHaveLength(1);
  },
);

attack(
  {
    area: "replay",
    attack: "lying gateway serves a signed envelope under a new msgId and seq",
    expected: "decode-failed (the signed header names another msgId); the text shown once",
  },
  async (row) => {
    const { failed: refused, shownUnder } = await serve({ ...original, seq: nextSeq(convA), msgId: randomId("m_") });
    row.observed(`decode-failed: ${refused}; text shown ${shownUnder.length}x (${shownUnder.join(", ")})`);
    expect(refused).toBe(true);
    expect(shownUnder).toHaveLength(1);
  },
);

attack(
  {
    area: "replay",
    attack: "lying gateway serves conversation A's signed envelope into conversation B",
    expected: "decode-failed (the signed header names A); nothing shown in B",
  },
  async (row) => {
    const { failed: refused, shownUnder } = await serve({ ...original, convId: convB, seq: nextSeq(convB) });
    row.observed(`decode-failed: ${refused}; text shown ${shownUnder.length}x in B`);
    expect(refused).toBe(true);
    expect(shownUnder).toHaveLength(0);
  },
);
