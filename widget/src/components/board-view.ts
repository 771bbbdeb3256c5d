/**
 * The base of the on-demand timeline elements that draw a message from a
 * feature's board (cards, location, listen): the properties they share, their
 * defaults, and a `StoreController` that follows the board of the message's
 * conversation. Built from the chat's kit like the elements themselves, and
 * imported only by their chunks (ADR 0026): the chat's first load never
 * reaches this module, so it becomes a small chunk those features share.
 */
import type { ParleyClient, StateStore } from "@parley/sdk";
import type { LitElement, PropertyDeclarations, PropertyValues } from "lit";
import type { PanelKit } from "./panel-kit.js";
import type { StoreController } from "./store-controller.js";

/** The board store of `convId` on `client`, or undefined when the client has none. */
export type BoardOf<B> = (client: ParleyClient | undefined, convId: string) => StateStore<B> | undefined;

/** What the base needs of an element's message. */
export interface BoardMessageRef {
  convId: string;
}

/** Options of `boardViewClass`. */
export interface BoardViewOptions {
  /** Whether the element takes a `board` property that stands in for the client's (the timeline notes do). */
  board?: boolean;
}

/** A board element's base, as its subclasses see it. */
export interface BoardView<B, M extends BoardMessageRef> extends LitElement {
  /** The client whose conversation holds the message. */
  client: ParleyClient | undefined;
  /** The message drawn. */
  message: M | undefined;
  /** BCP 47 locale (`de*` reads German, others English). */
  locale: string;
  /** Display names by principal id. */
  names: Record<string, string>;
  /** The board, when given directly instead of read from the client (elements built with `board: true`). */
  board: B | undefined;
  /** @internal The board store of the message's conversation. */
  readonly boardStore: StoreController<B>;
  /** @internal The board shown: the given one, else the store's. */
  readonly shownBoard: B | undefined;
}

/**
 * The class `boardViewClass` returns: LitElement's public static side (without its
 * constructor) and a constructor of `BoardView`. Spelled out so that the declaration
 * emit names no anonymous class (LitElement's protected members could not be emitted).
 */
export type BoardViewClass<B, M extends BoardMessageRef> = Pick<typeof LitElement, keyof typeof LitElement> &
  (new () => BoardView<B, M>);

/**
 * A base class for a board element built from `kit`, following `boardOf(client, convId)`
 * for the message's conversation. Subclasses spread `properties`, call
 * `super.willUpdate(changed)` and read the board through `shownBoard`.
 */
export function boardViewClass<B, M extends BoardMessageRef = BoardMessageRef>(
  kit: PanelKit,
  boardOf: BoardOf<B>,
  options: BoardViewOptions = {},
): BoardViewClass<B, M> {
  const given = options.board === true;
  return class BoardView extends kit.LitElement {
    /** @internal Lit's reactive property declarations. */
    static override properties: PropertyDeclarations = {
      client: { attribute: false },
      message: { attribute: false },
      locale: {},
      names: { attribute: false },
      ...(given ? { board: { attribute: false } } : {}),
    };
    /** The client whose conversation holds the message. */
    declare client: ParleyClient | undefined;
    /** The message drawn. */
    declare message: M | undefined;
    /** BCP 47 locale (`de*` reads German, others English). */
    declare locale: string;
    /** Display names by principal id. */
    declare names: Record<string, string>;
    /** The board, when given directly instead of read from the client (elements built with `board: true`). */
    declare board: B | undefined;
    /** @internal The board store of the message's conversation. */
    readonly boardStore = new kit.StoreController<B>(this);

    constructor() {
      super();
      this.locale = "en";
      this.names = {};
    }

    /** @internal The board shown: the given one, else the store's. */
    get shownBoard(): B | undefined {
      return (given ? this.board : undefined) ?? this.boardStore.value;
    }

    /** Follows the board of the message's conversation (subclasses call it first). */
    protected override willUpdate(changed: PropertyValues<this>): void {
      if (changed.has("client") || changed.has("message")) {
        const convId = this.message?.convId;
        this.boardStore.set(convId ? boardOf(this.client, convId) : undefined);
      }
    }
  };
}

/** The frame of a timeline card (`<article>`), the same for every feature. */
export const cardFrameStyles = ({ css }: PanelKit) => css`
  article { background: var(--parley-bg, #fff); color: var(--parley-fg, #111827);
    border: 1px solid var(--parley-border, #c9d0da); border-radius: var(--parley-radius, 12px);
    padding: 0.75rem; overflow-wrap: anywhere; min-width: 0; }
`;

/** The styles of a centred timeline note line. */
export const noteStyles = ({ css, base }: PanelKit) => [
  base,
  css`
    :host { display: block; }
    p { margin: 0.35rem auto; text-align: center; font-size: 0.75rem; color: var(--parley-muted, #4b5563); }
  `,
];
