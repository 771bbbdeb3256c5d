/**
 * Strings of the on-demand panels. Each panel brings its own English and
 * German catalog in its module (ADR 0026), so the chat's eager catalogs stay
 * as they are; dates, plural rules and the writing direction come from the
 * chat's translator for the same locale.
 */

import { fillIsolated } from "../i18n/bidi.js";
import type { Params, Translator } from "../i18n/index.js";

/** A panel's catalogs: English is the reference, German must have the same keys. */
export interface PanelCatalogs<K extends string> {
  /** English strings. */
  en: Record<K, string>;
  /** German strings. */
  de: Record<K, string>;
}

/** The keys `key.one` / `key.other` pairs stand for. */
type PluralOf<K extends string> = K extends `${infer B}.other` ? B : never;

/** One locale's strings for a panel. */
export interface PanelTranslator<K extends string> {
  /** The chat's translator for the same locale (dates, sizes, direction). */
  tr: Translator;
  /** The message for `key`, `{param}`s filled; with a numeric `count`, `key.one`/`key.other` by plural rule. */
  t(key: K | PluralOf<K>, params?: Params): string;
  /** "in 3 days", "in 5 hours": how long until `ts` (ms since the epoch). */
  until(ts: number, now?: number): string;
}

/** The strings of `catalogs` for `tr`'s locale (German for `de*`, English otherwise). */
export function panelTranslator<K extends string>(catalogs: PanelCatalogs<K>, tr: Translator): PanelTranslator<K> {
  const catalog: Record<string, string> = tr.locale.toLowerCase().startsWith("de") ? catalogs.de : catalogs.en;
  const plural = new Intl.PluralRules(tr.locale);
  const relative = new Intl.RelativeTimeFormat(tr.locale, { numeric: "auto" });
  return {
    tr,
    t(key, params) {
      const form = typeof params?.count === "number" ? catalog[`${key}.${plural.select(params.count)}`] : undefined;
      const template = form ?? catalog[key] ?? catalog[`${key}.other`] ?? key;
      return fillIsolated(template, params, tr.dir === "rtl");
    },
    until(ts, now = Date.now()) {
      const minutes = Math.max(0, Math.round((ts - now) / 60_000));
      if (minutes < 60) return relative.format(minutes, "minute");
      if (minutes < 48 * 60) return relative.format(Math.round(minutes / 60), "hour");
      return relative.format(Math.round(minutes / 1440), "day");
    },
  };
}
