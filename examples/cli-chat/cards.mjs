// How the terminal chat prints a message: text as it is, a file as its name
// and size, and cards and card events from the fold of the
// conversation (`foldCards` of `@parley/sdk/cards`), so a card shows its state
// as every client computes it, and an event reads as a short line ("Order
// PZ-2001 is now preparing"). Money goes through Intl.NumberFormat in the
// terminal's locale, from integer minor units to a decimal string (never a
// float). A kind this version does not know prints as a one-line summary.

const STATUS = {
  placed: "placed",
  confirmed: "confirmed",
  preparing: "preparing",
  out_for_delivery: "out for delivery",
  delivered: "delivered",
  cancelled: "cancelled",
};
/**
 * The locale money is written in: `tag` (checked), or the system's.
 * @param {string | undefined} tag
 */
export function pickLocale(tag) {
  if (!tag) return Intl.DateTimeFormat().resolvedOptions().locale;
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? Intl.DateTimeFormat().resolvedOptions().locale;
  } catch {
    throw new Error(`--locale ${tag} is not a language tag (try en or de-DE)`);
  }
}

/**
 * What a message says (a card: a few lines); undefined for what is not for people (key handovers).
 * `cardContext` folds the conversation's cards, called only for cards and card events.
 * @param {import("@parley/sdk").ChatMessage} message
 * @param {() => { name: (principalId: string) => string, locale: string, board: import("@parley/sdk/cards").CardBoard }} cardContext
 * @returns {string | undefined}
 */
export function messageText(message, cardContext) {
  const body = message.body;
  if (body === undefined) return `(cannot be opened on this device: ${message.error ?? "no key"})`;
  switch (body.type) {
    case "text":
    case "system":
      return body.text;
    case "card": {
      const ctx = cardContext();
      return cardLines(ctx.board.cards.get(message.msgId), ctx).join("\n");
    }
    case "card-event": {
      const ctx = cardContext();
      return eventLine(ctx.board.events.get(message.msgId), ctx);
    }
    case "file":
      return `[file ${body.file.name}, ${body.file.size} bytes]${body.caption ? ` ${body.caption}` : ""}`;
    case "location":
      return locationLine(body.location);
    case "location-event":
      return body.event.op === "stop" ? "(stopped sharing their location)" : undefined;
    case "listen": {
      const first = body.listen.queue[0];
      const title = typeof first?.title === "string" ? ` "${first.title}"` : "";
      return `[started listening together: ${body.listen.queue.length} track(s)${title ? `, first${title}` : ""}]`;
    }
    case "listen-event":
      // Joins, leaves and play/pause/seek are not lines of the chat; the end is.
      return body.event.op === "end" ? "(ended the listening session)" : undefined;
    default:
      return undefined; // a history grant: keys for a new member, nothing to read
  }
}

/**
 * A location message as one line: coordinates, accuracy, label, and until when a live share runs
 * (as sent: whether it is still live is for the fold in `@parley/sdk/location`).
 * @param {{ lat: number, lon: number, accuracy?: unknown, label?: unknown, live?: { until?: unknown } }} location
 */
export function locationLine(location) {
  const { lat, lon } = location;
  if (!Number.isFinite(lat) || !Number.isFinite(lon)) return "[a location this version cannot read]";
  const accuracy = typeof location.accuracy === "number" ? ` ±${Math.round(location.accuracy)} m` : "";
  const label = typeof location.label === "string" ? ` "${location.label}"` : "";
  const until = location.live?.until;
  const live = typeof until === "number" ? `, live until ${new Date(until).toLocaleTimeString()}` : "";
  return `[location${label} ${lat.toFixed(5)}, ${lon.toFixed(5)}${accuracy}${live}] https://www.openstreetmap.org/?mlat=${lat.toFixed(5)}&mlon=${lon.toFixed(5)}`;
}

const METHOD = { equal: "equally", items: "by who ordered what", custom: "by custom amounts", shares: "by shares" };

/**
 * Formats integer minor units of `currency` as money in `locale`, exactly: the
 * amount goes to Intl.NumberFormat as a decimal string.
 * @param {number} minor
 * @param {string} currency
 * @param {string} locale
 */
export function money(minor, currency, locale) {
  const format = new Intl.NumberFormat(locale, { style: "currency", currency });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  const sign = minor < 0 ? "-" : "";
  const abs = String(Math.abs(minor)).padStart(digits + 1, "0");
  const decimal = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return format.format(`${sign}${decimal}`);
}

/**
 * Lines for the message that posted a card (its state after everything folded so far).
 * @param {import("@parley/sdk/cards").CardState | undefined} state
 * @param {{ name: (principalId: string) => string, locale: string, board: import("@parley/sdk/cards").CardBoard }} ctx
 * @returns {string[]}
 */
