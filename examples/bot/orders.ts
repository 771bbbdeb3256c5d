/**
 * The example shop's order book: a few fake orders the bot can show as order
 * cards. A real bot would ask the shop's own order system here. Prices are
 * integer euro cents, as on the card.
 */
import type { OrderCard, OrderStatus } from "@parley/sdk/cards";

/** Where an order is, in the shop's own words. */
export type ShopOrderStatus = "processing" | "shipped" | "delivered" | "cancelled";

/** One line of an order in the shop's system. */
export interface ShopOrderLine {
  name: string;
  quantity: number;
  /** Price of one, in euro cents. */
  unitPrice: number;
}

/** An order in the shop's system. */
export interface Order {
  id: string;
  /** The shop customer's external id (the `sub` of their customer token). */
  customer: string;
  status: ShopOrderStatus;
  items: ShopOrderLine[];
  /** Tax on top of the items, in euro cents (0 when the prices include it). */
  tax: number;
  /** Delivery charge, in euro cents. */
  delivery: number;
  /** The carrier's tracking page, once shipped (`https:`). */
  trackingUrl?: string;
}

/** How the shop's statuses read on an order card. */
export const CARD_STATUS: Readonly<Record<ShopOrderStatus, OrderStatus>> = {
  processing: "preparing",
  shipped: "out_for_delivery",
  delivered: "delivered",
  cancelled: "cancelled",
};

/**
 * The customer id the example shop backend (examples/shop-backend) gives a
 * shopper who logs in with `name`: the bot's demo orders belong to "Mia" and
 * "Noah" as they log in on the demo storefront.
 */
export function demoCustomerId(name: string): string {
  return `shopper-${Buffer.from(name.toLowerCase()).toString("base64url").slice(0, 40)}`;
}

/** The demo's orders: the storefront's coffees, prices in euro cents including VAT. */
export const DEMO_ORDERS: readonly Order[] = [
  {
    id: "PX-1001",
    customer: demoCustomerId("mia"),
    status: "shipped",
    items: [
      { name: "House blend, 250 g", quantity: 2, unitPrice: 950 },
      { name: "Ethiopia Guji, 250 g", quantity: 1, unitPrice: 1290 },
    ],
    tax: 0,
    delivery: 490,
    trackingUrl: "https://tracking.example.com/dhl/00340434161094",
  },
  {
    id: "PX-1002",
    customer: demoCustomerId("mia"),
    status: "processing",
    items: [{ name: "Decaf Colombia, 250 g", quantity: 3, unitPrice: 1040 }],
    tax: 0,
    delivery: 0,
  },
  {
    id: "PX-1003",
    customer: demoCustomerId("noah"),
    status: "delivered",
    items: [{ name: "Ethiopia Guji, 250 g", quantity: 2, unitPrice: 1290 }],
    tax: 0,
    delivery: 490,
  },
  {
    id: "PX-1004",
    customer: demoCustomerId("noah"),
    status: "cancelled",
    items: [{ name: "House blend, 1 kg", quantity: 1, unitPrice: 3400 }],
    tax: 0,
    delivery: 0,
  },
];

/** Looks orders up by number. */
export class OrderBook {
  readonly #orders: Map<string, Order>;

  constructor(orders: readonly Order[] = DEMO_ORDERS) {
    this.#orders = new Map(orders.map((o) => [o.id, o]));
  }

  /** The order with this number (any case), or undefined. */
  find(id: string): Order | undefined {
    return this.#orders.get(id.toUpperCase());
  }
}

/** An order as the card the bot posts: EUR, the mapped status, the tracking link only while shipped. */
export function orderCard(order: Order): Omit<OrderCard, "kind" | "v"> {
  return {
    number: order.id,
    currency: "EUR",
    items: order.items.map((line) => ({ name: line.name, quantity: line.quantity, unitPrice: line.unitPrice })),
    tax: order.tax,
    delivery: order.delivery,
    status: CARD_STATUS[order.status],
    ...(order.status === "shipped" && order.trackingUrl ? { trackingUrl: order.trackingUrl } : {}),
    actions: ["reorder", "contact"],
  };
}
