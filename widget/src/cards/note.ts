/**
 * `<parley-card-note>`: the short centred line a `card-event` message leaves in
 * the timeline ("Order PX-1001: out for delivery", "Mia locked the group order",
 * "Noah marked their share as paid"), read from the board's note for that
 * message. Cart edits and events the fold ignored leave no line.
 */
import type { CardBoard, CardEventNote, CardState } from "@parley/sdk";
import type { TemplateResult } from "lit";
import { boardViewClass, noteStyles } from "../components/board-view.js";
import type { PanelKit } from "../components/panel-kit.js";
import { type CardMessageRef, cardsOf } from "./card-element.js";
import { principalOf } from "./dom.js";
import { type CardStrings, cardStrings } from "./strings.js";

/** The words of `note`, or undefined when it leaves no line. */
export function noteText(
  note: CardEventNote | undefined,
  card: CardState | undefined,
  s: CardStrings,
  name: (p: string) => string,
  me?: string,
): string | undefined {
  const e = note?.event;
  if (!note?.applied || !e) return undefined;
  const number = card?.kind === "order" ? card.card.number : s.t("note.order");
  const mine = note.by === me;
  switch (e.op) {
    case "status":
      return s.t("note.status", { number, status: s.t(`status.${e.status}`) });
    case "tracking":
      return s.t("note.tracking", { number });
    case "lock":
    case "unlock":
    case "submit":
    case "cancel":
      return s.t(mine ? `note.${e.op}.you` : `note.${e.op}`, { name: name(note.by) });
    case "paid":
      return s.t(mine ? "note.paid.you" : "note.paid", { name: name(note.by) });
    case "received": {
      // "You confirmed the payment of You" and "... von Sie" read wrong: the viewer's own share has its own words.
      const key =
        e.person === me
          ? mine
            ? "note.received.own"
            : "note.received.yours"
          : mine
            ? "note.received.you"
            : "note.received";
      return s.t(key, { name: name(note.by), person: name(e.person) });
    }
    case "link":
      return s.t("note.link", { person: name(e.person) });
    default:
      return undefined;
  }
}

/** The `<parley-card-note>` class built from `kit`. */
export function noteClass(kit: PanelKit): CustomElementConstructor {
  const { html, nothing } = kit;
  const Base = boardViewClass<CardBoard, CardMessageRef>(kit, (client, convId) => cardsOf(client)?.board(convId), {
    board: true,
  });
  return class ParleyCardNote extends Base {
    /** @internal */
    static override styles = noteStyles(kit);

    protected override render(): TemplateResult | typeof nothing {
      const board = this.shownBoard;
      const note = this.message ? board?.events.get(this.message.msgId) : undefined;
      const s = cardStrings(this.locale);
      const me = principalOf(this.client);
      const text = noteText(
        note,
        note ? board?.cards.get(note.card) : undefined,
        s,
        (p) => (p === me ? s.t("card.you") : (this.names[p] ?? s.t("card.someone"))),
        me,
      );
      return text ? html`<p>${text}</p>` : nothing;
    }
  };
}
