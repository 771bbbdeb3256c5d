import type { StoredMessage } from "@parley/sdk/protocol";
import { describe, expect, it } from "vitest";
import { messageEventJson } from "./events.js";

describe("messageEventJson", () => {
  it("is the message event JSON.stringify would give, with the envelope spliced in as serialized", () => {
    const message: StoredMessage = {
      convId: "c_1",
      seq: 42,
      msgId: 'm"\\1',
      sender: "p_1",
      ts: 1_700_000_000_000,
      envelope: {
        v: 1,
        convId: "c_1",
        epoch: 3,
        msgId: 'm"\\1',
        senderDevice: "d_1",
        ts: 1_699_999_999_999,
        alg: "xc20p-ed25519",
        nonce: "bm9uY2U",
        ct: "Y2lwaGVydGV4dA",
        sig: "c2ln",
      },
    };
    const json = messageEventJson(message, JSON.stringify(message.envelope));
    expect(JSON.parse(json)).toEqual({ type: "message", message });
  });
});
