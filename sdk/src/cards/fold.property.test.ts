/**
 * Properties of the cards fold over generated conversations: random menus
 * (with adversarial numbers), carts, orders, splits and events from the team,
 * the cart's members and strangers, forged ones included.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_AMOUNT, OrderStatuses } from "../protocol/cards/wire.js";
import { CardFolder, foldCards } from "./fold.js";
import { AGENT, ALICE, BOB, CAROL, cardMsg, eventMsg, idAt, MENU, ORDER } from "./fold-fixtures.js";
import type { CardBoard, CardMessage, CartState } from "./state.js";

const SEED = 20_261_206;
const RUNS = { seed: SEED, numRuns: 200 };
const PEOPLE = [ALICE, BOB, CAROL];
const SENDERS = [AGENT, ...PEOPLE];
/** Numbers a hostile sender may put where an amount goes. */
const ADVERSARIAL = [0.5, 1e300, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, MAX_AMOUNT + 1, -0.0001];

const amount = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 5_000 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: MAX_AMOUNT }) },
  { weight: 1, arbitrary: fc.constantFrom(...ADVERSARIAL) },
);
const quantity = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 99 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1.5, 100, ...ADVERSARIAL) },
);

/** Mostly small prices, so that carts get lines; sometimes anything `amount` gives. */
const menuAmount = fc.oneof(
  { weight: 30, arbitrary: fc.integer({ min: 0, max: 5_000 }) },
  { weight: 1, arbitrary: amount },
);
/** A menu whose prices may be adversarial; items `i0..`, options `o0..` on every item. */
const menu = fc
  .record({
    prices: fc.array(menuAmount, { minLength: 3, maxLength: 4 }),
    options: fc.array(menuAmount, { minLength: 2, maxLength: 3 }),
  })
  .map(({ prices, options }) => ({
    kind: "menu",
    v: 1,
    title: "Menu",
    currency: "EUR",
    sections: [
      {
        id: "s",
        name: "S",
        items: prices.map((price, i) => ({
          id: `i${i}`,
          name: `Item ${i}`,
          price,
          options: options.map((p, j) => ({ id: `o${j}`, name: `Opt ${j}`, price: p })),
        })),
      },
    ],
  }));

/** What a generated message does; the card it names is one of the first few seqs (or none). */
const action = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      sender: fc.constantFrom(...SENDERS),
      // Mostly the card the op is for (the cart, the order, the latest split); sometimes another one.
      aim: fc.oneof({ weight: 6, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(2, 3, 99) }),
      op: fc.oneof(
        fc.record({
          op: fc.constant("add"),
          line: fc.constantFrom("l1", "l2", "l3", "l4"),
          item: fc.constantFrom("i0", "i1", "i2", "nope"),
          quantity,
          options: fc.option(
            fc.oneof(
              { weight: 4, arbitrary: fc.subarray(["o0", "o1"]) },
              { weight: 1, arbitrary: fc.subarray(["o0", "o2", "zz"]) },
            ),
            { nil: undefined },
          ),
        }),
        fc.record({ op: fc.constant("set"), line: fc.constantFrom("l1", "l2", "l3"), quantity }),
        fc.record({ op: fc.constant("remove"), line: fc.constantFrom("l1", "l2", "l3") }),
        fc.record({ op: fc.constantFrom("lock", "unlock", "submit", "cancel") }),
        fc.record({ op: fc.constant("status"), status: fc.constantFrom(...OrderStatuses) }),
        fc.record({ op: fc.constant("tracking"), url: fc.constantFrom("https://t.example/", "http://t.example/") }),
        fc.record({
          op: fc.constant("paid"),
          person: fc.constantFrom(...PEOPLE),
          via: fc.constantFrom("cash", "link"),
        }),
        fc.record({ op: fc.constant("received"), person: fc.constantFrom(...PEOPLE) }),
        fc.record({
          op: fc.constant("link"),
          person: fc.constantFrom(...PEOPLE),
          url: fc.constant("https://pay.example/x"),
        }),
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      sender: fc.constantFrom(...SENDERS),
      post: fc.oneof(
        fc.record({ kind: fc.constant("order"), tax: amount, cart: fc.constant(true) }),
        fc.record({
          kind: fc.constant("split"),
          total: amount,
          method: fc.constantFrom("equal", "items", "custom", "shares"),
          payee: fc.constantFrom("shop", ALICE),
        }),
      ),
    }),
  },
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

