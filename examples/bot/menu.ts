/**
 * The demo shop's lunch menu: the café next to the roastery delivers pizza,
 * salads, drinks and sweets, so a group in one chat can order together. The
 * bot posts it as a menu card when someone asks for it; members start a group
 * cart from the card. Prices are integer euro cents (VAT comes on top, see
 * `kitchen.ts`).
 */
import type { MenuCard } from "@parley/sdk/cards";

/** The menu, as `shopCards(...).postMenu` takes it. */
export const LUNCH_MENU: Omit<MenuCard, "kind" | "v"> = {
  title: "Acme Café lunch",
  currency: "EUR",
  sections: [
    {
      id: "pizza",
      name: "Pizza",
      items: [
        {
          id: "margherita",
          name: "Margherita",
          description: "Tomato, fior di latte, basil",
          price: 890,
          options: [
            { id: "extra-cheese", name: "Extra cheese", price: 150 },
            { id: "gluten-free", name: "Gluten-free base", price: 200 },
          ],
        },
        {
          id: "diavola",
          name: "Diavola",
          description: "Tomato, mozzarella, spicy salami",
          price: 1090,
          options: [
            { id: "extra-cheese", name: "Extra cheese", price: 150 },
            { id: "chili-oil", name: "Chili oil", price: 0 },
          ],
        },
        {
          id: "funghi",
          name: "Funghi",
          description: "Tomato, mozzarella, mushrooms, thyme",
          price: 990,
          options: [{ id: "gluten-free", name: "Gluten-free base", price: 200 }],
        },
        { id: "quattro-formaggi", name: "Quattro formaggi", description: "Four cheeses, no tomato", price: 1150 },
      ],
    },
    {
      id: "salads",
      name: "Salads",
      items: [
        {
          id: "caesar",
          name: "Caesar salad",
          description: "Romaine, parmesan, croutons",
          price: 850,
          options: [{ id: "chicken", name: "Grilled chicken", price: 300 }],
        },
        { id: "caprese", name: "Caprese", description: "Tomato, mozzarella, basil", price: 790 },
      ],
    },
    {
      id: "drinks",
      name: "Drinks",
      items: [
        {
          id: "flat-white",
          name: "Flat white",
          price: 380,
          options: [{ id: "oat", name: "Oat milk", price: 50 }],
        },
        { id: "cold-brew", name: "Cold brew", price: 420 },
        { id: "lemonade", name: "Lemonade", price: 350 },
      ],
    },
    {
      id: "sweets",
      name: "Sweets",
      items: [{ id: "tiramisu", name: "Tiramisu", price: 550 }],
    },
  ],
};
