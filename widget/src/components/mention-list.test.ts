import { describe, expect, it } from "vitest";
import type { Mentionable } from "./invite-target.js";
import { insertMention, mentionOptionId, suggestionsAt } from "./mention-list.js";

const people: Mentionable[] = [
  { handle: "noah", displayName: "Noah", member: true },
  { handle: "nora.k", displayName: "Nora" },
  { handle: "mia", displayName: "Mia", member: true },
];

describe("the @ list's caret rules", () => {
  it.each<[string, string, number | null, string[]]>([
    ["offers handles starting with what follows @ before the caret", "hi @no", 6, ["noah", "nora.k"]],
    ["matches case-insensitively", "@MI", 3, ["mia"]],
    ["offers everyone right after @", "@", 1, ["noah", "nora.k", "mia"]],
    ["looks only before the caret", "@no and @mi", 3, ["noah", "nora.k"]],
    ["takes the whole text when the caret is unknown", "ask @m", null, ["mia"]],
    ["offers nobody for an @ inside a word", "mail@no", 7, []],
    ["offers nobody once the handle is followed by a space", "@noah ", 6, []],
  ])("%s", (_, value, caret, handles) => {
    expect(suggestionsAt(value, caret, people).map((m) => m.handle)).toEqual(handles);
  });

  it("offers at most 8 people", () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ handle: `p${i}`, displayName: `P${i}` }));
    expect(suggestionsAt("@p", 2, many)).toHaveLength(8);
  });

  it.each<[string, string, number, { value: string; caret: number }]>([
    ["completes the @partial at the end and adds a space", "hi @no", 6, { value: "hi @noah ", caret: 9 }],
    ["keeps the text after the caret", "@no, welcome", 3, { value: "@noah , welcome", caret: 6 }],
    ["completes a bare @", "@", 1, { value: "@noah ", caret: 6 }],
  ])("insertMention %s", (_, value, caret, expected) => {
    expect(insertMention(value, caret, "noah")).toEqual(expected);
  });

  it("names the options so the textarea can point at the highlighted one", () => {
    expect([0, 3].map(mentionOptionId)).toEqual(["mention-0", "mention-3"]);
  });
});
