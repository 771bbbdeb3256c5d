/**
 * A process that appends until it is killed, for writer.test.ts:
 * `node --conditions=source --import tsx append-child.ts <db file> <prefix> <convId>...`.
 * Keeps 16 appends in flight round-robin over the conversations (which must
 * exist) and prints `ack <convId> <msgId> <seq>` for each append once its
 * promise resolved, `ready` once the store is open. stdout is a pipe, written
 * synchronously on Linux, so every printed ack left the process before a kill.
 */
import { message, openStore } from "./test-kit.js";

const [path, prefix, ...convIds] = process.argv.slice(2);
if (!path || !prefix || convIds.length === 0) throw new Error("usage: append-child.ts <path> <prefix> <convId>...");

const store = await openStore(path);
let next = 0;
const appendNext = (): void => {
  const n = next++;
  const convId = convIds[n % convIds.length] ?? "";
  const msgId = `${prefix}-${n}`;
  store.append(message(convId, msgId)).then(
    (r) => {
      process.stdout.write(`ack ${convId} ${msgId} ${r.message.seq}\n`);
      appendNext();
    },
    (error: unknown) => {
      process.stderr.write(`append ${msgId} failed: ${String(error)}\n`);
      process.exit(1);
    },
  );
};
process.stdout.write("ready\n");
for (let i = 0; i < 16; i++) appendNext();
