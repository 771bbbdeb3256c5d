/**
 * Cards through the real stack, everything end-to-end encrypted: the shop's
 * bot (a team device) posts a menu with `shopCards`, Mia and Noah (invited by
 * handle) fill one cart at the same time, Mia submits it, the bot hears the
 * submit once, answers with the order card (`orderFromCart`) and moves its
 * status; a split by who ordered what, Noah marks his share paid, the shop
 * confirms it. Refusals happen before anything is queued. A canary in a menu
 * item's name never reaches the store, the gateway's logs or NATS.
 */
import type { Card, CardBoard, CardEvent, CartState, ParleyClient } from "@parley/sdk";
import { type CartSubmittedEvent, orderFromCart, type SharePaidEvent, shopCards } from "@parley/sdk/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCanary, NOWHERE } from "./harness/canary.js";
import { SHOP_ID, startStack, type TestStack } from "./harness/stack.js";
import { startWiretap, type Wiretap } from "./harness/wiretap.js";
import { codeOf, joinByInvite, waitFor } from "./helpers.js";

const BOT = { login: "cards-bot", password: "bot password of some length" };
const CANARY = `CANARY${crypto.randomUUID().replace(/-/g, "")}`;

let stack: TestStack;
let taps: Wiretap[];
let bot: ParleyClient;
let mia: ParleyClient;
let noah: ParleyClient;
let shop: ReturnType<typeof shopCards>;
let convId: string;
const submitted: CartSubmittedEvent[] = [];
const paid: SharePaidEvent[] = [];
const clients: ParleyClient[] = [];

function track(client: ParleyClient): ParleyClient {
  clients.push(client);
  return client;
}

/** The board of `client` once `probe` finds what it waits for there. */
function onBoard<T>(client: ParleyClient, probe: (board: CardBoard) => T | undefined | false, what: string) {
  return waitFor(() => probe(client.cards.board(convId).value), what);
}

const cartOf = (board: CardBoard, id: string) => {
  const card = board.cards.get(id);
  return card?.kind === "cart" ? card : undefined;
};

beforeAll(async () => {
  stack = await startStack();
  taps = [await startWiretap(stack, "app"), await startWiretap(stack, "bots")];
  await stack.gateway.admin.addAgent(SHOP_ID, { ...BOT, displayName: "Pizza Bot", role: "agent", kind: "bot" });
  // The admin agent's device makes the team key and wraps it to the bot's device, which then signs as the team.
  const admin = track(stack.agent({ encryption: true }));
  await admin.connect();
  bot = track(stack.client({ auth: { kind: "bot", shopId: SHOP_ID, ...BOT }, encryption: true }));
  await bot.connect();
  await waitFor(async () => {
    const { wraps } = await bot.request("team.wrap.get", {});
    return wraps.some((w) => w.deviceId === bot.deviceId);
  }, "the team key to reach the bot's device");
  shop = shopCards(bot);
  shop.on("cart-submitted", (e) => submitted.push(e));
  shop.on("share-paid", (e) => paid.push(e));

  mia = track(stack.customer("cards-mia", { encryption: true }));
  noah = track(stack.customer("cards-noah", { encryption: true }));
  await mia.connect();
  await noah.connect();
  convId = (await mia.openConversation()).id;
  await mia.send(convId, "Hi, we'd like to order together");
  await joinByInvite(mia, convId, noah, "cards_noah");
}, 30_000);

afterAll(async () => {
  shop?.close();
  await Promise.allSettled(clients.map((c) => c.close()));
  await Promise.allSettled((taps ?? []).map((t) => t[Symbol.asyncDispose]()));
  await stack?.[Symbol.asyncDispose]();
});

