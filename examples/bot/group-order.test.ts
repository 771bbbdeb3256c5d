/**
 * A group food order with the example bot, against a real gateway and
 * nats-server, end to end encrypted: Mia asks for the menu, invites Noah, both
 * fill one cart, Mia submits it; the bot answers with an order card (PZ-2001,
 * 7 % tax rounded half up, 2,50 € delivery) whose status it moves to
 * delivered step by step (200 ms here), with the courier's live location
 * while it is out. In German ("Habt ihr eine Speisekarte?") the menu, the
 * order's dishes and the courier's title are German, and Noah (who writes
 * English) orders from the same card by item id. They split the bill with the shop:
 * a share paid by link is confirmed by the bot, a share paid in cash is left
 * to people. Last, `bot.stop()` stops the stepping of an order in flight.
 */
import { waitFor } from "@parley/gateway/testing";
import type { ParleyClient } from "@parley/sdk";
import type { CardState, CartState, MenuState, OrderState, SplitState } from "@parley/sdk/cards";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KitchenEvent, taxOn } from "./kitchen.js";
import { type BotStack, startBotStack, type TestCustomer } from "./test-stack.js";

const STEP_MS = 200;

let env: BotStack;

beforeAll(async () => {
  env = await startBotStack({ statusStepMs: STEP_MS });
});

afterAll(async () => {
  await env?.[Symbol.asyncDispose]();
});

/** Resolves the card `id` of `client`'s board once `ready` holds for it. */
function cardOf<T extends CardState>(
  client: ParleyClient,
  convId: string,
  pick: (card: CardState) => card is T,
  ready: (card: T) => boolean,
  what: string,
): Promise<T> {
  const board = client.cards.board(convId);
  return waitFor(() => [...board.value.cards.values()].filter(pick).find(ready), what);
}

type Placed = Extract<KitchenEvent, { action: "order-placed" }>;
/** Resolves the bot's answer to a submitted cart. */
const placedFor = (cart: string): Promise<Placed> =>
  waitFor(
    () => env.kitchen.find((e): e is Placed => e.action === "order-placed" && e.cart === cart),
    `the bot to place the order for cart ${cart}`,
  );

const isMenu = (c: CardState): c is MenuState => c.kind === "menu";
const isCart = (c: CardState): c is CartState => c.kind === "cart";
const isOrder = (c: CardState): c is OrderState => c.kind === "order";
const isSplit = (c: CardState): c is SplitState => c.kind === "split";

/** Mia with the menu in her conversation and Noah invited into it (with its history, so he sees the menu). */
async function miaAndNoah(
  tag: string,
  ask = "Can we see the menu?",
): Promise<{ mia: TestCustomer; noah: ParleyClient; menu: MenuState }> {
  const mia = await env.customer(`mia-${tag}`);
  await mia.say(ask);
  const menu = await cardOf(mia.client, mia.conv.id, isMenu, () => true, "the menu on Mia's board");
  const noah = await env.connected(`noah-${tag}`);
  await noah.updateProfile({ handle: `noah_${tag}`, displayName: "Noah" });
  const invite = await mia.client.invite(mia.conv.id, `noah_${tag}`, { history: "all" });
  await noah.acceptInvite(invite.id);
  await noah.loadConversation(mia.conv.id);
  await cardOf(noah, mia.conv.id, isMenu, () => true, "the menu on Noah's board");
  return { mia, noah, menu };
}

/** Mia starts a cart, both add to it at once, Mia submits it; resolves the cart's id. */
async function fillAndSubmit(mia: TestCustomer, noah: ParleyClient, menu: MenuState): Promise<string> {
  const convId = mia.conv.id;
  const cart = (await mia.client.cards.post(convId, { kind: "cart", v: 1, menu: menu.id, title: "Friday lunch" }))
    .msgId;
  await cardOf(noah, convId, isCart, (c) => c.id === cart, "the cart on Noah's board");
  await Promise.all([
    mia.client.cards.addToCart(convId, cart, { item: "margherita", quantity: 1, options: ["extra-cheese"] }),
    noah.cards.addToCart(convId, cart, { item: "diavola", quantity: 2 }),
  ]);
  await cardOf(mia.client, convId, isCart, (c) => c.id === cart && c.lines.length === 2, "both lines on Mia's board");
  await mia.client.cards.act(convId, { v: 1, card: cart, op: "submit" });
  return cart;
}

