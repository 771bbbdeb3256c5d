/**
 * The terminal chat (chat.mjs) as a user runs it: a child process talking to a
 * real gateway and nats-server, end-to-end encrypted like every other client.
 * It reads what an encrypted customer wrote and answers so the customer's
 * device decrypts it; it keeps its device between runs; as a customer it sees
 * an invite, accepts it and reads the conversation, and can decline one.
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
    // Noah lets invitees read what was said before they joined (the policy hands the keys over, the invite offers it all).
    await noah.client.setHistoryPolicy(conv.id, "full");
    await noah.client.send(conv.id, "Which beans did we order last time? (before you joined)");

    const lena = cli(["--as", "customer", "--name", "Lena"]);
    lena.type("/handle lena_cli");
    await lena.printed("your handle is now @lena_cli");
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
});