describe("cards between a shop's bot and a group of customers", () => {
  let menuId: string;
  let cartId: string;
  let orderId: string;
  let splitId: string;
  let cart: CartState;

  it("the bot posts a menu that both customers see as the shop's", async () => {
    menuId = await shop.postMenu(convId, {
      title: "Pizza Place",
      currency: "EUR",
      sections: [
        {
          id: "pizza",
          name: "Pizza",
          items: [
            {
              id: "margherita",
              name: `Margherita ${CANARY}`,
              price: 850,
              options: [{ id: "extra-cheese", name: "Extra cheese", price: 150 }],
            },
            { id: "funghi", name: "Funghi", price: 950 },
          ],
        },
        { id: "drinks", name: "Drinks", items: [{ id: "cola", name: "Cola", price: 300 }] },
      ],
    });
    for (const client of [mia, noah]) {
      const menu = await onBoard(client, (b) => b.cards.get(menuId), "the menu on each customer's board");
      expect(menu).toMatchObject({ kind: "menu", fromTeam: true, by: bot.principal.id });
    }
  });

  it("Mia and Noah fill one cart at the same time; Mia submits; the bot hears it once with both people's lines", async () => {
    cartId = (await mia.cards.post(convId, { kind: "cart", v: 1, menu: menuId, title: "Friday pizza" })).msgId;
    await onBoard(noah, (b) => cartOf(b, cartId), "the cart on Noah's board");
    const lines = await Promise.all([
      mia.cards.addToCart(convId, cartId, { item: "margherita", quantity: 2, options: ["extra-cheese"] }),
      noah.cards.addToCart(convId, cartId, { item: "funghi", quantity: 1, note: "well done" }),
      noah.cards.addToCart(convId, cartId, { item: "cola", quantity: 2 }),
      mia.cards.addToCart(convId, cartId, { item: "cola", quantity: 1 }),
    ]);
    expect(new Set(lines).size).toBe(4);
    for (const line of lines) expect(line).toMatch(/^[A-Za-z0-9_-]{1,40}$/);
    await onBoard(mia, (b) => cartOf(b, cartId)?.lines.length === 4, "all four lines on Mia's board");
    await mia.cards.act(convId, { v: 1, card: cartId, op: "submit" });

    const event = await waitFor(() => submitted[0], "the bot's cart-submitted event");
    cart = event.cart;
    expect(event.convId).toBe(convId);
    expect(event.menu.id).toBe(menuId);
    expect(cart.status).toBe("submitted");
    expect(cart.lines.map((l) => [l.by, l.item.id, l.quantity, l.total])).toEqual(
      expect.arrayContaining([
        [mia.principal.id, "margherita", 2, 2000],
        [noah.principal.id, "funghi", 1, 950],
        [noah.principal.id, "cola", 2, 600],
        [mia.principal.id, "cola", 1, 300],
      ]),
    );
    expect(cart.total).toBe(3850);
    expect(Object.fromEntries(cart.people.map((p) => [p.principal, p.subtotal]))).toEqual({
      [mia.principal.id]: 2300,
      [noah.principal.id]: 1550,
    });
  });

  it("the order card answers the cart and its status moves in place for both customers", async () => {
    const order = orderFromCart(cart, { number: "PX-2001", tax: 0, delivery: 250 });
    expect(order.items.map((i) => i.by)).toEqual(cart.lines.map((l) => l.by));
    orderId = await shop.postOrder(convId, order);
    for (const client of [mia, noah]) {
      await onBoard(client, (b) => cartOf(b, cartId)?.status === "ordered", "the cart to read as ordered");
      expect(cartOf(client.cards.board(convId).value, cartId)?.order).toBe(orderId);
    }
    await shop.setStatus(convId, orderId, "confirmed");
    await shop.setTracking(convId, orderId, "https://track.test/PX-2001");
    for (const client of [mia, noah]) {
      const state = await onBoard(
        client,
        (b) => {
          const o = b.cards.get(orderId);
          return o?.kind === "order" && o.status === "confirmed" && o.trackingUrl ? o : undefined;
        },
        "the confirmed order on each board",
      );
      expect(state.steps.map((s) => s.status)).toEqual(["placed", "confirmed"]);
      expect(state.total).toBe(4100);
      expect(state.trackingUrl).toBe("https://track.test/PX-2001");
    }
  });

  it("a split by items: Noah marks his share paid, the bot hears it once and confirms it for the shop", async () => {
    const split: Card = {
      kind: "split",
      v: 1,
      currency: "EUR",
      total: 4100,
      method: "items",
      people: [mia.principal.id, noah.principal.id],
      payee: "shop",
      order: orderId,
    };
    splitId = (await mia.cards.post(convId, split)).msgId;
    const state = await onBoard(
      bot,
      (b) => {
        const s = b.cards.get(splitId);
        return s?.kind === "split" ? s : undefined;
      },
      "the split on the bot's board",
    );
    expect(state.shares.reduce((sum, s) => sum + s.amount, 0)).toBe(4100);
    await shop.attachPaymentLink(convId, splitId, noah.principal.id, "https://pay.test/noah");
    await onBoard(
      noah,
      (b) => {
        const s = b.cards.get(splitId);
        return s?.kind === "split" && s.shares.find((x) => x.person === noah.principal.id)?.link;
      },
      "the payment link on Noah's share",
    );
    await noah.cards.act(convId, { v: 1, card: splitId, op: "paid", person: noah.principal.id, via: "link" });
    const event = await waitFor(() => paid[0], "the bot's share-paid event");
    expect(event.share).toMatchObject({ person: noah.principal.id, status: "paid", via: "link" });
    expect(event.split.id).toBe(splitId);

    await shop.confirmReceived(convId, splitId, noah.principal.id);
    const confirmed = await onBoard(
      mia,
      (b) => {
        const s = b.cards.get(splitId);
        return s?.kind === "split" && s.shares.find((x) => x.person === noah.principal.id)?.status === "confirmed"
          ? s
          : undefined;
      },
      "Noah's share confirmed on Mia's board",
    );
    expect(confirmed.open).toBe(confirmed.shares.find((x) => x.person === mia.principal.id)?.amount);
    await onBoard(bot, (b) => b.cards.get(splitId)?.updatedSeq === confirmed.updatedSeq, "the bot's own board");
    expect(paid).toHaveLength(1);
    expect(submitted).toHaveLength(1);
  });

  it("refuses before queueing: a customer's order card, a forged status, malformed cards and events", async () => {
    const sent = async () => (await stack.gateway.store.since(convId, 0, 1000)).length;
    const before = await sent();
    const order: Card = { ...orderFromCart(cart, { number: "PX-FAKE", tax: 0, delivery: 0 }), kind: "order", v: 1 };
    expect(await codeOf(mia.cards.post(convId, order))).toBe("forbidden");
    const forged: CardEvent = { v: 1, card: orderId, op: "status", status: "delivered" };
    expect(await codeOf(mia.cards.act(convId, forged))).toBe("card_rejected");
    // No such line, and the cart is no longer open anyway.
    expect(await codeOf(mia.cards.act(convId, { v: 1, card: cartId, op: "remove", line: "nope" }))).toBe(
      "card_rejected",
    );
    const badMenu = {
      title: "Floats",
      currency: "EUR",
      sections: [{ id: "s", name: "S", items: [{ id: "x", name: "X", price: 1.5 }] }],
    };
    expect(await codeOf(shop.postMenu(convId, badMenu))).toBe("card_invalid");
    expect(await codeOf(mia.cards.post(convId, { kind: "cart", v: 1 } as unknown as Card))).toBe("card_invalid");
    const zero = { v: 1, card: cartId, op: "add", line: "l1", item: "cola", quantity: 0 } as CardEvent;
    expect(await codeOf(mia.cards.act(convId, zero))).toBe("card_invalid");
    expect(mia.conversation(convId).value.pending).toHaveLength(0);
    expect(bot.conversation(convId).value.pending).toHaveLength(0);
    expect(await sent()).toBe(before);
  });

  it("a second bot device hears a cart submitted before it started, once, after loading the conversation", async () => {
    const lea = track(stack.customer("cards-lea", { encryption: true }));
    await lea.connect();
    const leaConv = (await lea.openConversation()).id;
    await lea.send(leaConv, "One pizza please");
    const menu2 = await shop.postMenu(leaConv, {
      title: "Lunch",
      currency: "EUR",
      sections: [{ id: "s", name: "Lunch", items: [{ id: "soup", name: "Soup", price: 600 }] }],
    });
    await waitFor(() => lea.cards.board(leaConv).value.cards.get(menu2)?.kind === "menu", "the menu on Lea's board");
    const cart2 = (await lea.cards.post(leaConv, { kind: "cart", v: 1, menu: menu2 })).msgId;
    await waitFor(() => lea.cards.board(leaConv).value.cards.get(cart2), "the cart on Lea's board");
    await lea.cards.addToCart(leaConv, cart2, { item: "soup", quantity: 3 });
    await lea.cards.act(leaConv, { v: 1, card: cart2, op: "submit" });
    await waitFor(() => submitted.find((e) => e.cart.id === cart2), "the first bot device to hear Lea's submit");

    const bot2 = track(stack.client({ auth: { kind: "bot", shopId: SHOP_ID, ...BOT }, encryption: true }));
    await bot2.connect();
    await waitFor(async () => {
      const { wraps } = await bot2.request("team.wrap.get", {});
      return wraps.some((w) => w.deviceId === bot2.deviceId);
    }, "the team key to reach the second bot device");
    const shop2 = shopCards(bot2);
    const heard: CartSubmittedEvent[] = [];
    shop2.on("cart-submitted", (e) => heard.push(e));
    // Its first sign of the conversation is Lea's next message: it loads the conversation and folds its cards.
    await lea.send(leaConv, "Is it on its way?");
    const event = await waitFor(() => heard[0], "the second device's cart-submitted");
    expect(event).toMatchObject({ convId: leaConv, cart: { id: cart2, total: 1800 }, menu: { id: menu2 } });
    const thanks = await lea.send(leaConv, "Thanks");
    await waitFor(
      () => bot2.conversation(leaConv).value.messages.some((m) => m.msgId === thanks.msgId),
      "the second device to get Lea's thanks",
    );
    // Mia's cart was ordered already: nothing to announce; Lea's was announced once.
    expect(heard.map((e) => e.cart.id)).toEqual([cart2]);
    shop2.close();
  });

  it("leaves the menu's canary out of the store, its file, the gateway's logs and NATS", async () => {
    const search = await findCanary(stack, taps, convId, CANARY);
    // The menu did cross the stack: the customers read the canary from the decrypted card.
    const menu = mia.cards.board(convId).value.cards.get(menuId);
    expect(menu?.kind === "menu" && menu.card.sections[0]?.items[0]?.name).toContain(CANARY);
    expect(taps[0]?.captured.length).toBeGreaterThan(10);
    expect(taps[1]?.captured.length).toBeGreaterThan(5);
    expect(search.files.some((f) => f.endsWith("parley.sqlite"))).toBe(true);
    expect(search.found).toEqual(NOWHERE);
  });
});
