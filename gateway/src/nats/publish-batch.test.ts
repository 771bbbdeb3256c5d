import { setImmediate as nextTurn } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { PublishBatch } from "./publish-batch.js";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

function batch(failAt?: number) {
  const sent: string[] = [];
  const errors: Array<{ dropped: number }> = [];
  const out = new PublishBatch({
    publish(subject, payload) {
      if (sent.length === failAt) throw new Error("connection closed");
      sent.push(`${subject} ${text(payload)}`);
    },
    onError: (_error, dropped) => errors.push({ dropped }),
  });
  return { out, sent, errors };
}

describe("PublishBatch", () => {
  it("publishes nothing during the turn, then everything queued in it, in order", async () => {
    const { out, sent } = batch();
    out.publish("user.a.ev", bytes("1"));
    await Promise.resolve();
    out.publish("team.s.ev", bytes("2"));
    out.publish("_INBOX_a.x.1", bytes("3"));
    expect(sent).toEqual([]);
    expect(out.queued).toBe(3);
    await nextTurn();
    expect(sent).toEqual(["user.a.ev 1", "team.s.ev 2", "_INBOX_a.x.1 3"]);
    expect(out.queued).toBe(0);
  });

  it("keeps publishing in later turns", async () => {
    const { out, sent } = batch();
    out.publish("a", bytes("1"));
    await nextTurn();
    out.publish("b", bytes("2"));
    await nextTurn();
    expect(sent).toEqual(["a 1", "b 2"]);
  });

  it("flush publishes at once, and the scheduled turn then finds nothing to send twice", async () => {
    const { out, sent } = batch();
    out.publish("a", bytes("1"));
    out.flush();
    expect(sent).toEqual(["a 1"]);
    await nextTurn();
    expect(sent).toEqual(["a 1"]);
  });

  it("drops the rest of a batch once a publish throws, and reports how many", async () => {
    const { out, sent, errors } = batch(1);
    for (const s of ["a", "b", "c"]) out.publish(s, bytes(s));
    await nextTurn();
    expect(sent).toEqual(["a a"]);
    expect(errors).toEqual([{ dropped: 2 }]);
    expect(out.queued).toBe(0);
  });
});
