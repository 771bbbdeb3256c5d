/**
 * The example shop's order book: a few fake orders the bot can report on. A
 * real bot would ask the shop's own order system here.
 */
export interface Order {
  id: string;
  /** The shop customer's external id (the `sub` of their customer token). */
  customer: string;
  status: "processing" | "shipped" | "delivered" | "cancelled";
  items: string[];
  /** Carrier and tracking code once shipped. */
  tracking?: string;
  /** ISO date of the expected or actual delivery. */
  eta?: string;
}

/**
 * The customer id the example shop backend (examples/shop-backend) gives a
 * shopper who logs in with `name`: the bot's demo orders belong to "Mia" and
 * "Noah" as they log in on the demo storefront.
 */
export function demoCustomerId(name: string): string {
  return `shopper-${Buffer.from(name.toLowerCase()).toString("base64url").slice(0, 40)}`;
}

export const DEMO_ORDERS: readonly Order[] = [
  {
    id: "PX-1001",
    customer: demoCustomerId("mia"),
    status: "shipped",
    items: ["Linen shirt"],
    tracking: "DHL 00340434161094",
    eta: "2026-11-27",
  },
  { id: "PX-1002", customer: demoCustomerId("mia"), status: "processing", items: ["Wool scarf", "Gloves"] },
  { id: "PX-1003", customer: demoCustomerId("noah"), status: "delivered", items: ["Rain jacket"], eta: "2026-11-20" },
  { id: "PX-1004", customer: demoCustomerId("noah"), status: "cancelled", items: ["Sneakers"] },
];

export class OrderBook {
  readonly #orders: Map<string, Order>;

  constructor(orders: readonly Order[] = DEMO_ORDERS) {
    this.#orders = new Map(orders.map((o) => [o.id, o]));
  }

  find(id: string): Order | undefined {
    return this.#orders.get(id.toUpperCase());
  }
}
