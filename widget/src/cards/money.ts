/**
 * Money on cards: integer minor units shown in the viewer's locale. The amount
 * is turned into an exact decimal string (no float ever holds it) and handed to
 * `Intl.NumberFormat`, which formats decimal strings exactly.
 */

const digitsCache = new Map<string, number>();

/** The currency's minor-unit digits (2 for EUR, 0 for JPY), as `Intl` knows them. */
export function fractionDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits =
        new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** `amount` minor units as an exact decimal string in major units: 1234 EUR -> "12.34". */
export function decimalOf(amount: number, currency: string): string {
  const digits = fractionDigits(currency);
  const sign = amount < 0 ? "-" : "";
  const text = String(Math.abs(Math.trunc(amount))).padStart(digits + 1, "0");
  return digits === 0 ? sign + text : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/** `amount` minor units of `currency` for a person reading `locale`: 1234 EUR -> "€12.34" (en), "12,34 €" (de). */
export function formatMoney(amount: number, currency: string, locale: string): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: "currency", currency });
    // A decimal string is formatted exactly (Intl.NumberFormat v3); the cast is for older lib typings.
    return format.format(decimalOf(amount, currency) as unknown as number);
  } catch {
    return `${decimalOf(amount, currency)} ${currency}`;
  }
}

/**
 * Reads what a person typed as an amount ("12,5", "12.50", "7") into minor units, exactly;
 * undefined when it is not a plain amount with at most the currency's digits.
 */
export function parseAmount(text: string, currency: string): number | undefined {
  const digits = fractionDigits(currency);
  const m = /^\s*(\d{1,12})(?:[.,](\d*))?\s*$/.exec(text);
  if (!m) return undefined;
  const frac = m[2] ?? "";
  if (frac.length > digits) return undefined;
  return Number(m[1]) * 10 ** digits + Number(frac.padEnd(digits, "0") || "0");
}
