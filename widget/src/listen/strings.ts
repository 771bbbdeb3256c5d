/**
 * The strings of listening together (the session card, the end line, the
 * picker and the player bar), in English and German ("Sie"). They load with
 * the listen chunk, not with the chat's eager catalogs.
 */
import { clockText } from "../components/clock-text.js";
import { fillIsolated, isRtlLocale } from "../i18n/bidi.js";

export { clockText };

const en = {
  "card.startedYou": "You started listening together",
  "card.started": "{name} started listening together",
  "card.tracks": "Tracks",
  "card.listeners": "Listening: {names}",
  "card.nobody": "Nobody is listening.",
  "card.join": "Join",
  "card.leave": "Leave",
  "card.ended": "Session ended",
  "card.playing": "Now playing",
  "card.loading": "Loading the session…",
  "card.blocked": "This track is not on one of the shop's allowed media origins, so the chat does not play it.",
  "note.endedYou": "You ended listening together",
  "note.ended": "{name} ended listening together",
  "bar.label": "Listening together",
  "bar.play": "Play",
  "bar.pause": "Pause",
  "bar.previous": "Previous track",
  "bar.next": "Next track",
  "bar.seek": "Position in {title}",
  "bar.seekText": "{at} of {length}",
  "bar.leave": "Leave",
  "bar.end": "End for everyone",
  "bar.resume": "Tap to resume",
  "bar.listeners": "Listening: {names}",
  "bar.track": "Track {n} of {count}",
  "bar.paused": "Paused by {name}",
  "bar.pausedYou": "You paused",
  "picker.title": "Listen together",
  "picker.catalog": "From the shop",
  "picker.playAll": "Play all",
  "picker.start": "Start listening",
  "picker.cancel": "Cancel",
  "picker.url": "Or a track link",
  "picker.urlLabel": "Track link",
  "picker.titleLabel": "Title",
  "picker.add": "Add the link",
  "picker.queue": "Queue",
  "picker.queueEmpty": "Pick tracks from the list or add a link.",
  "picker.remove": "Remove {title}",
  "picker.measuring": "Reading the track…",
  "picker.badUrl": "Enter a full link that starts with https://.",
  "picker.badOrigin": "This shop only plays audio from {origins}. Links from {origin} are not allowed.",
  "picker.unreadable": "This link could not be read as audio.",
  "picker.needTitle": "Give the track a title.",
  "picker.none": "Pick at least one track.",
  "error.live_rejected": "That is not possible now: another session is running, or you are not listening.",
  "error.live_invalid": "That could not be sent: a track is not valid.",
  "error.offline": "You are offline. Try again when the connection is back.",
  "error.other": "That did not work. Please try again.",
  you: "You",
  someone: "Someone",
};

/** A key of the listen strings. */
export type ListenKey = keyof typeof en;

const de: Record<ListenKey, string> = {
  "card.startedYou": "Sie haben das gemeinsame Hören gestartet",
  "card.started": "{name} hat das gemeinsame Hören gestartet",
  "card.tracks": "Titel",
  "card.listeners": "Es hören: {names}",
  "card.nobody": "Niemand hört zu.",
  "card.join": "Mithören",
  "card.leave": "Verlassen",
  "card.ended": "Sitzung beendet",
  "card.playing": "Läuft gerade",
  "card.loading": "Sitzung wird geladen…",
  "card.blocked":
    "Dieser Titel liegt nicht auf einer der erlaubten Medienquellen des Shops, daher spielt der Chat ihn nicht ab.",
  "note.endedYou": "Sie haben das gemeinsame Hören beendet",
  "note.ended": "{name} hat das gemeinsame Hören beendet",
  "bar.label": "Gemeinsam hören",
  "bar.play": "Abspielen",
  "bar.pause": "Pausieren",
  "bar.previous": "Vorheriger Titel",
  "bar.next": "Nächster Titel",
  "bar.seek": "Position in {title}",
  "bar.seekText": "{at} von {length}",
  "bar.leave": "Verlassen",
  "bar.end": "Für alle beenden",
  "bar.resume": "Zum Fortsetzen tippen",
  "bar.listeners": "Es hören: {names}",
  "bar.track": "Titel {n} von {count}",
  "bar.paused": "Pausiert von {name}",
  "bar.pausedYou": "Von Ihnen pausiert",
  "picker.title": "Gemeinsam hören",
  "picker.catalog": "Vom Shop",
  "picker.playAll": "Alle abspielen",
  "picker.start": "Wiedergabe starten",
  "picker.cancel": "Abbrechen",
  "picker.url": "Oder ein Link zu einem Titel",
  "picker.urlLabel": "Link zum Titel",
  "picker.titleLabel": "Titel",
  "picker.add": "Link hinzufügen",
  "picker.queue": "Warteschlange",
  "picker.queueEmpty": "Wählen Sie Titel aus der Liste oder fügen Sie einen Link hinzu.",
  "picker.remove": "{title} entfernen",
  "picker.measuring": "Titel wird gelesen…",
  "picker.badUrl": "Geben Sie einen vollständigen Link ein, der mit https:// beginnt.",
  "picker.badOrigin": "Dieser Shop spielt nur Audio von {origins}. Links von {origin} sind nicht erlaubt.",
  "picker.unreadable": "Dieser Link ließ sich nicht als Audio lesen.",
  "picker.needTitle": "Geben Sie dem Titel einen Namen.",
  "picker.none": "Wählen Sie mindestens einen Titel.",
  "error.live_rejected": "Das geht jetzt nicht: Es läuft schon eine andere Sitzung, oder Sie hören nicht mit.",
  "error.live_invalid": "Das konnte nicht gesendet werden: Ein Titel ist ungültig.",
  "error.offline": "Sie sind offline. Versuchen Sie es wieder, wenn die Verbindung zurück ist.",
  "error.other": "Das hat nicht geklappt. Bitte versuchen Sie es noch einmal.",
  you: "Sie",
  someone: "Jemand",
};

/** One locale's listen strings. */
export interface ListenStrings {
  /** The BCP 47 locale the strings are for. */
  locale: string;
  /** The message for `key` with its `{param}`s filled. */
  t(key: ListenKey, params?: Record<string, string | number>): string;
  /** A duration in ms as `m:ss` (or `h:mm:ss`). */
  clock(ms: number): string;
}

/** The listen strings for `locale` (German for `de*`, English otherwise). */
export function listenStrings(locale: string): ListenStrings {
  const catalog: Record<ListenKey, string> = locale.toLowerCase().startsWith("de") ? de : en;
  return {
    locale,
    t: (key, params) => fillIsolated(catalog[key], params, isRtlLocale(locale)),
    clock: clockText,
  };
}
