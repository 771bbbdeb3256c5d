/** What the example bot says, in the two languages it speaks. */
import type { Lang } from "./understand.js";

/** Everything the bot says, in one language. */
export interface BotTexts {
  hours: string;
  askNumber: string;
  unknownOrder: (id: string) => string;
  /** Said before the menu card: how a group orders from it. */
  menu: string;
  /** The one clarifying question, when the bot did not understand. */
  clarify: string;
  /** Handing over because the customer asked for a person. */
  handover: string;
  /** Handing over because the bot still did not understand after asking once. */
  handoverUnclear: string;
  /** The title of the courier's live location for an order (`PZ-2001`). */
  courier: (order: string) => string;
}

/** What the bot says, by language. */
export const TEXTS: Record<Lang, BotTexts> = {
  en: {
    hours: "We're open Monday to Friday 9:00–18:00 and Saturday 10:00–14:00 (Berlin time).",
    askNumber: "Happy to check. What's your order number? It looks like PX-1234.",
    unknownOrder: (id) => `I can't find order ${id} on your account. Could you check the number?`,
    menu: "Here's our lunch menu. Start a group order from it: everyone in this chat adds their own dishes, and whoever started the cart sends it to us.",
    clarify:
      "Sorry, I'm not sure what you need. I'm the shop's assistant: I can tell you our opening hours, show you where your order is (with its number, like PX-1234) or bring you the lunch menu to order food together. Or type “human” to talk to a person. What can I do for you?",
    handover: "I'm passing you to a colleague from the team; they'll reply here as soon as they can.",
    handoverUnclear:
      "I can't help with that myself, so I'm passing you to a colleague from the team; they'll reply here as soon as they can.",
    courier: (order) => `Courier · ${order}`,
  },
  de: {
    hours: "Wir sind Montag bis Freitag 9:00–18:00 und Samstag 10:00–14:00 Uhr für dich da.",
    askNumber: "Gerne. Wie lautet deine Bestellnummer? Sie sieht aus wie PX-1234.",
    unknownOrder: (id) => `Ich finde die Bestellung ${id} in deinem Konto nicht. Stimmt die Nummer?`,
    menu: "Hier ist unsere Mittagskarte. Startet daraus eine Gruppenbestellung: Alle in diesem Chat legen ihre eigenen Gerichte in den Warenkorb, und wer ihn gestartet hat, schickt ihn uns.",
    clarify:
      "Entschuldige, das habe ich nicht verstanden. Ich bin der Assistent des Shops: Ich kenne unsere Öffnungszeiten, zeige dir, wo deine Bestellung ist (mit der Nummer, etwa PX-1234), und bringe dir die Speisekarte, um gemeinsam Essen zu bestellen. Oder schreib „Mensch“, um mit jemandem aus dem Team zu sprechen. Wobei kann ich helfen?",
    handover:
      "Ich gebe dich an eine Kollegin oder einen Kollegen weiter; du bekommst hier so bald wie möglich eine Antwort.",
    handoverUnclear:
      "Dabei kann ich selbst nicht helfen, darum gebe ich dich an eine Kollegin oder einen Kollegen weiter; du bekommst hier so bald wie möglich eine Antwort.",
    courier: (order) => `Kurier · ${order}`,
  },
};

/** Both languages' clarifying questions: how the bot recognises, in a conversation's history, that it asked already. */
export const CLARIFY_TEXTS: ReadonlySet<string> = new Set([TEXTS.en.clarify, TEXTS.de.clarify]);
