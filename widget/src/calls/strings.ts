/**
 * The strings of calls (the ringing dialog, the call itself, its end, and the
 * history line), in English and German ("Sie"). They load with the calls
 * chunk, not with the chat's eager catalogs (the header's two call buttons
 * are there).
 */
import { clockText } from "../components/clock-text.js";
import { fillIsolated, isRtlLocale } from "../i18n/bidi.js";

export { clockText };

const en = {
  "incoming.label": "Incoming call",
  "incoming.video": "{name} is calling you (video call)",
  "incoming.audio": "{name} is calling you (voice call)",
  "incoming.team": "Verified team member",
  "incoming.group": "Already in the call: {names}",
  "incoming.acceptVideo": "Accept with video",
  "incoming.acceptAudio": "Accept with voice only",
  "incoming.accept": "Accept",
  "incoming.decline": "Decline",
  "incoming.silenced": "Escape silences the call; it keeps ringing in the conversation.",
  "call.label": "Call",
  "call.video": "Video call",
  "call.audio": "Voice call",
  "call.ringing": "Ringing…",
  "call.connecting": "Connecting…",
  "call.duration": "Duration {time}",
  "call.you": "You",
  "call.selfView": "Your camera",
  "call.screen": "Screen",
  "call.yourScreen": "Your screen",
  "call.muted": "Microphone off",
  "call.cameraOff": "Camera off",
  "call.mute": "Mute microphone",
  "call.unmute": "Unmute microphone",
  "call.cameraOn": "Turn camera on",
  "call.cameraOffAction": "Turn camera off",
  "call.share": "Share screen",
  "call.stopShare": "Stop sharing",
  "call.devices": "Microphone and camera",
  "call.microphones": "Microphones",
  "call.cameras": "Cameras",
  "call.deviceFallback": "Device {n}",
  "call.hangUp": "Hang up",
  "call.peers": "{count} in the call",
  "quality.good": "Good connection",
  "quality.fair": "Fair connection",
  "quality.poor": "Poor connection",
  "quality.connecting": "Connecting",
  "quality.lost": "Connection lost",
  "ended.title": "Call ended",
  "ended.dismiss": "Dismiss",
  "end.hung_up": "You hung up.",
  "end.ended": "The others left the call.",
  "end.no_answer": "No one answered.",
  "end.declined": "The call was declined.",
  "end.busy": "The other person is in another call.",
  "end.answered_elsewhere": "The call was taken or declined on another of your devices.",
  "end.failed": "The connection failed and did not come back.",
  "end.media_denied": "The camera or microphone could not be used. Check the browser's permissions.",
  "refused.unsigned": "The call was refused: the offer was not signed by a member's device.",
  "refused.not_participant": "The call was refused: the offer came from a device that is not in the call.",
  "refused.fingerprint_mismatch":
    "The call was refused: the connection's fingerprint did not match the one the device signed.",
  "refused.certificate_mismatch":
    "The call was refused: the other side showed a certificate other than the one its device signed.",
  "line.video": "Video call · {time}",
  "line.audio": "Voice call · {time}",
  "line.missedVideo": "Missed video call",
  "line.missedAudio": "Missed voice call",
  "line.noAnswerVideo": "Video call, no answer",
  "line.noAnswerAudio": "Voice call, no answer",
  "line.declined": "Declined",
  "line.busy": "Busy",
  "line.active": "Call in progress",
  "line.join": "Join",
  "line.joinLabel": "Join the call",
  "error.call_unavailable": "Calls are not available here.",
  "error.media_denied": "The camera or microphone could not be used. Check the browser's permissions.",
  "error.offline": "You are offline. Try again when the connection is back.",
  "error.other": "That did not work. Please try again.",
  someone: "Someone",
};

/** A key of the calls strings. */
export type CallsKey = keyof typeof en;

