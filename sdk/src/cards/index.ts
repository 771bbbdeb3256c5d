/**
 * `@parley/sdk/cards`: the card protocol (wire types, schemas) and the fold
 * that turns a conversation's card messages into card states. Loaded with the
 * card renderers, not with the chat.
 */

export { cardProblem, isKnownCardKind, parseCard, parseCardEvent } from "../protocol/cards/schemas.js";
export type {
  Card,
  CardEvent,
  CardEventOp,
  CardKind,
  CartCard,
  MenuCard,
  MenuItem,
  MenuOption,
  MenuSection,
  MinorUnits,
  OrderAction,
  OrderCard,
  OrderItem,
  OrderStatus,
  SplitCard,
  SplitMethod,
} from "../protocol/cards/wire.js";
export {
  CARD_LOCAL_ID_PATTERN,
  CARD_VERSION,
  CardKinds,
  CURRENCY_PATTERN,
  MAX_AMOUNT,
  MAX_CART_LINES,
  MAX_ITEM_OPTIONS,
  MAX_MENU_ITEMS,
  MAX_MENU_SECTIONS,
  MAX_NAME_CHARS,
  MAX_ORDER_ITEMS,
  MAX_QUANTITY,
  MAX_SHARE_WEIGHT,
  MAX_SPLIT_PEOPLE,
  MAX_TEXT_CHARS,
  MAX_URL_CHARS,
  OrderActions,
  OrderStatuses,
  PaidVia,
  SplitMethods,
} from "../protocol/cards/wire.js";
export { allocate } from "./allocate.js";
export type { CardsApi, CartAddition } from "./api.js";
export { cartOrderItems, findMenuItem, type OrderTotals, orderTotals } from "./card-states.js";
export { CardFolder, foldCards, wouldApply } from "./fold.js";
export type {
  CardBoard,
  CardEventNote,
  CardMessage,
  CardState,
  CardStateBase,
  CartLine,
  CartState,
  CartStatus,
  MenuState,
  OrderState,
  OrderStep,
  ShareStatus,
  SplitShare,
  SplitState,
  UnknownCardState,
} from "./state.js";
