/**
 * What the composer's attach menu offers, one entry per action. An entry is
 * eager but tiny (its label key and icon); the code behind it loads on demand
 * when it is picked (ADR 0026), through the kit. A feature adds itself to the
 * menu with one entry here (and its label in the catalogs).
 */
import type { ParleyClient } from "@parley/sdk";
import type { MessageKey } from "../i18n/index.js";
import { loadListen } from "./listen-loader.js";
import { kit, type PanelKit } from "./panel-kit.js";
import type { ShopFeatures } from "./shop-features.js";

/** What an action gets from the composer when it is picked. */
export interface AttachContext {
  /** The chat's kit: everything an on-demand chunk takes from the chat. */
  kit: PanelKit;
  /** The composer's client. */
  client: ParleyClient;
  /** The conversation, resolved (started) on first use like a first message. */
  conversation(): Promise<string | undefined>;
  /** BCP 47 locale of the composer. */
  locale: string;
  /** The shop's features (map tiles, media). */
  features: ShopFeatures;
  /** Where a dialog goes: the composer's shadow root. */
  root: HTMLElement | DocumentFragment;
  /** Opens the browser's file picker (must run within the click or key press). */
  pickFiles(): void;
  /** Puts focus back on the attach button (after a dialog closes). */
  restoreFocus(): void;
}

/** One entry of the attach menu. */
export interface AttachAction {
  /** Stable id (the item's `data-action`). */
  id: string;
  /** Its label in the chat's catalogs. */
  label: MessageKey;
  /** An SVG path (24×24 viewBox, stroked) drawn before the label. */
  icon: string;
  /** Whether to offer it in this browser for this shop (default: always). */
  available?(features: ShopFeatures): boolean;
  /** Runs it; anything beyond a line or two is a dynamic import. */
  run(ctx: AttachContext): void | Promise<void>;
}

/** The attach menu's entries, in order. */
export const attachActions: readonly AttachAction[] = [
  {
    id: "file",
    label: "composer.attachFile",
    icon: "M21 11.5 12.5 20a5 5 0 0 1-7-7L14 4.5a3.5 3.5 0 0 1 5 5L10.5 18a2 2 0 0 1-3-3L15 7.5",
    run: (ctx) => ctx.pickFiles(),
  },
  {
    id: "location",
    label: "composer.attachLocation",
    icon: "M12 21s-6-5.3-6-10a6 6 0 0 1 12 0c0 4.7-6 10-6 10Zm0-8a2 2 0 1 0 0-4 2 2 0 0 0 0 4Z",
    available: () => typeof navigator !== "undefined" && "geolocation" in navigator,
    run: async (ctx) => (await import("../location/share-dialog.js")).openShareDialog(ctx),
  },
  {
    id: "listen",
    label: "composer.attachListen",
    icon: "M9 18V6l11-2v12M9 18a3 3 0 1 1-6 0 3 3 0 0 1 6 0Zm11-2a3 3 0 1 1-6 0 3 3 0 0 1 6 0Z",
    // Only for a shop with audio: a catalog, or origins that links may come from.
    available: (features) =>
      !!features.media && (features.media.catalog.length > 0 || features.media.origins.length > 0),
    run: async (ctx) => {
      const media = ctx.features.media;
      const convId = media && (await ctx.conversation());
      if (!media || !convId) return;
      // The picker loads with the rest of listening together (widget/src/listen/, ADR 0026).
      const listen = await loadListen();
      await listen.openPicker(ctx.root, { client: ctx.client, convId, locale: ctx.locale, media });
      ctx.restoreFocus();
    },
  },
];

/** The context for `attachActions`' handlers, with the chat's kit filled in. */
export const attachContext = (ctx: Omit<AttachContext, "kit">): AttachContext => ({ kit, ...ctx });
