/**
 * The terminal chat (chat.mjs) as a user runs it: a child process talking to a
 * real gateway and nats-server, end-to-end encrypted like every other client.
 * It reads what an encrypted customer wrote and answers so the customer's
 * device decrypts it; it keeps its device between runs; as a customer it sees
 * an invite, accepts it and reads the conversation, and can decline one; it
 * prints cards and card events readably (money in the chosen locale), and a
 * card of a kind it does not know as a one-line summary, and places and
 * listening sessions as one line each.
 * Needs the built SDK (`npm test` builds it before vitest), as the script
 * imports the published entry points.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import {
  AGENT_LOGIN,
  AGENT_PASSWORD,
  collectTexts,
  SHOP_ID,
  SHOP_SECRET,
  startStack,
  type TestStack,
  waitFor,
} from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
const CHAT = join(ROOT, "examples/cli-chat/chat.mjs");

interface Cli {
  /** Everything printed so far. */
  output(): string;
  /** Resolves the output once it contains `fragment`. */
  printed(fragment: string): Promise<string>;
  type(line: string): void;
  /** Closes stdin (the script finishes its sends and exits); resolves the exit code. */
  end(): Promise<number | null>;
  child: ChildProcessWithoutNullStreams;
}

let stack: TestStack;
let admin: ParleyClient;
let dir: string;
const clients: ParleyClient[] = [];
const running: Cli[] = [];

function cli(args: string[]): Cli {
  const child = spawn(process.execPath, [CHAT, "--config", join(dir, "demo.json"), ...args], {
    cwd: ROOT,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const append = (c: Buffer) => {
    output += c.toString();
  };
  child.stdout.on("data", append);
  child.stderr.on("data", append);
  const exit = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const handle: Cli = {
    child,
    output: () => output,
    printed: (fragment) =>
      waitFor(() => output.includes(fragment) && output, `the CLI to print "${fragment}"`).catch((err: Error) => {
        throw new Error(`${err.message}; it printed:\n${output}`);
      }),
    type: (line) => child.stdin.write(`${line}\n`),
    end: () => {
      child.stdin.end();
      return exit;
    },
  };
  running.push(handle);
  return handle;
}

async function encryptedCustomer(sub: string) {
  const client = stack.customer(sub, { encryption: true });
  clients.push(client);
  await client.connect();
  return { client, texts: collectTexts(client) };
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, "sdk/dist/index.js"))) {
    throw new Error("the CLI test runs chat.mjs on the built SDK (sdk/dist missing): run npm run build");
  }
  // The gateway's own origin is allowed on the NATS WebSocket: the script connects with it, as in the demo.
  stack = await startStack({ servesFrame: true });
  // The shop's admin device: makes the team key and hands it to new team devices (the demo runs one too).
  admin = stack.agent({ encryption: true });
  clients.push(admin);
  await admin.connect();
  dir = await mkdtemp(join(tmpdir(), "parley-cli-test-"));
  const demo = {
    gatewayUrl: stack.url,
    shopId: SHOP_ID,
    agentLogin: AGENT_LOGIN,
    agentPassword: AGENT_PASSWORD,
    stateDir: dir,
  };
  await writeFile(join(dir, "demo.json"), JSON.stringify(demo));
  await writeFile(join(dir, "secrets.json"), JSON.stringify({ shopTokenSecret: SHOP_SECRET }));
});

