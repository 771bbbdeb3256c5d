/**
 * What the on-demand panels (widget/src/panels/) take from the chat's eager
 * code, handed to a panel module's `define(kit)` at run time. Panels import
 * this module for its type only: a module imported both by the chat and by a
 * panel would be split into a chunk of its own (code splitting groups modules
 * by the set of entry points that reach them), and every extra chunk on the
 * chat's first load costs compression (ADR 0026). So a panel chunk reaches
 * nothing the chat loads, and the chat's chunks stay as they were.
 */
import { css, html, LitElement, nothing } from "lit";
import { translator } from "../i18n/index.js";
import { base } from "../theme.js";
import { ready } from "./client-ready.js";
import { StoreController } from "./store-controller.js";

/** The kit a panel module's `define` receives. */
export const kit = { css, html, LitElement, nothing, translator, base, ready, StoreController };

/** The kit's type, for panel modules (`import type`). */
export type PanelKit = typeof kit;

/** The panels `<parley-chat>` can open (the members panel is built on its own branch). */
export type PanelName = "profile" | "invites" | "members";
