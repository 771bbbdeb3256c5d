/**
 * The strings of the team's card controls (team.ts), in English and German
 * (formal "Sie", like the rest of the widget); merged into the card catalogs.
 */
export const teamEn = {
  "team.status": "New status",
  "team.update": "Update",
  "team.tracking": "Tracking link",
  "team.addTracking": "Add tracking link",
  "team.replaceTracking": "Replace tracking link",
  "team.paymentLink": "Payment link for {name}",
  "team.addLink": "Add payment link",
  "team.replaceLink": "Replace payment link",
  "team.url.empty": "Enter a link first.",
  "team.url.bad": "Enter a full link that starts with https://, for example https://example.com/track/123.",
  "team.url.long": "That link is too long: at most 2,048 characters.",
};

/** The German team strings. */
export const teamDe: Record<keyof typeof teamEn, string> = {
  "team.status": "Neuer Status",
  "team.update": "Aktualisieren",
  "team.tracking": "Link zur Sendungsverfolgung",
  "team.addTracking": "Sendungslink hinzufügen",
  "team.replaceTracking": "Sendungslink ersetzen",
  "team.paymentLink": "Zahlungslink für {name}",
  "team.addLink": "Zahlungslink hinzufügen",
  "team.replaceLink": "Zahlungslink ersetzen",
  "team.url.empty": "Geben Sie zuerst einen Link ein.",
  "team.url.bad":
    "Geben Sie einen vollständigen Link ein, der mit https:// beginnt, zum Beispiel https://example.com/track/123.",
  "team.url.long": "Dieser Link ist zu lang: höchstens 2.048 Zeichen.",
};