afterAll(async () => {
  for (const c of running) if (c.child.exitCode === null) c.child.kill("SIGKILL");
  await Promise.allSettled(clients.map((c) => c.close()));
  await stack?.[Symbol.asyncDispose]();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("the terminal chat, end-to-end encrypted", () => {
  it("as the agent: reads an encrypted customer's message, answers so the customer decrypts it, and stays the same device", async () => {
    const mia = await encryptedCustomer("mia-e2e");
    const conv = await mia.client.openConversation();
    await mia.client.send(conv.id, "Is the Guji in stock? (sealed)");

    const agent = cli(["--as", "agent"]);
    // A new team device: the admin's device hands it the team key (while it connects, or it waits), then it reads.
    await agent.printed(`[${conv.id}] mia-e2e: Is the Guji in stock? (sealed)`);
    expect(agent.output()).not.toContain("cannot be opened");
    agent.type(`/to ${conv.id}`);
    agent.type("Yes, roasted on Monday.");
    expect(await agent.end()).toBe(0);
    await waitFor(() => mia.texts.get(conv.id)?.includes("Yes, roasted on Monday."), "Mia to decrypt the reply");

    // The next run is the same device: it holds the team key already and reads at once.
    const again = cli(["--as", "agent", "--print-history-and-exit"]);
    expect(await again.end()).toBe(0);
    expect(again.output()).toContain(`[${conv.id}] you: Yes, roasted on Monday.`);
    expect(again.output()).toContain(`[${conv.id}] mia-e2e: Is the Guji in stock? (sealed)`);
    expect(again.output()).not.toContain("waiting for");
    // Its keys are in a file only its owner can read.
    expect((await stat(join(dir, "cli-agent.keys.json"))).mode & 0o077).toBe(0);
  });

  it("as a customer: sees an invite, accepts it and reads the conversation, and writes into it", async () => {
    const noah = await encryptedCustomer("noah-e2e");
    const conv = await noah.client.openConversation();
    await noah.client.send(conv.id, "Which beans did we order last time? (before you joined)");

    const lena = cli(["--as", "customer", "--name", "Lena"]);
    lena.type("/handle lena_cli");
    await lena.printed("your handle is now @lena_cli");
    // Noah lets Lena read what was said before she joined: the invite offers all the history.
    const invite = await noah.client.invite(conv.id, "lena_cli", { history: "all" });
    await lena.printed(`invites you to ${conv.id}: /accept ${invite.id}`);
    lena.type("/accept");
    await lena.printed(`(joined ${conv.id})`);
    await lena.printed("noah-e2e: Which beans did we order last time? (before you joined)");
    await noah.client.send(conv.id, "Welcome Lena!");
    await lena.printed("noah-e2e: Welcome Lena!");
    lena.type("The Ethiopia Guji, I think.");
    await waitFor(
      () => noah.texts.get(conv.id)?.includes("The Ethiopia Guji, I think."),
      "Noah to decrypt Lena's line",
    );
    lena.type("/help");
    await lena.printed("/decline [inviteId]");
    expect(await lena.end()).toBe(0);
  });

  it("as a customer: declines an invite", async () => {
    const ben = await encryptedCustomer("ben-e2e");
    const conv = await ben.client.openConversation();
    const kai = cli(["--as", "customer", "--name", "Kai"]);
    kai.type("/handle kai_cli");
    await kai.printed("your handle is now @kai_cli");
    const invite = await ben.client.invite(conv.id, "kai_cli");
    await kai.printed(`/decline ${invite.id}`);
    kai.type(`/decline ${invite.id}`);
    await kai.printed(`(declined invite ${invite.id} to ${conv.id})`);
    expect(await kai.end()).toBe(0);
    const { members } = await ben.client.request("conv.get", { convId: conv.id });
    expect(members.map((m) => m.displayName)).toEqual(["ben-e2e"]);
  });

  it("prints cards readably (a bill split with its shares, the events on it, an unknown kind as a summary), places and listening sessions", async () => {
    const mia = await encryptedCustomer("mia-cards");
    const noah = await encryptedCustomer("noah-cards");
    await noah.client.updateProfile({ handle: "noah_cards" });
    const conv = await mia.client.openConversation();
    const invite = await mia.client.invite(conv.id, "noah_cards");
    await noah.client.acceptInvite(invite.id);
    const people = [mia.client.principal.id, noah.client.principal.id];
    const split = await mia.client.cards.post(conv.id, {
      kind: "split",
      v: 1,
      currency: "EUR",
      total: 1001,
      method: "equal",
      people,
      payee: mia.client.principal.id,
    });
    // A card kind from a future version: sent as it is, shown as a summary.
    await mia.client.send(conv.id, { type: "card", card: { kind: "poll", question: "Pizza or sushi?" } });
    await noah.client.loadConversation(conv.id);
    const board = noah.client.cards.board(conv.id);
    await waitFor(() => board.value.cards.has(split.msgId), "the split on Noah's board");
    await noah.client.cards.act(conv.id, { v: 1, card: split.msgId, op: "paid", person: people[1] ?? "", via: "cash" });
    await mia.client.loadConversation(conv.id);
    const miaBoard = mia.client.cards.board(conv.id);
    await waitFor(() => miaBoard.value.events.size === 1, "Noah's payment on Mia's board");
    await mia.client.cards.act(conv.id, { v: 1, card: split.msgId, op: "received", person: people[1] ?? "" });
    // A place, a live share stopped at once, and a listening session ended by its starter.
    await mia.client.location.share(conv.id, { lat: 52.520817, lon: 13.409419, accuracy: 12 }, { label: "Entrance" });
    const live = await mia.client.location.startLive(
      conv.id,
      { lat: 48.1371, lon: 11.5754, accuracy: 30 },
      { durationMs: 15 * 60_000 },
    );
    await live.stop();
    const session = await mia.client.listen.start(conv.id, [
      { url: "https://media.example/one.wav", title: "Morning Walk", durationMs: 27_220 },
    ]);
    await mia.client.listen.end(conv.id, session.msgId);

    const agent = cli(["--as", "agent", "--print-history-and-exit", "--locale", "de-DE"]);
    expect(await agent.end()).toBe(0);
    const printed = agent.output();
    const noahName = "noah-cards (@noah_cards)";
    // The card shows its state now: 10,01 € in two shares (the odd cent to the first listed), Noah's confirmed.
    expect(printed).toContain(
      [
        `[${conv.id}] mia-cards: [bill split] 10,01\u00a0€ equally, paid to mia-cards; open 5,01\u00a0€`,
        "  mia-cards: 5,01\u00a0€ open",
        `  ${noahName}: 5,00\u00a0€ confirmed (cash)`,
      ].join("\n"),
    );
    expect(printed).toContain(`[${conv.id}] mia-cards: [a "poll" card this version cannot show]`);
    expect(printed).toContain(`[${conv.id}] ${noahName}: marked their share paid (cash)`);
    expect(printed).toContain(`[${conv.id}] mia-cards: confirmed ${noahName}'s share as received`);
    expect(printed).not.toContain("[card]");
    expect(printed).toContain(
      `[${conv.id}] mia-cards: [location "Entrance" 52.52082, 13.40942 ±12 m] https://www.openstreetmap.org/?mlat=52.52082&mlon=13.40942`,
    );
    expect(printed).toMatch(/mia-cards: \[location 48\.13710, 11\.57540 ±30 m, live until [^\]]+\]/);
    expect(printed).toContain(`[${conv.id}] mia-cards: (stopped sharing their location)`);
    expect(printed).toContain(`[${conv.id}] mia-cards: [started listening together: 1 track(s), first "Morning Walk"]`);
    expect(printed).toContain(`[${conv.id}] mia-cards: (ended the listening session)`);
  });
});
