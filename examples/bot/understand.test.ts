/**
 * What the example bot makes of a line, without a gateway: the intent
 * (menu, order, hours, a person, small talk) and the language, in English
 * and German. The bot's behaviour on these intents is in bot.test.ts.
 */
import { describe, expect, it } from "vitest";
import { languageOf, understand } from "./understand.js";

describe("understand", () => {
  it.each([
    "Can I see the menu?",
    "What's on the menu today",
    "We'd like to order food",
    "can we order a pizza for the office?",
    "I'm hungry",
    "Habt ihr eine Speisekarte?",
    "Wir wollen Essen bestellen",
    "Können wir Pizza bestellen?",
    "Was gibt es zu essen?",
    "Zeig mir das Menü",
  ])("asks for the menu: %s", (line) => {
    expect(understand(line)).toEqual({ kind: "menu" });
  });

  it("keeps order questions apart from ordering food", () => {
    expect(understand("where is PX-1001?")).toEqual({ kind: "order", orderId: "PX-1001" });
    expect(understand("Wo ist meine Bestellung PX 1002?")).toEqual({ kind: "order", orderId: "PX-1002" });
    expect(understand("Where is my order?")).toEqual({ kind: "order-number" });
    expect(understand("Wo ist meine Bestellung?")).toEqual({ kind: "order-number" });
    // A card payment or a gift card is not the menu ("Karte" alone is not asked for).
    expect(understand("Kann ich mit Karte zahlen?")).toEqual({ kind: "unknown" });
    expect(understand("Do you sell gift cards?")).toEqual({ kind: "unknown" });
  });

  it("still knows hours, a person and small talk", () => {
    expect(understand("When are you open?")).toEqual({ kind: "hours" });
    expect(understand("Wann habt ihr geöffnet?")).toEqual({ kind: "hours" });
    expect(understand("I want to talk to a human")).toEqual({ kind: "human" });
    expect(understand("Thanks!")).toEqual({ kind: "thanks" });
  });

  it("answers German menu requests in German", () => {
    expect(languageOf("Habt ihr eine Speisekarte?")).toBe("de");
    expect(languageOf("Essen bestellen")).toBe("de");
    expect(languageOf("Was gibt es zu essen?")).toBe("de");
    expect(languageOf("Zeig mir das Menü")).toBe("de");
    expect(languageOf("Können wir die Mittagskarte sehen?")).toBe("de");
    expect(languageOf("Can I see the menu?")).toBe("en");
    expect(languageOf("We'd like to order food")).toBe("en");
  });
});
