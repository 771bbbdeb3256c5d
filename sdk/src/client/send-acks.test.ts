import { describe, expect, it } from "vitest";
import type { StoredMessage } from "../protocol/envelope.js";
import { SendAcks } from "./send-acks.js";

/** A stored message as the gateway sends it (the envelope does not matter here). */
function stored(over: Partial<StoredMessage>): StoredMessage {
  return { convId: "cv_1", seq: 1, msgId: "m1", sender: "c_me", ts: 1_000, envelope: {} as never, ...over };
}

/** Whether `promise` settled by the time the microtasks queued so far ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

describe("SendAcks", () => {
  it("settles a waiting send on the sender's own message in its conversation, and on nothing else", async () => {
    const acks = new SendAcks();
    const wait = acks.wait("m1", "cv_1");
    acks.seen([stored({ sender: "c_other" })], "c_me"); // someone else's message with the id
    acks.seen([stored({ convId: "cv_2" })], "c_me"); // the id in another conversation
    acks.seen([stored({ msgId: "m2" })], "c_me"); // another message of mine
    acks.seen([stored({})], undefined); // no session: nobody is "me"
    expect(await settled(wait.seen)).toBe(false);
    acks.seen([stored({ msgId: "m0", seq: 4 }), stored({ seq: 5, ts: 2_000 })], "c_me");
    expect(await wait.seen).toMatchObject({ seq: 5, ts: 2_000, msgId: "m1" });
  });

  it("forgets a cancelled wait, and marks which msgIds are sent acknowledged through their event", async () => {
    const acks = new SendAcks();
    const wait = acks.wait("m1", "cv_1");
    wait.cancel();
    acks.seen([stored({})], "c_me");
    expect(await settled(wait.seen)).toBe(false);
    expect(acks.wanted("m1")).toBe(false);
    acks.want("m1");
    expect(acks.wanted("m1")).toBe(true);
    acks.unwant("m1");
    expect(acks.wanted("m1")).toBe(false);
  });

  it("lets a later wait for the same msgId (a retry) settle, not the cancelled earlier one", async () => {
    const acks = new SendAcks();
    const first = acks.wait("m1", "cv_1");
    const second = acks.wait("m1", "cv_1");
    first.cancel(); // the first attempt ending must not drop the retry's wait
    acks.seen([stored({ seq: 7 })], "c_me");
    expect(await second.seen).toMatchObject({ seq: 7 });
    expect(await settled(first.seen)).toBe(false);
  });
});
