/**
 * The lunch menu in both languages the bot speaks: German words in German
 * (sections, dishes' descriptions, options, title), the same ids and prices in
 * both, so a group cart and its order add up the same whoever reads them; and
 * the kitchen can tell a cart's language from its menu's title. The bot posting
 * it in the asker's language is in bot.test.ts, the German courier in
 * group-order.test.ts.
 */
import { describe, expect, it } from "vitest";
import { lunchMenu, menuLanguage } from "./menu.js";
import { TEXTS } from "./texts.js";

/** Everything on a menu except its words: ids and prices, in order. */
const skeleton = (lang: "en" | "de") =>
  lunchMenu(lang).sections.map((s) => ({
    id: s.id,
    items: s.items.map((i) => ({ id: i.id, price: i.price, options: i.options?.map((o) => [o.id, o.price]) })),
  }));

/** Every word a reader sees on the menu. */
const words = (lang: "en" | "de") => {
  const menu = lunchMenu(lang);
  return [
    menu.title,
    ...menu.sections.flatMap((s) => [
      s.name,
      ...s.items.flatMap((i) => [i.name, i.description ?? "", ...(i.options ?? []).map((o) => o.name)]),
    ]),
  ].filter(Boolean);
};

describe("the lunch menu", () => {
  it("reads in German for a German conversation", () => {
    const menu = lunchMenu("de");
    expect(menu.title).toBe("Acme Café Mittagskarte");
    expect(menu.sections.map((s) => s.name)).toEqual(["Pizza", "Salate", "Getränke", "Süßes"]);
    const caesar = menu.sections[1]?.items[0];
    expect(caesar).toMatchObject({ id: "caesar", name: "Caesar Salad", description: "Römersalat, Parmesan, Croûtons" });
    expect(caesar?.options).toEqual([{ id: "chicken", name: "Gegrilltes Hähnchen", price: 300 }]);
    expect(menu.sections[0]?.items.find((i) => i.id === "quattro-formaggi")?.description).toBe(
      "Vier Käsesorten, ohne Tomate",
    );
    // None of the English words the QA pass found on the German card.
    const german = words("de");
    for (const english of ["Salads", "Drinks", "Sweets", "Acme Café lunch", "Romaine, parmesan, croutons"]) {
      expect(german).not.toContain(english);
    }
  });

  it("stays English for an English conversation", () => {
    const menu = lunchMenu("en");
    expect(menu.title).toBe("Acme Café lunch");
    expect(menu.sections.map((s) => s.name)).toEqual(["Pizza", "Salads", "Drinks", "Sweets"]);
    expect(menu.sections[1]?.items[0]).toMatchObject({
      name: "Caesar salad",
      description: "Romaine, parmesan, croutons",
    });
  });

  it("has the same ids and prices in both languages", () => {
    expect(skeleton("de")).toEqual(skeleton("en"));
    expect(lunchMenu("de").currency).toBe(lunchMenu("en").currency);
    expect(skeleton("en").flatMap((s) => s.items)).toHaveLength(10);
  });

  it("tells its language by its title", () => {
    expect(menuLanguage(lunchMenu("de").title)).toBe("de");
    expect(menuLanguage(lunchMenu("en").title)).toBe("en");
    expect(menuLanguage("Pizza Place")).toBeUndefined();
  });
});

describe("the courier's title", () => {
  it("is in the conversation's language", () => {
    expect(TEXTS.de.courier("PZ-2001")).toBe("Kurier · PZ-2001");
    expect(TEXTS.en.courier("PZ-2001")).toBe("Courier · PZ-2001");
  });
});
