/**
 * The demo shop's lunch menu: the café next to the roastery delivers pizza,
 * salads, drinks and sweets, so a group in one chat can order together. The
 * bot posts it as a menu card when someone asks for it, in the language they
 * asked in; members start a group cart from the card. Prices are integer euro
 * cents (VAT comes on top, see `kitchen.ts`).
 *
 * Both languages come from one table, so section, item and option ids and
 * every price are the same in English and German: only the words differ. A
 * cart names the one menu card it was started from, and the widget shows a
 * cart's and an order's dishes by the names on that card, so everyone in a
 * group order sees the same names whatever their own locale.
 */
import type { MenuCard, MenuItem, MenuOption, MenuSection } from "@parley/sdk/cards";
import type { Lang } from "./understand.js";

/** The menu, as `shopCards(...).postMenu` takes it. */
export type LunchMenu = Omit<MenuCard, "kind" | "v">;

/** A word in both languages. */
type Words = Readonly<Record<Lang, string>>;
/** The same word in both languages (a dish's own name). */
const same = (word: string): Words => ({ en: word, de: word });

interface OptionRow {
  id: string;
  name: Words;
  price: number;
}
interface ItemRow {
  id: string;
  name: Words;
  description?: Words;
  price: number;
  options?: readonly OptionRow[];
}
interface SectionRow {
  id: string;
  name: Words;
  items: readonly ItemRow[];
}

const EXTRA_CHEESE: OptionRow = { id: "extra-cheese", name: { en: "Extra cheese", de: "Extra Käse" }, price: 150 };
const GLUTEN_FREE: OptionRow = {
  id: "gluten-free",
  name: { en: "Gluten-free base", de: "Glutenfreier Boden" },
  price: 200,
};

/** The menu's title, by language: also how the kitchen tells which language a cart's menu was in. */
const TITLE: Words = { en: "Acme Café lunch", de: "Acme Café Mittagskarte" };

const SECTIONS: readonly SectionRow[] = [
  {
    id: "pizza",
    name: same("Pizza"),
    items: [
      {
        id: "margherita",
        name: same("Margherita"),
        description: { en: "Tomato, fior di latte, basil", de: "Tomate, Fior di Latte, Basilikum" },
        price: 890,
        options: [EXTRA_CHEESE, GLUTEN_FREE],
      },
      {
        id: "diavola",
        name: same("Diavola"),
        description: { en: "Tomato, mozzarella, spicy salami", de: "Tomate, Mozzarella, scharfe Salami" },
        price: 1090,
        options: [EXTRA_CHEESE, { id: "chili-oil", name: { en: "Chili oil", de: "Chiliöl" }, price: 0 }],
      },
      {
        id: "funghi",
        name: same("Funghi"),
        description: { en: "Tomato, mozzarella, mushrooms, thyme", de: "Tomate, Mozzarella, Champignons, Thymian" },
        price: 990,
        options: [GLUTEN_FREE],
      },
      {
        id: "quattro-formaggi",
        name: same("Quattro formaggi"),
        description: { en: "Four cheeses, no tomato", de: "Vier Käsesorten, ohne Tomate" },
        price: 1150,
      },
    ],
  },
  {
    id: "salads",
    name: { en: "Salads", de: "Salate" },
    items: [
      {
        id: "caesar",
        name: { en: "Caesar salad", de: "Caesar Salad" },
        description: { en: "Romaine, parmesan, croutons", de: "Römersalat, Parmesan, Croûtons" },
        price: 850,
        options: [{ id: "chicken", name: { en: "Grilled chicken", de: "Gegrilltes Hähnchen" }, price: 300 }],
      },
      {
        id: "caprese",
        name: same("Caprese"),
        description: { en: "Tomato, mozzarella, basil", de: "Tomate, Mozzarella, Basilikum" },
        price: 790,
      },
    ],
  },
  {
    id: "drinks",
    name: { en: "Drinks", de: "Getränke" },
    items: [
      {
        id: "flat-white",
        name: { en: "Flat white", de: "Flat White" },
        price: 380,
        options: [{ id: "oat", name: { en: "Oat milk", de: "Haferdrink" }, price: 50 }],
      },
      { id: "cold-brew", name: { en: "Cold brew", de: "Cold Brew" }, price: 420 },
      { id: "lemonade", name: { en: "Lemonade", de: "Limonade" }, price: 350 },
    ],
  },
  {
    id: "sweets",
    name: { en: "Sweets", de: "Süßes" },
    items: [{ id: "tiramisu", name: same("Tiramisu"), price: 550 }],
  },
];

const option = (row: OptionRow, lang: Lang): MenuOption => ({ id: row.id, name: row.name[lang], price: row.price });

const item = (row: ItemRow, lang: Lang): MenuItem => ({
  id: row.id,
  name: row.name[lang],
  ...(row.description ? { description: row.description[lang] } : {}),
  price: row.price,
  ...(row.options ? { options: row.options.map((o) => option(o, lang)) } : {}),
});

const section = (row: SectionRow, lang: Lang): MenuSection => ({
  id: row.id,
  name: row.name[lang],
  items: row.items.map((i) => item(i, lang)),
});

/** The lunch menu in `lang`: the same ids and prices in every language. */
export function lunchMenu(lang: Lang): LunchMenu {
  return { title: TITLE[lang], currency: "EUR", sections: SECTIONS.map((s) => section(s, lang)) };
}

/** The language of a lunch menu, by its title (a cart carries its menu's title), or undefined for another menu. */
export function menuLanguage(title: string): Lang | undefined {
  return (Object.keys(TITLE) as Lang[]).find((lang) => TITLE[lang] === title);
}