export function cardLines(state, ctx) {
  if (!state) return ["[card]"];
  const m = (minor, currency) => money(minor, currency, ctx.locale);
  switch (state.kind) {
    case "order": {
      const { card } = state;
      const lines = [`[order ${card.number}] ${STATUS[state.status] ?? state.status}`];
      for (const item of card.items) {
        const options = item.options?.length ? ` (${item.options.join(", ")})` : "";
        const by = item.by ? `, for ${ctx.name(item.by)}` : "";
        const note = item.note ? ` "${item.note}"` : "";
        lines.push(
          `  ${item.quantity} x ${item.name}${options}${note}: ${m(item.quantity * item.unitPrice, card.currency)}${by}`,
        );
      }
      const parts = [`subtotal ${m(state.subtotal, card.currency)}`];
      if (card.tax > 0) parts.push(`tax ${m(card.tax, card.currency)}`);
      if (card.delivery > 0) parts.push(`delivery ${m(card.delivery, card.currency)}`);
      lines.push(`  ${parts.join(", ")}, total ${m(state.total, card.currency)}`);
      if (state.trackingUrl) lines.push(`  tracking: ${state.trackingUrl}`);
      return lines;
    }
    case "menu": {
      const { card } = state;
      const lines = [`[menu] ${card.title}`];
      for (const section of card.sections) {
        lines.push(`  ${section.name}`);
        for (const item of section.items) {
          const options = item.options?.length
            ? ` (+ ${item.options.map((o) => (o.price > 0 ? `${o.name} ${m(o.price, card.currency)}` : o.name)).join(", ")})`
            : "";
          lines.push(`    ${item.name}: ${m(item.price, card.currency)}${options}`);
        }
      }
      return lines;
    }
    case "cart": {
      const title = state.title ? `${state.title}, ` : "";
      const lines = [`[group cart] ${title}from ${state.menuTitle}, started by ${ctx.name(state.by)}: ${state.status}`];
      for (const person of state.people) {
        lines.push(`  ${ctx.name(person.principal)}: ${m(person.subtotal, state.currency)}`);
        for (const line of state.lines.filter((l) => l.by === person.principal)) {
          const options = line.options.length ? ` (${line.options.map((o) => o.name).join(", ")})` : "";
          lines.push(`    ${line.quantity} x ${line.item.name}${options}: ${m(line.total, state.currency)}`);
        }
      }
      lines.push(`  total ${m(state.total, state.currency)}`);
      return lines;
    }
    case "split": {
      const payee = state.payee === "shop" ? "the shop" : ctx.name(state.payee);
      const lines = [
        `[bill split] ${m(state.total, state.currency)} ${METHOD[state.method] ?? state.method}, paid to ${payee}; ` +
          `open ${m(state.open, state.currency)}`,
      ];
      for (const share of state.shares) {
        const via = share.via ? ` (${share.via})` : "";
        const link = share.link && share.status !== "confirmed" ? ` pay at ${share.link}` : "";
        lines.push(`  ${ctx.name(share.person)}: ${m(share.amount, state.currency)} ${share.status}${via}${link}`);
      }
      return lines;
    }
    default:
      return [
        state.reason === "unknown_kind"
          ? `[a "${state.named ?? "?"}" card this version cannot show]`
          : `[${state.named ? `an "${state.named}"` : "a"} card that could not be read]`,
      ];
  }
}

/**
 * The short line for a card-event message, or undefined when there is nothing to say.
 * @param {import("@parley/sdk/cards").CardEventNote | undefined} note
 * @param {{ name: (principalId: string) => string, locale: string, board: import("@parley/sdk/cards").CardBoard }} ctx
 * @returns {string | undefined}
 */
export function eventLine(note, ctx) {
  if (!note?.event) return "(a card update this version cannot read)";
  if (!note.applied) return `(a "${note.event.op}" update that changes nothing)`;
  const card = ctx.board.cards.get(note.card);
  const e = note.event;
  const order = card?.kind === "order" ? `Order ${card.card.number}` : "The order";
  // The line is printed after its sender's name ("Mia: added 2 x Diavola to the cart"), so it names no actor.
  switch (e.op) {
    case "status":
      return `${order} is now ${STATUS[e.status] ?? e.status}`;
    case "tracking":
      return `${order} can be tracked at ${e.url}`;
    case "add": {
      const line = card?.kind === "cart" ? card.lines.find((l) => l.line === e.line) : undefined;
      return `added ${e.quantity} x ${line?.item.name ?? itemName(ctx.board, card, e.item)} to the cart`;
    }
    case "set":
      return `changed a line of the cart (now ${e.quantity})`;
    case "remove":
      return "removed a line from the cart";
    case "lock":
      return "locked the cart";
    case "unlock":
      return "reopened the cart";
    case "submit":
      return "sent the cart to the shop";
    case "cancel":
      return "cancelled the cart";
    case "paid":
      return `marked their share paid (${e.via})`;
    case "received":
      return `confirmed ${ctx.name(e.person)}'s share as received`;
    case "link":
      return `added a payment link for ${ctx.name(e.person)}: ${e.url}`;
    default:
      return `(card update: ${e.op})`;
  }
}

/** The menu's name for an item of a cart, or its id. */
function itemName(board, cart, itemId) {
  const menu = cart?.kind === "cart" ? board.cards.get(cart.menu) : undefined;
  if (menu?.kind !== "menu") return itemId;
  for (const section of menu.card.sections) {
    const item = section.items.find((i) => i.id === itemId);
    if (item) return item.name;
  }
  return itemId;
}
