/** The kit the chat hands to its on-demand panels (see panels/kit.ts). */
import { css, html, LitElement, nothing } from "lit";
import type { PanelKit } from "../panels/kit.js";

/** Lit's element class and tags, for the panels (a panel module's `define(kit)`). */
export const kit: PanelKit = { css, html, LitElement, nothing };
