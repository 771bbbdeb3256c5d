/**
 * The strings of the location dialog, card and timeline line, in English and
 * German. They load with the location chunk, not with the chat's catalogs.
 */
import { fillIsolated, isRtlLocale } from "../i18n/bidi.js";

const en = {
  "card.title": "Location",
  "card.titleLive": "Live location",
  "card.by": "Shared by {name}",
  "card.byYou": "Shared by you",
  "card.you": "You",
  "card.someone": "Someone",
  "card.live": "Live",
  "card.ended": "Live location ended",
  "card.coordinates": "Coordinates",
  "card.accuracy": "Accuracy",
  "card.time": "Time",
  "card.updated": "Updated",
  "card.age": "updated {age} ago",
  "card.justNow": "updated just now",
  "card.fromShop": "From the shop",
  "card.ends": "Ends",
  "card.until": "until {time}",
  "card.distance": "From you",
  "card.stop": "Stop sharing",
  "card.resume": "Resume sharing",
  "card.links": "Open in maps",
  "card.osm": "OpenStreetMap",
  "card.geo": "Maps app",
  "card.mapOf": "Map of {label}",
  "card.mapAttribution": "Map: {attribution}",
  "dir.0": "north",
  "dir.1": "north-east",
  "dir.2": "east",
  "dir.3": "south-east",
  "dir.4": "south",
  "dir.5": "south-west",
  "dir.6": "west",
  "dir.7": "north-west",
  "distance.dir": "{distance} {dir}",
  "hemi.N": "N",
  "hemi.S": "S",
  "hemi.E": "E",
  "hemi.W": "W",
  "note.stop": "{name} stopped sharing their location",
  "note.stop.you": "You stopped sharing your location",
  "dialog.title": "Share your location",
  "dialog.intro": "Only the people in this conversation can see it. It is end-to-end encrypted.",
  "dialog.once": "Send your current location",
  "dialog.live": "Share live location",
  "dialog.duration": "For how long",
  "dialog.d0": "15 minutes",
  "dialog.d1": "1 hour",
  "dialog.d2": "8 hours",
  "dialog.startLive": "Start sharing live",
  "dialog.cancel": "Cancel",
  "dialog.locating": "Finding your location…",
  "error.denied": "Location access is blocked. Allow it for this site in your browser's settings, then try again.",
  "error.unavailable": "Your location could not be found. Check that location services are on and try again.",
  "error.timeout": "Finding your location took too long. Please try again.",
  "error.offline": "You are offline. Try again when the connection is back.",
  "error.other": "That did not work. Please try again.",
} as const;

/** A key of the location strings. */
export type LocationKey = keyof typeof en;

const de: Record<LocationKey, string> = {
  "card.title": "Standort",
  "card.titleLive": "Live-Standort",
  "card.by": "Geteilt von {name}",
  "card.byYou": "Von Ihnen geteilt",
  "card.you": "Sie",
  "card.someone": "Jemand",
  "card.live": "Live",
  "card.ended": "Live-Standort beendet",
  "card.coordinates": "Koordinaten",
  "card.accuracy": "Genauigkeit",
  "card.time": "Zeit",
  "card.updated": "Aktualisiert",
  "card.age": "vor {age} aktualisiert",
  "card.justNow": "gerade eben aktualisiert",
  "card.fromShop": "Vom Shop",
  "card.ends": "Endet",
  "card.until": "bis {time}",
  "card.distance": "Von Ihnen",
  "card.stop": "Teilen beenden",
  "card.resume": "Teilen fortsetzen",
  "card.links": "In Karten öffnen",
  "card.osm": "OpenStreetMap",
  "card.geo": "Karten-App",
  "card.mapOf": "Karte: {label}",
  "card.mapAttribution": "Karte: {attribution}",
  "dir.0": "Norden",
  "dir.1": "Nordosten",
  "dir.2": "Osten",
  "dir.3": "Südosten",
  "dir.4": "Süden",
  "dir.5": "Südwesten",
  "dir.6": "Westen",
  "dir.7": "Nordwesten",
  "distance.dir": "{distance} Richtung {dir}",
  "hemi.N": "N",
  "hemi.S": "S",
  "hemi.E": "O",
  "hemi.W": "W",
  "note.stop": "{name} hat das Teilen des Standorts beendet",
  "note.stop.you": "Sie haben das Teilen Ihres Standorts beendet",
  "dialog.title": "Standort teilen",
  "dialog.intro": "Nur die Personen in dieser Unterhaltung sehen ihn. Er ist Ende-zu-Ende-verschlüsselt.",
  "dialog.once": "Aktuellen Standort senden",
  "dialog.live": "Live-Standort teilen",
  "dialog.duration": "Wie lange",
  "dialog.d0": "15 Minuten",
  "dialog.d1": "1 Stunde",
  "dialog.d2": "8 Stunden",
  "dialog.startLive": "Live-Teilen starten",
  "dialog.cancel": "Abbrechen",
  "dialog.locating": "Ihr Standort wird ermittelt…",
  "error.denied":
    "Der Zugriff auf Ihren Standort ist blockiert. Erlauben Sie ihn für diese Website in den Einstellungen Ihres Browsers und versuchen Sie es erneut.",
  "error.unavailable":
    "Ihr Standort konnte nicht ermittelt werden. Prüfen Sie, ob die Ortungsdienste eingeschaltet sind, und versuchen Sie es erneut.",
  "error.timeout": "Die Standortbestimmung hat zu lange gedauert. Bitte versuchen Sie es erneut.",
  "error.offline": "Sie sind offline. Versuchen Sie es erneut, wenn die Verbindung zurück ist.",
  "error.other": "Das hat nicht geklappt. Bitte versuchen Sie es noch einmal.",
};

/** One locale's location strings. */
export interface LocationStrings {
  /** The BCP 47 locale (numbers and times are formatted in it). */
  locale: string;
  /** The message for `key` with its `{param}`s filled. */
  t(key: LocationKey, params?: Record<string, string | number>): string;
}

/** The location strings for `locale` (German for `de*`, English otherwise). */
export function locationStrings(locale: string): LocationStrings {
  const catalog: Record<LocationKey, string> = locale.toLowerCase().startsWith("de") ? de : en;
  return {
    locale,
    t: (key, params) => fillIsolated(catalog[key], params, isRtlLocale(locale)),
  };
}
