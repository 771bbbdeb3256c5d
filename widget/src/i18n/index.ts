/**
 * The widget's strings: English and German catalogs, a tiny `{name}`
 * interpolation with plural selection through `Intl.PluralRules`, date and
 * size formatting, and the writing direction of a locale. No dependencies.
 * Unknown locales fall back to English strings but keep their own direction
 * and date formats.
 *
 * English is always here. Other catalogs are registered: the components'
 * entry (`components/index.ts`) registers German up front for npm users,
 * while the widget's frame fetches it with `loadCatalog` only when a
 * visitor's locale asks for it, so English visitors do not download it.
 */

import { fillIsolated, isRtlLocale } from "./bidi.js";
import { type Catalog, en, type MessageKey } from "./en.js";

export type { Catalog, MessageKey } from "./en.js";

const catalogs: Record<string, Catalog> = { en };
/** Catalogs that can be fetched on demand, by language. */
const loaders: Record<string, () => Promise<Catalog>> = {
  de: () => import("./de.js").then((m) => m.de),
};

export type Params = Record<string, string | number>;

/** Everything a component needs to speak one locale. */
export interface Translator {
  /** The locale asked for. */
  locale: string;
  /** Text direction of the locale's language. */
  dir: "ltr" | "rtl";
  /** The message for `key` with `{param}` placeholders filled; `count` picks `key.one`/`key.other` where they exist. */
  t(key: MessageKey | PluralBase, params?: Params): string;
  /** A time of day (ms since the epoch) in the locale. */
  time(ts: number): string;
  /** A date (ms since the epoch) in the locale. */
  day(ts: number): string;
  /** A byte count, in B, KB or MB. */
  size(bytes: number): string;
}

/** Keys whose plural forms live at `${key}.one` and `${key}.other`. */
export type PluralBase = "presence.online.many" | "conv.unread";

function language(locale: string): string {
  return (locale || "en").toLowerCase().split(/[-_]/)[0] ?? "en";
}

/** `rtl` for right-to-left scripts (Arabic, Hebrew, Persian, Urdu...). */
export function dirOf(locale: string): "ltr" | "rtl" {
  return isRtlLocale(locale) ? "rtl" : "ltr";
}

/** `{param}`s filled, each value isolated from the sentence around it (bidi.ts). */
function fill(template: string, params: Params | undefined, rtl = false): string {
  return fillIsolated(template, params, rtl);
}

const cache = new Map<string, Translator>();

/** Makes `catalog` the strings of `lang` (a language subtag such as `de`) from now on. */
export function registerCatalog(lang: string, catalog: Catalog): void {
  catalogs[lang] = catalog;
  for (const locale of [...cache.keys()]) if (language(locale) === lang) cache.delete(locale);
}

/** Fetches and registers the catalog for `locale`'s language when there is one and it is not here yet. */
export async function loadCatalog(locale: string): Promise<void> {
  const lang = language(locale);
  const load = loaders[lang];
  if (catalogs[lang] || !load) return;
  registerCatalog(lang, await load());
}

/** A translator for `locale` (BCP 47); cached per locale. */
export function translator(locale = "en"): Translator {
  const hit = cache.get(locale);
  if (hit) return hit;
  let safeLocale = "en";
  try {
    safeLocale = Intl.getCanonicalLocales(locale)[0] ?? "en";
  } catch {
    // not a valid tag: English
  }
  const catalog = catalogs[language(safeLocale)] ?? en;
  const plural = new Intl.PluralRules(safeLocale);
  const timeFormat = new Intl.DateTimeFormat(safeLocale, { hour: "numeric", minute: "2-digit" });
  const dayFormat = new Intl.DateTimeFormat(safeLocale, { weekday: "long", day: "numeric", month: "long" });
  const numberFormat = new Intl.NumberFormat(safeLocale, { maximumFractionDigits: 1 });
  const lookup = (key: string): string | undefined =>
    (catalog as Record<string, string>)[key] ?? (en as Record<string, string>)[key];
  const tr: Translator = {
    locale: safeLocale,
    dir: dirOf(safeLocale),
    t(key, params) {
      let template = lookup(key);
      if (params && typeof params.count === "number") {
        const form = plural.select(params.count);
        template = lookup(`${key}.${form}`) ?? lookup(`${key}.other`) ?? template;
      }
      return fill(template ?? key, params, tr.dir === "rtl");
    },
    time: (ts) => timeFormat.format(ts),
    day: (ts) => dayFormat.format(ts),
    size(bytes) {
      if (bytes < 1024) return fill(lookup("size.b") ?? "", { n: numberFormat.format(bytes) });
      if (bytes < 1024 * 1024) return fill(lookup("size.kb") ?? "", { n: numberFormat.format(bytes / 1024) });
      return fill(lookup("size.mb") ?? "", { n: numberFormat.format(bytes / (1024 * 1024)) });
    },
  };
  cache.set(locale, tr);
  return tr;
}

/** Shorthand for one-off strings: `t("chat.title", undefined, "de")`. */
export function t(key: MessageKey | PluralBase, params?: Params, locale = "en"): string {
  return translator(locale).t(key, params);
}