describe("a group order with the example bot", () => {
  it("confirms a submitted cart with an order card whose status moves on to delivered", async () => {
    const { mia, noah, menu } = await miaAndNoah("a");
    const convId = mia.conv.id;
    const cart = await fillAndSubmit(mia, noah, menu);
    const placed = await placedFor(cart);
    expect(placed).toMatchObject({ number: "PZ-2001" });
    // Mia's own device folds the bot's order card and its status events.
    const order = await cardOf(
      mia.client,
      convId,
      isOrder,
      (o) => o.card.number === "PZ-2001" && o.status === "delivered",
      "PZ-2001 to be delivered",
    );
    expect(order.steps.map((s) => s.status)).toEqual(["confirmed", "preparing", "out_for_delivery", "delivered"]);
    // (8,90 + 1,50) + 2 x 10,90 = 32,20; 7 % of it is 2,254, so 2,25; delivery 2,50.
    expect(order.subtotal).toBe(3220);
    expect(order.card).toMatchObject({ tax: 225, delivery: 250, currency: "EUR", cart });
    expect(order.total).toBe(3220 + 225 + 250);
    expect(order.card.items).toEqual([
      { name: "Margherita", quantity: 1, unitPrice: 1040, options: ["Extra cheese"], by: mia.client.principal.id },
      { name: "Diavola", quantity: 2, unitPrice: 1090, by: noah.principal.id },
    ]);
    // The cart now reads as ordered, on Noah's device too.
    const ordered = await cardOf(noah, convId, isCart, (c) => c.id === cart && c.status === "ordered", "the cart");
    expect(ordered.order).toBe(order.id);
    // While it was out for delivery the courier's live location was shared, as the team's, and
    // stopped once delivered: on Mia's board it is a pin that is no longer live.
    const courier = await waitFor(() => {
      const pin = [...mia.client.location.board(convId).value.pins.values()].find(
        (p) => p.label === "Courier · PZ-2001",
      );
      return pin?.live?.stoppedAt === undefined ? undefined : pin;
    }, "the courier's share to be stopped on Mia's board");
    expect(courier.fromTeam).toBe(true);
    expect(courier.sender).toBe(env.bot.client.principal.id);
    const rides = await waitFor(() => {
      const found = env.kitchen.filter((e) => e.action === "courier" && e.order === order.id);
      return found.length === 2 ? found : undefined;
    }, "the courier's start and stop");
    expect(rides.map((e) => e.action === "courier" && e.riding)).toEqual([true, false]);
    // The steps came one step apart, never all at once.
    const gaps = order.steps.slice(1).map((s, i) => s.ts - (order.steps[i]?.ts ?? 0));
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(STEP_MS - 50);

    // They split the bill with the shop by who ordered what. Noah pays by link: the bot confirms;
    // Mia pays cash: that is for a person at the shop to confirm, not the bot.
    const split = (
      await mia.client.cards.post(convId, {
        kind: "split",
        v: 1,
        currency: "EUR",
        total: order.total,
        method: "items",
        order: order.id,
        people: [mia.client.principal.id, noah.principal.id],
        payee: "shop",
      })
    ).msgId;
    await cardOf(noah, convId, isSplit, (s) => s.id === split, "the split on Noah's board");
    await noah.cards.act(convId, { v: 1, card: split, op: "paid", person: noah.principal.id, via: "link" });
    await mia.client.cards.act(convId, { v: 1, card: split, op: "paid", person: mia.client.principal.id, via: "cash" });
    await waitFor(
      () => env.kitchen.find((e) => e.action === "payment-left" && e.split === split),
      "the bot to leave the cash share",
    );
    const settled = await cardOf(
      mia.client,
      convId,
      isSplit,
      (s) => s.id === split && s.shares.some((x) => x.status === "confirmed"),
      "Noah's share to be confirmed",
    );
    expect(settled.shares.map((s) => [s.status, s.via])).toEqual([
      ["paid", "cash"],
      ["confirmed", "link"],
    ]);
    expect(settled.shares.reduce((sum, s) => sum + s.amount, 0)).toBe(order.total);
    expect(settled.open).toBe(settled.shares[0]?.amount);
    expect(env.kitchen.filter((e) => e.action === "failed")).toEqual([]);
  });

  it("keeps a German group order German, the courier's title too, when an English speaker joins", async () => {
    const { mia, noah, menu } = await miaAndNoah("de", "Habt ihr eine Speisekarte?");
    const convId = mia.conv.id;
    expect(menu.card.title).toBe("Acme Café Mittagskarte");
    // Noah writes English, but the cart is the German menu's: he adds by item id, as anyone does.
    const cart = await fillAndSubmit(mia, noah, menu);
    const placed = await placedFor(cart);
    expect(placed).toMatchObject({ number: "PZ-2002" });
    const order = await cardOf(
      noah,
      convId,
      isOrder,
      (o) => o.id === placed.order && o.status === "delivered",
      "PZ-2002 to be delivered on Noah's board",
    );
    // The same prices as in English; the names come from the card the cart was started from.
    expect(order.card.items).toEqual([
      { name: "Margherita", quantity: 1, unitPrice: 1040, options: ["Extra Käse"], by: mia.client.principal.id },
      { name: "Diavola", quantity: 2, unitPrice: 1090, by: noah.principal.id },
    ]);
    expect(order.subtotal).toBe(3220);
    const labels = await waitFor(() => {
      const pins = [...mia.client.location.board(convId).value.pins.values()];
      return pins.some((p) => p.live?.stoppedAt !== undefined) ? pins.map((p) => p.label) : undefined;
    }, "the courier's share to be stopped on Mia's board");
    expect(labels).toEqual(["Kurier · PZ-2002"]);
  });

  it("rounds the tax half up in integers", () => {
    expect(taxOn(3220, 700)).toBe(225);
    expect(taxOn(1250, 700)).toBe(88); // 87,5 -> 88
    expect(taxOn(1234, 700)).toBe(86); // 86,38 -> 86
    expect(taxOn(0, 700)).toBe(0);
    expect(taxOn(2 * 10 ** 15, 700)).toBe(14 * 10 ** 13);
  });

  it("stops moving orders on when the bot stops", async () => {
    const { mia, noah, menu } = await miaAndNoah("b");
    const cart = await fillAndSubmit(mia, noah, menu);
    const placed = await placedFor(cart);
    expect(placed).toMatchObject({ number: "PZ-2003" });
    await env.bot.stop();
    const order = await cardOf(mia.client, mia.conv.id, isOrder, (o) => o.id === placed.order, "the second order");
    // Five steps' time: a running bot would have delivered it by now.
    await new Promise((r) => setTimeout(r, 5 * STEP_MS));
    const board = mia.client.cards.board(mia.conv.id).value;
    expect((board.cards.get(order.id) as OrderState).status).toBe("confirmed");
    const steps = env.kitchen.filter((e) => e.action === "order-status" && e.order === placed.order);
    expect(steps).toEqual([]);
  });
});