const CART_OPS = new Set(["add", "set", "remove", "lock", "unlock", "submit", "cancel"]);

function toMessage(seq: number, a: Action, lastSplit: number): CardMessage {
  const team = a.sender === AGENT;
  if ("op" in a) {
    const own = CART_OPS.has(a.op.op) ? 2 : a.op.op === "status" || a.op.op === "tracking" ? 3 : lastSplit;
    return eventMsg(seq, a.sender, { v: 1, card: idAt(a.aim || own), ...a.op }, team);
  }
  if (a.post.kind === "order") return cardMsg(seq, a.sender, { ...ORDER, tax: a.post.tax, cart: idAt(2) }, team);
  const { total, method, payee } = a.post;
  const people = [ALICE, BOB];
  const extra =
    method === "custom"
      ? { amounts: [total, 0] }
      : method === "shares"
        ? { shares: [2, 3] }
        : method === "items"
          ? { order: idAt(3) }
          : {};
  return cardMsg(seq, a.sender, { kind: "split", v: 1, currency: "EUR", total, method, people, payee, ...extra }, team);
}

/** The seq of the last split posted before action `i` (99, no card, when none). */
function lastSplitBefore(actions: Action[], i: number): number {
  let last = 99;
  actions.forEach((b, j) => {
    if (j < i && "post" in b && b.post.kind === "split") last = j + 4;
  });
  return last;
}

/** Menu at 1 (team), cart at 2, the team's order at 3, then the actions from seq 4. */
const conversation = fc
  .record({
    menu,
    starter: fc.constantFrom(...PEOPLE),
    actions: fc.array(action, { minLength: 5, maxLength: 40, size: "max" }),
  })
  .map(({ menu, starter, actions }) => [
    cardMsg(1, AGENT, menu, true),
    cardMsg(2, starter, { kind: "cart", v: 1, menu: idAt(1) }),
    cardMsg(3, AGENT, ORDER, true),
    ...actions.map((a, i) => toMessage(i + 4, a, lastSplitBefore(actions, i))),
  ]);

/** The board as plain arrays, so equality also covers the order of the maps. */
const plain = (board: CardBoard) => ({ cards: [...board.cards], events: [...board.events] });

/** Every number anywhere in `value`. */
function numbers(value: unknown, out: number[] = []): number[] {
  if (typeof value === "number") out.push(value);
  else if (value && typeof value === "object") for (const v of Object.values(value)) numbers(v, out);
  return out;
}

