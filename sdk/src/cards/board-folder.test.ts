import { describe, expect, it } from "vitest";
import { BoardFolder, gapless } from "./board-folder.js";
import { foldCards } from "./fold.js";
import type { CardMessage } from "./state.js";

const menu = {
  kind: "menu",
  v: 1,
  title: "Lunch",
  currency: "EUR",
  sections: [{ id: "s", name: "Lunch", items: [{ id: "soup", name: "Soup", price: 600 }] }],
};

/** A conversation: a text, the team's menu, a cart, two lines and a submit. */
function conversation(): CardMessage[] {
  const at = (seq: number, sender: string, body: CardMessage["body"], fromTeam = false): CardMessage => ({
    seq,
    msgId: `msg-${seq}-xxxxxxxxxxxxxxxx`,
    sender,
    ts: 1_000 + seq,
    fromTeam,
    body,
  });
  const event = (op: Record<string, unknown>) => ({
    type: "card-event",
    event: { v: 1, card: "msg-3-xxxxxxxxxxxxxxxx", ...op },
  });
  return [
    at(1, "c_mia", { type: "text" }),
    at(2, "b_bot", { type: "card", card: menu } as CardMessage["body"], true),
    at(3, "c_mia", {
      type: "card",
      card: { kind: "cart", v: 1, menu: "msg-2-xxxxxxxxxxxxxxxx" },
    } as CardMessage["body"]),
    at(4, "c_mia", event({ op: "add", line: "a", item: "soup", quantity: 1 }) as CardMessage["body"]),
    at(5, "c_noah", event({ op: "add", line: "b", item: "soup", quantity: 2 }) as CardMessage["body"]),
    at(6, "c_mia", event({ op: "submit" }) as CardMessage["body"]),
  ];
}

describe("BoardFolder", () => {
  it("folds appended messages on top and gives the same board as folding everything", () => {
    const all = conversation();
    const folder = new BoardFolder();
    for (let n = 1; n <= all.length; n++) folder.update(all.slice(0, n));
    expect(folder.board).toEqual(foldCards(all));
    const cart = folder.board.cards.get("msg-3-xxxxxxxxxxxxxxxx");
    expect(cart?.kind === "cart" && [cart.status, cart.total]).toEqual(["submitted", 1800]);
  });

  it("keeps the board object when appended messages change no card (no refold)", () => {
    const all = conversation();
    const folder = new BoardFolder();
    const board = folder.update(all);
    const text: CardMessage = {
      seq: 7,
      msgId: "msg-7-xxxxxxxxxxxxxxxx",
      sender: "c_mia",
      ts: 2_000,
      body: { type: "text" },
    };
    expect(folder.update([...all, text])).toBe(board);
    expect(folder.update([...all, text])).toBe(board);
  });

  it("folds again when older messages are prepended", () => {
    const all = conversation();
    const folder = new BoardFolder();
    const partial = folder.update(all.slice(3));
    // Without its menu and cart, the events name nothing known.
    expect(partial.cards.size).toBe(0);
    expect(folder.update(all)).toEqual(foldCards(all));
  });

  it("folds again when a message is replaced (readable once a key arrived)", () => {
    const all = conversation();
    const unreadable = all.map((m) => (m.seq === 5 ? { ...m, body: undefined } : m));
    const folder = new BoardFolder();
    const before = folder.update(unreadable);
    const cart = before.cards.get("msg-3-xxxxxxxxxxxxxxxx");
    expect(cart?.kind === "cart" && cart.lines.length).toBe(1);
    expect(folder.update(all)).toEqual(foldCards(all));
  });

  it("folds nothing past a gap: a submit held before the add it follows waits for the add", () => {
    const all = conversation();
    const withoutNoah = all.filter((m) => m.seq !== 5); // seq 5 not delivered yet; the watermark stays at 4
    const folder = new BoardFolder();
    const held = folder.update(gapless(withoutNoah, 4));
    const cart = held.cards.get("msg-3-xxxxxxxxxxxxxxxx");
    // The submit (seq 6) is not folded over the hole: the cart is still open, with Mia's line only.
    expect(cart?.kind === "cart" && [cart.status, cart.lines.length]).toEqual(["open", 1]);
    const filled = folder.update(gapless(all, 6));
    const done = filled.cards.get("msg-3-xxxxxxxxxxxxxxxx");
    expect(done?.kind === "cart" && [done.status, done.lines.length]).toEqual(["submitted", 2]);
    expect(filled).toEqual(foldCards(all));
  });

  it("gapless returns the same array when nothing is past the watermark", () => {
    const all = conversation();
    expect(gapless(all, 6)).toBe(all);
    expect(gapless(all, 3).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(gapless([], 0)).toEqual([]);
  });
});