const de: Record<CallsKey, string> = {
  "incoming.label": "Eingehender Anruf",
  "incoming.video": "{name} ruft Sie an (Videoanruf)",
  "incoming.audio": "{name} ruft Sie an (Sprachanruf)",
  "incoming.team": "Bestätigtes Teammitglied",
  "incoming.group": "Bereits im Anruf: {names}",
  "incoming.acceptVideo": "Mit Video annehmen",
  "incoming.acceptAudio": "Nur mit Ton annehmen",
  "incoming.accept": "Annehmen",
  "incoming.decline": "Ablehnen",
  "incoming.silenced": "Escape schaltet den Anruf stumm; er klingelt in der Unterhaltung weiter.",
  "call.label": "Anruf",
  "call.video": "Videoanruf",
  "call.audio": "Sprachanruf",
  "call.ringing": "Es klingelt…",
  "call.connecting": "Verbindung wird aufgebaut…",
  "call.duration": "Dauer {time}",
  "call.you": "Sie",
  "call.selfView": "Ihre Kamera",
  "call.screen": "Bildschirm",
  "call.yourScreen": "Ihr Bildschirm",
  "call.muted": "Mikrofon aus",
  "call.cameraOff": "Kamera aus",
  "call.mute": "Mikrofon stummschalten",
  "call.unmute": "Mikrofon einschalten",
  "call.cameraOn": "Kamera einschalten",
  "call.cameraOffAction": "Kamera ausschalten",
  "call.share": "Bildschirm teilen",
  "call.stopShare": "Teilen beenden",
  "call.devices": "Mikrofon und Kamera",
  "call.microphones": "Mikrofone",
  "call.cameras": "Kameras",
  "call.deviceFallback": "Gerät {n}",
  "call.hangUp": "Auflegen",
  "call.peers": "{count} im Anruf",
  "quality.good": "Gute Verbindung",
  "quality.fair": "Mittlere Verbindung",
  "quality.poor": "Schlechte Verbindung",
  "quality.connecting": "Verbindung wird aufgebaut",
  "quality.lost": "Verbindung verloren",
  "ended.title": "Anruf beendet",
  "ended.dismiss": "Schließen",
  "end.hung_up": "Sie haben aufgelegt.",
  "end.ended": "Die anderen haben den Anruf verlassen.",
  "end.no_answer": "Niemand hat angenommen.",
  "end.declined": "Der Anruf wurde abgelehnt.",
  "end.busy": "Die andere Person ist in einem anderen Anruf.",
  "end.answered_elsewhere": "Der Anruf wurde auf einem anderen Ihrer Geräte angenommen oder abgelehnt.",
  "end.failed": "Die Verbindung ist abgebrochen und kam nicht zurück.",
  "end.media_denied":
    "Kamera oder Mikrofon konnten nicht verwendet werden. Prüfen Sie die Berechtigungen des Browsers.",
  "refused.unsigned": "Der Anruf wurde abgewiesen: Das Angebot war nicht vom Gerät eines Mitglieds signiert.",
  "refused.not_participant": "Der Anruf wurde abgewiesen: Das Angebot kam von einem Gerät, das nicht im Anruf ist.",
  "refused.fingerprint_mismatch":
    "Der Anruf wurde abgewiesen: Der Fingerabdruck der Verbindung stimmte nicht mit dem signierten überein.",
  "refused.certificate_mismatch":
    "Der Anruf wurde abgewiesen: Die Gegenseite zeigte ein anderes Zertifikat als das von ihrem Gerät signierte.",
  "line.video": "Videoanruf · {time}",
  "line.audio": "Sprachanruf · {time}",
  "line.missedVideo": "Verpasster Videoanruf",
  "line.missedAudio": "Verpasster Sprachanruf",
  "line.noAnswerVideo": "Videoanruf, keine Antwort",
  "line.noAnswerAudio": "Sprachanruf, keine Antwort",
  "line.declined": "Abgelehnt",
  "line.busy": "Besetzt",
  "line.active": "Anruf läuft",
  "line.join": "Beitreten",
  "line.joinLabel": "Dem Anruf beitreten",
  "error.call_unavailable": "Anrufe sind hier nicht verfügbar.",
  "error.media_denied":
    "Kamera oder Mikrofon konnten nicht verwendet werden. Prüfen Sie die Berechtigungen des Browsers.",
  "error.offline": "Sie sind offline. Versuchen Sie es wieder, wenn die Verbindung zurück ist.",
  "error.other": "Das hat nicht geklappt. Bitte versuchen Sie es noch einmal.",
  someone: "Jemand",
};

/** One locale's calls strings. */
export interface CallsStrings {
  /** The BCP 47 locale the strings are for. */
  locale: string;
  /** The message for `key` with its `{param}`s filled. */
  t(key: CallsKey, params?: Record<string, string | number>): string;
}

/** The calls strings for `locale` (German for `de*`, English otherwise). */
export function callsStrings(locale: string): CallsStrings {
  const catalog: Record<CallsKey, string> = locale.toLowerCase().startsWith("de") ? de : en;
  return {
    locale,
    t: (key, params) => fillIsolated(catalog[key], params, isRtlLocale(locale)),
  };
}
