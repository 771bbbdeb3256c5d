/**
 * What the example bot understands of a customer's line, without any state:
 * the language (English or German), the intent (opening hours, an order,
 * the menu, asking for a person, or nothing it knows), and whether the line is meant for
 * someone else (an @mention or an invite, or a line that names another person,
 * such as "Welcome Noah"). Plain regular expressions: enough for a demo, and
 * easy to read. A real bot would put a language model or an intent service
 * here and keep the rest of `bot.ts`.
 */

/** The languages the bot speaks. */
export type Lang = "en" | "de";
/** What a customer's line asks for. */
export type Understood =
  | { kind: "human" }
  | { kind: "order"; orderId: string }
  | { kind: "order-number" }
  /** The lunch menu, to order food (as a group). */
  | { kind: "menu" }
  | { kind: "hours" }
  /** Thanks, okay, bye: nothing to answer (and nothing to ask about). */
  | { kind: "thanks" }
  | { kind: "unknown" };

const HUMAN = /\b(human|person|agent|someone|real|mensch|mitarbeiter(in)?|jemand)\b/i;
const HOURS = /\b(open|opening|hours|close|closing|öffnungszeit(en)?|geöffnet|offen)\b/i;
const ORDER = /\b(order|bestellung|package|paket|parcel|delivery|lieferung|tracking)\b/i;
const ORDER_ID = /\bPX-?\s?(\d{4})\b/i;
/**
 * The menu, or ordering food: "menu", "order food", "order a pizza", "hungry",
 * "Speisekarte", "Essen bestellen", "was gibt es zu essen". Word edges are
 * lookarounds on letters, as `\b` knows only ASCII (it misses "Menü").
 */
const MENU =
  /(?<!\p{L})(?:menu|menü|speisekarte|hungry|hungrig|order(?:ing)?\s+(?:some\s+|a\s+)?(?:food|pizzas?|lunch|something\s+to\s+eat)|(?:essen|pizzas?|mittagessen)\s+bestellen|bestellen\s+(?:wir\s+)?(?:essen|pizzas?)|zu\s+essen)(?!\p{L})/iu;
const GERMAN =
  /\b(wann|wo|ist|meine|bestellung|hallo|bitte|danke|öffnungszeiten|mensch|habt|ihr|speisekarte|mittagskarte|essen|bestellen|wir|gibt|zeig|zeigen|mir|das|können)\b/i;
const THANKS =
  /^\s*(?:thanks|thank you|thx|cheers|ok|okay|great|perfect|bye|danke|vielen dank|super|alles klar|tschüss)(?:\s+(?:so much|a lot|again|sehr|schön))?[\s!.,:)]*$/i;
const MENTION = /(?:^|[^\p{L}\p{N}_])@([\p{L}\p{N}_.-]+)/gu;
/** A greeting or thanks followed by a capitalised name: "Welcome Noah", "Thanks Ada", "Hallo Lea". */
const SALUTATION =
  /^\s*(?:welcome|hi|hello|hey|thanks|thank you|bye|willkommen|hallo|danke|tschüss),?\s+(\p{Lu}[\p{L}'-]*)/iu;
/** Capitalised words after a greeting that are not a name. */
const NOT_A_NAME = new Set([
  "i",
  "ich",
  "when",
  "where",
  "what",
  "why",
  "how",
  "who",
  "can",
  "could",
  "is",
  "are",
  "do",
  "does",
  "there",
  "team",
  "all",
  "everyone",
  "wann",
  "wo",
  "was",
  "wie",
  "wer",
  "warum",
  "kann",
  "könnt",
  "könnten",
  "ist",
  "habt",
  "alle",
  "zusammen",
]);

/** The language of a line: German when it has a common German word, English otherwise. */
export function languageOf(text: string): Lang {
  return GERMAN.test(text) ? "de" : "en";
}

/** The intent of a line (a person, an order, the menu, hours, thanks, or nothing known), first match wins. */
export function understand(text: string): Understood {
  if (HUMAN.test(text)) return { kind: "human" };
  const orderId = ORDER_ID.exec(text);
  if (orderId) return { kind: "order", orderId: `PX-${orderId[1]}` };
  if (MENU.test(text)) return { kind: "menu" };
  if (ORDER.test(text)) return { kind: "order-number" };
  if (HOURS.test(text)) return { kind: "hours" };
  if (THANKS.test(text)) return { kind: "thanks" };
  return { kind: "unknown" };
}

/** Who the bot is and who else is around, to tell whether a line is meant for someone else. */
export interface Audience {
  /** The bot's own handle and display name. */
  self: { handle?: string; displayName: string };
  /** Display names and handles of the conversation's other members (not the sender, not the bot). */
  others: ReadonlyArray<{ handle?: string; displayName: string }>;
}

const words = (s: string) =>
  s
    .toLowerCase()
    .split(/[^\p{L}\p{N}_'-]+/u)
    .filter(Boolean);

/**
 * Why `text` is meant for someone other than the bot, or undefined when it may
 * be for the bot: it @mentions (or invites, which the widget does with a
 * leading @handle) anyone but the bot, greets or thanks someone by a name
 * that is not the bot's, or names another member of the conversation.
 */
export function addressedElsewhere(text: string, audience: Audience): "mention" | "named" | undefined {
  const own = audience.self.handle?.toLowerCase();
  for (const [, handle] of text.matchAll(MENTION)) {
    if (handle?.toLowerCase() !== own) return "mention";
  }
  const said = new Set(words(text));
  const selfWords = new Set(words(audience.self.displayName));
  const greeted = SALUTATION.exec(text)?.[1]?.toLowerCase();
  if (greeted && !NOT_A_NAME.has(greeted) && !selfWords.has(greeted)) return "named";
  for (const other of audience.others) {
    const first = words(other.displayName)[0];
    if (first && first.length > 1 && !selfWords.has(first) && said.has(first)) return "named";
    if (other.handle && said.has(other.handle.toLowerCase())) return "named";
  }
  return undefined;
}
