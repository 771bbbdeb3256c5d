/**
 * What every card renderer gets from `<parley-card>`: Lit from the chat's kit,
 * the strings, money and names in the viewer's locale, and the actions (each
 * reports its error in the card). Renderers are plain functions of a state and
 * this view, so the element stays small and each kind reads on its own.
 */
import type { Card, CardEventOp, CartAddition } from "@parley/sdk";
import type { PanelKit } from "../components/panel-kit.js";
import { formatMoney } from "./money.js";
import type { CardStrings } from "./strings.js";

/** The view a renderer draws with. */
export interface CardView {
  /** Lit from the chat (never imported: ADR 0026). */
  kit: PanelKit;
  /** The strings in the viewer's locale. */
  s: CardStrings;
  /** The signed-in principal, when known. */
  me: string | undefined;
  /** Whether the viewer is the shop's team: no ordering, starting carts or splitting, but the team's controls (team.ts). */
  team: boolean;
  /** The person's display name ("You" for the viewer). */
  name(principal: string): string;
  /** `amount` minor units of `currency`, formatted for the viewer. */
  money(amount: number, currency: string): string;
  /** While an action is on its way (buttons are disabled). */
  busy: boolean;
  /** Sends an event about this card; resolves whether it was sent (a refusal is shown in the card). */
  act(op: CardEventOp): Promise<boolean>;
  /** Posts a new card in this conversation. */
  post(card: Card): void;
  /** Adds a line to this cart. */
  add(addition: CartAddition): void;
  /** Scrolls to another card of the conversation and focuses it. */
  reveal(cardId: string): void;
  /** Sends a text message in this conversation. */
  say(text: string): void;
  /** Puts `text` in the chat's composer and focuses it. */
  compose(text: string): void;
  /** Asks the element to render again (a form field changed). */
  update(): void;
}

/** A view's money formatter for `locale`. */
export const moneyIn = (locale: string) => (amount: number, currency: string) => formatMoney(amount, currency, locale);

/** Only `https:` links are ever rendered. */
export function safeUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).protocol === "https:" ? url : undefined;
  } catch {
    return undefined;
  }
}