describe("foldCards properties", () => {
  it("(a) any permutation of a conversation's messages, with duplicates, folds to the same board", () => {
    const withShuffle = conversation.chain((msgs) =>
      fc.tuple(fc.constant(msgs), fc.array(fc.nat(msgs.length - 1), { maxLength: 10 })).chain(([m, dups]) => {
        const all = [...m, ...dups.map((i) => ({ ...(m[i] as CardMessage) }))];
        return fc.tuple(fc.constant(m), fc.shuffledSubarray(all, { minLength: all.length, maxLength: all.length }));
      }),
    );
    fc.assert(
      fc.property(withShuffle, ([sorted, shuffled]) => {
        expect(plain(foldCards(shuffled))).toEqual(plain(foldCards(sorted)));
      }),
      RUNS,
    );
  });

  it("(c) every amount in every folded state is a safe integer; adversarial numbers are refused", () => {
    fc.assert(
      fc.property(conversation, (msgs) => {
        const folder = new CardFolder();
        const unsafe: number[] = [];
        for (const m of msgs) {
          const before = folder.board;
          folder.apply(m);
          // Every state the message made (a state is never changed in place, so older ones were checked).
          for (const [id, state] of folder.board.cards) {
            if (before.cards.get(id) !== state)
              unsafe.push(...numbers(state).filter((n) => !Number.isSafeInteger(n) || n < 0));
          }
        }
        expect(unsafe).toEqual([]);
        // A card carrying any number that is not a safe integer in 0..MAX_AMOUNT is a summary, never folded.
        for (const m of msgs) {
          const body = m.body as { type: string; card?: unknown; event?: unknown };
          const bad = numbers(body.card ?? body.event).some((n) => !Number.isSafeInteger(n) || n < 0 || n > MAX_AMOUNT);
          if (bad && body.type === "card") expect(folder.board.cards.get(m.msgId)?.kind).toBe("unknown");
          if (bad && body.type === "card-event") expect(folder.board.events.get(m.msgId)?.applied).toBe(false);
        }
        for (const state of folder.board.cards.values()) {
          if (state.kind === "cart") expect(state.total).toBeLessThanOrEqual(MAX_AMOUNT);
          if (state.kind === "split") expect(state.shares.reduce((a, s) => a + s.amount, 0)).toBe(state.total);
        }
      }),
      RUNS,
    );
  });

  it("wouldApply before each message agrees with what apply then does", () => {
    fc.assert(
      fc.property(conversation, (msgs) => {
        const folder = new CardFolder();
        for (const m of msgs) {
          const predicted = folder.wouldApply(m);
          expect(folder.apply(m)).toBe(predicted);
        }
      }),
      RUNS,
    );
  });

  it("(d) members adding lines concurrently never lose an edit", () => {
    const adds = fc.array(
      fc.record({
        member: fc.constantFrom(...PEOPLE),
        item: fc.constantFrom("margherita", "diavola", "water"),
        quantity: fc.integer({ min: 1, max: 99 }),
      }),
      { minLength: 1, maxLength: 30 },
    );
    const forged = fc.array(
      fc.record({ sender: fc.constantFrom(...PEOPLE), target: fc.nat(29), op: fc.constantFrom("set", "remove") }),
      { maxLength: 10 },
    );
    const interleaved = fc.tuple(adds, forged).chain(([a, f]) => {
      const events = [
        ...a.map((x, i) => ({
          sender: x.member,
          event: { v: 1, card: idAt(2), op: "add", line: `${x.member}-${i}`, item: x.item, quantity: x.quantity },
        })),
        // Someone else's set or remove of a line: never the line's owner, so never applied.
        ...f.flatMap((x) => {
          const target = a[x.target % a.length];
          if (!target || target.member === x.sender) return [];
          const line = `${target.member}-${x.target % a.length}`;
          const event = x.op === "set" ? { op: "set", line, quantity: 1 } : { op: "remove", line };
          return [{ sender: x.sender, event: { v: 1, card: idAt(2), ...event } }];
        }),
      ];
      return fc.tuple(
        fc.constant(a),
        fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
      );
    });
    fc.assert(
      fc.property(interleaved, ([a, events]) => {
        const board = foldCards([
          cardMsg(1, AGENT, MENU, true),
          cardMsg(2, ALICE, { kind: "cart", v: 1, menu: idAt(1) }),
          ...events.map((e, i) => eventMsg(i + 3, e.sender, e.event)),
        ]);
        const cart = board.cards.get(idAt(2)) as CartState;
        expect(cart.lines).toHaveLength(a.length);
        a.forEach((x, i) => {
          const line = cart.lines.find((l) => l.line === `${x.member}-${i}`);
          expect(line).toMatchObject({ by: x.member, item: { id: x.item }, quantity: x.quantity });
        });
        expect(cart.total).toBe(cart.lines.reduce((s, l) => s + l.total, 0));
      }),
      RUNS,
    );
  });
});
