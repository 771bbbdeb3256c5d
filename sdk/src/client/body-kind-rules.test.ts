import { describe, expect, it } from "vitest";
import type { ChatMessage } from "../conversation-tracker.js";
import { ConversationTracker } from "../conversation-tracker.js";
import { ParleyError } from "../errors.js";
import { checkSender, foldBody } from "./body-kind-rules.js";

describe("body kind rules on the client", () => {
  it("refuses a send by a role the kind does not allow", () => {
    expect(() => checkSender({ type: "system", text: "x" }, "guest")).toThrow(ParleyError);
    expect(() => checkSender({ type: "system", text: "x" }, "guest")).toThrow(
      expect.objectContaining({ code: "forbidden" }),
    );
    expect(() => checkSender({ type: "system", text: "x" }, "agent")).not.toThrow();
    expect(() => checkSender({ type: "text", text: "x" }, "customer")).not.toThrow();
  });

  it("folds a message into state only through its kind's fold", () => {
    const tracker = new ConversationTracker("cv_1", "c_me");
    const message: ChatMessage = {
      convId: "cv_1",
      seq: 1,
      msgId: "m_1",
      sender: "a_1",
      ts: 1,
      body: { type: "text", text: "x" },
    };
    const before = tracker.state.value;
    foldBody(tracker.state, message);
    expect(tracker.state.value).toBe(before);
    foldBody(tracker.state, { ...message, body: undefined, error: "no key" });
    expect(tracker.state.value).toBe(before);
  });
});
