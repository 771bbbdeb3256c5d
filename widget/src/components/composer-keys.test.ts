import { describe, expect, it } from "vitest";
import { type ComposerKeyAction, type ComposerKeyEvent, composerKey } from "./composer-keys.js";

const key = (k: string, more: Partial<ComposerKeyEvent> = {}): ComposerKeyEvent => ({
  key: k,
  shiftKey: false,
  isComposing: false,
  keyCode: 0,
  ...more,
});
const closed = { count: 0, active: 0 };
const three = (active: number) => ({ count: 3, active });

describe("composer keys with the @ list closed", () => {
  it.each<[string, ComposerKeyEvent, boolean, ComposerKeyAction]>([
    ["Enter sends", key("Enter"), false, { do: "send" }],
    ["Shift+Enter is left to the textarea (a new line)", key("Enter", { shiftKey: true }), false, { do: "none" }],
    [
      "Enter during a composition (isComposing) does not send",
      key("Enter", { isComposing: true }),
      false,
      { do: "none" },
    ],
    ["Enter between compositionstart and compositionend does not send", key("Enter"), true, { do: "none" }],
    ["Enter that went to an IME (keyCode 229) does not send", key("Enter", { keyCode: 229 }), false, { do: "none" }],
    ["Escape is left alone", key("Escape"), false, { do: "none" }],
    ["ArrowDown is left alone", key("ArrowDown"), false, { do: "none" }],
    ["Tab is left alone", key("Tab"), false, { do: "none" }],
    ["a letter is left alone", key("a"), false, { do: "none" }],
  ])("%s", (_, e, composing, action) => {
    expect(composerKey(e, closed, composing)).toEqual(action);
  });
});

describe("composer keys with the @ list open", () => {
  it.each<[string, ComposerKeyEvent, { count: number; active: number }, ComposerKeyAction]>([
    ["ArrowDown moves down", key("ArrowDown"), three(0), { do: "move", active: 1 }],
    ["ArrowDown wraps from the last to the first", key("ArrowDown"), three(2), { do: "move", active: 0 }],
    ["ArrowUp moves up", key("ArrowUp"), three(2), { do: "move", active: 1 }],
    ["ArrowUp wraps from the first to the last", key("ArrowUp"), three(0), { do: "move", active: 2 }],
    ["ArrowDown stays on a single entry", key("ArrowDown"), { count: 1, active: 0 }, { do: "move", active: 0 }],
    ["Enter picks the highlighted person", key("Enter"), three(1), { do: "pick", index: 1 }],
    ["Shift+Enter picks too", key("Enter", { shiftKey: true }), three(2), { do: "pick", index: 2 }],
    ["Tab picks the highlighted person", key("Tab"), three(0), { do: "pick", index: 0 }],
    ["Escape closes the list", key("Escape"), three(1), { do: "close" }],
    ["a letter is left to the textarea", key("x"), three(1), { do: "none" }],
    ["Tab during a composition is left alone", key("Tab", { isComposing: true }), three(0), { do: "none" }],
    [
      "Enter during a composition neither picks nor sends",
      key("Enter", { isComposing: true }),
      three(0),
      { do: "none" },
    ],
    ["Enter with no highlighted entry sends instead", key("Enter"), { count: 2, active: 2 }, { do: "send" }],
    ["Tab with no highlighted entry is left alone", key("Tab"), { count: 2, active: 2 }, { do: "none" }],
  ])("%s", (_, e, list, action) => {
    expect(composerKey(e, list, false)).toEqual(action);
  });

  it("picks on Enter between compositionstart and compositionend (only isComposing holds a pick back)", () => {
    expect(composerKey(key("Enter"), three(1), true)).toEqual({ do: "pick", index: 1 });
  });
});
