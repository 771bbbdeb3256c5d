// The demo's playlist for listening together: three short original pieces
// (CC0, written for Parley's demo) synthesized here into mono 22,050 Hz 16-bit
// WAV files at demo start, never committed. Each piece is a melody over a soft
// chord pad and a plucked bass, every note shaped by an envelope. The same
// code always writes the same bytes; a build output directory that already
// holds this version's files is reused. Only node: builtins.
//
//   node scripts/demo/make-audio.mjs [dir]   (default .parley/demo/audio)
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** Samples per second. */
export const RATE = 22_050;
/** Bumped whenever the synthesis or the pieces change: a cache of another version is rebuilt. */
export const AUDIO_VERSION = 1;
export const DEMO_ARTIST = "Parley demo band";
/** Silence and ringing out after the last note, seconds. */
const TAIL_S = 1.5;
const NOTE = /^([A-G])(#|b)?(\d)$/;
const STEPS = { C: 0, D: 2, E: 4, F: 5, G: 7, A: 9, B: 11 };

/** MIDI number of a note name such as `C#5` or `Bb4`. */
function midi(name) {
  const m = NOTE.exec(name);
  if (!m) throw new Error(`not a note: ${name}`);
  return 12 * (Number(m[3]) + 1) + STEPS[m[1]] + (m[2] === "#" ? 1 : m[2] === "b" ? -1 : 0);
}
const hz = (n) => 440 * 2 ** ((n - 69) / 12);

/**
 * The pieces: tempo, beats per bar, and bars of `[chord, melody]`; a chord is
 * its root and `m` for minor, a melody a list of `[note or null (rest), beats]`.
 */
const PIECES = [
  {
    id: "morning-walk",
    title: "Morning Walk",
    bpm: 112,
    beats: 4,
    bars: [
      ["C", "E4 1 G4 1 C5 1 G4 1"],
      ["Am", "A4 1.5 G4 .5 E4 1 C4 1"],
      ["F", "F4 1 A4 1 C5 1.5 A4 .5"],
      ["G", "G4 2 D5 1 B4 1"],
      ["C", "C5 1 E5 1 D5 1 C5 1"],
      ["Am", "A4 1 C5 1 E5 2"],
      ["Dm", "F5 1 E5 .5 D5 .5 A4 1 F4 1"],
      ["G", "G4 1 B4 1 D5 2"],
      ["C", "E5 1.5 D5 .5 C5 1 G4 1"],
      ["F", "A4 1 C5 1 F5 1 E5 1"],
      ["G", "D5 1 B4 1 G4 1 B4 1"],
      ["C", "C5 4"],
    ],
  },
  {
    id: "harbour-lights",
    title: "Harbour Lights",
    bpm: 84,
    beats: 4,
    bars: [
      ["Dm", "D5 2 A4 1 F4 1"],
      ["C", "E4 1 G4 1 C5 2"],
      ["Bb", "D5 1.5 C5 .5 Bb4 1 F4 1"],
      ["C", "G4 2 E4 2"],
      ["Dm", "F4 1 A4 1 D5 1 F5 1"],
      ["F", "E5 1 C5 1 A4 2"],
      ["Gm", "Bb4 1 D5 1 G5 1 F5 .5 E5 .5"],
      ["A", "E5 1 C#5 1 A4 2"],
      ["Dm", "D5 4"],
    ],
  },
  {
    id: "little-waltz",
    title: "Little Waltz",
    bpm: 138,
    beats: 3,
    bars: [
      ["G", "B4 1 D5 1 G5 1"],
      ["G", "F#5 1 E5 1 D5 1"],
      ["C", "E5 2 C5 1"],
      ["D", "A4 2 F#4 1"],
      ["G", "G4 1 B4 1 D5 1"],
      ["Em", "E5 1 G5 1 E5 1"],
      ["Am", "C5 1 B4 1 A4 1"],
      ["D", "D5 3"],
      ["G", "B4 1 D5 1 G5 1"],
      ["G", "A5 1 G5 1 F#5 1"],
      ["C", "E5 1 G5 1 E5 1"],
      ["C", "C5 2 E5 1"],
      ["G", "D5 1 B4 1 G4 1"],
      ["D", "A4 1 C5 1 F#4 1"],
      ["G", "G4 3"],
      ["G", "- 3"],
    ],
  },
];

/** A piece's length in ms: whole 20 ms steps (441 samples), so samples and ms are both exact. */
function lengthMs(piece) {
  const seconds = (piece.bars.length * piece.beats * 60) / piece.bpm + TAIL_S;
  return Math.ceil(seconds * 50) * 20;
}

/** The tracks, without audio: `{id, title, artist, durationMs}`. */
export const DEMO_TRACKS = PIECES.map((p) => ({
  id: p.id,
  title: p.title,
  artist: DEMO_ARTIST,
  durationMs: lengthMs(p),
}));

/** Adds one tone to `out`: a few harmonics under an attack/decay/sustain/release envelope. */
function tone(out, { start, seconds, freq, gain, harmonics, attack, decay, sustain, release }) {
  const first = Math.round(start * RATE);
  const held = Math.round(seconds * RATE);
  const end = Math.min(out.length, first + held + Math.round(release * RATE));
  for (let i = first; i < end; i++) {
    const t = (i - first) / RATE;
    let env;
    if (t < attack) env = t / attack;
    else if (t < attack + decay) env = 1 - ((1 - sustain) * (t - attack)) / decay;
    else env = sustain;
    if (i >= first + held) env *= Math.max(0, 1 - (i - first - held) / (release * RATE));
    let s = 0;
    for (let h = 0; h < harmonics.length; h++) s += harmonics[h] * Math.sin(2 * Math.PI * freq * (h + 1) * t);
    out[i] += gain * env * s;
  }
}

/** The chord's three tones (root, third, fifth) around middle C. */
function chordTones(chord) {
  const minor = chord.endsWith("m");
  const root = midi(`${minor ? chord.slice(0, -1) : chord}4`);
  const base = root > 65 ? root - 12 : root;
  return [base, base + (minor ? 3 : 4), base + 7];
}

/** A piece's samples, -1..1. */
function render(piece) {
  const beat = 60 / piece.bpm;
  const out = new Float64Array(Math.round((lengthMs(piece) * RATE) / 1000));
  piece.bars.forEach(([chord, line], bar) => {
    const barStart = bar * piece.beats * beat;
    const tones = chordTones(chord);
    for (const n of tones) {
      tone(out, {
        start: barStart,
        seconds: piece.beats * beat,
        freq: hz(n),
        gain: 0.055,
        harmonics: [1, 0.15],
        attack: 0.25,
        decay: 0.4,
        sustain: 0.7,
        release: 0.5,
      });
    }
    // The bass plucks the root on the first beat (and the middle one in 4/4).
    for (const b of piece.beats === 4 ? [0, 2] : [0]) {
      tone(out, {
        start: barStart + b * beat,
        seconds: 0.05,
        freq: hz(tones[0] - 24),
        gain: 0.22,
        harmonics: [1, 0.4, 0.15],
        attack: 0.008,
        decay: 0.35,
        sustain: 0.25,
        release: 0.6,
      });
    }
    const words = line.split(" ");
    let at = barStart;
    for (let i = 0; i < words.length; i += 2) {
      const beats = Number(words[i + 1]);
      if (words[i] !== "-") {
        tone(out, {
          start: at,
          seconds: beats * beat * 0.9,
          freq: hz(midi(words[i])),
          gain: 0.2,
          harmonics: [1, 0.3, 0.12, 0.05],
          attack: 0.012,
          decay: 0.18,
          sustain: 0.55,
          release: 0.25,
        });
      }
      at += beats * beat;
    }
  });
  // Soft limit, and a short fade in and out so the file starts and ends in silence.
  const fade = Math.round(0.02 * RATE);
  for (let i = 0; i < out.length; i++) {
    const edge = Math.min(1, i / fade, (out.length - 1 - i) / fade);
    out[i] = Math.tanh(out[i] * 1.2) * edge;
  }
  return out;
}

/** A mono 16-bit PCM WAV file of these samples. */
export function wav(samples) {
  const data = samples.length * 2;
  const buf = Buffer.alloc(44 + data);
  buf.write("RIFF", 0, "ascii");
  buf.writeUInt32LE(36 + data, 4);
  buf.write("WAVE", 8, "ascii");
  buf.write("fmt ", 12, "ascii");
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(RATE, 24);
  buf.writeUInt32LE(RATE * 2, 28); // bytes per second
  buf.writeUInt16LE(2, 32); // bytes per frame
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write("data", 36, "ascii");
  buf.writeUInt32LE(data, 40);
  for (let i = 0; i < samples.length; i++) {
    buf.writeInt16LE(Math.round(Math.max(-1, Math.min(1, samples[i])) * 32767), 44 + i * 2);
  }
  return buf;
}

/** One track's WAV bytes, by id. */
export function renderTrack(id) {
  const piece = PIECES.find((p) => p.id === id);
  if (!piece) throw new Error(`no demo track ${id}`);
  return wav(render(piece));
}

/**
 * Writes `<dir>/<id>.wav` for every track unless `dir` already holds this
 * version's files (its manifest.json names each file's hash, and each file is
 * there with that hash). Returns the tracks with their file names.
 */
export async function ensureDemoAudio(dir) {
  await mkdir(dir, { recursive: true });
  const manifestFile = join(dir, "manifest.json");
  const sha = (bytes) => createHash("sha256").update(bytes).digest("hex");
  let manifest;
  try {
    manifest = JSON.parse(await readFile(manifestFile, "utf8"));
  } catch {
    manifest = undefined;
  }
  let cached = manifest?.version === AUDIO_VERSION;
  for (const track of cached ? DEMO_TRACKS : []) {
    const bytes = await readFile(join(dir, `${track.id}.wav`)).catch(() => undefined);
    if (!bytes || sha(bytes) !== manifest.files?.[track.id]) cached = false;
  }
  if (!cached) {
    const files = {};
    for (const track of DEMO_TRACKS) {
      const bytes = renderTrack(track.id);
      const path = join(dir, `${track.id}.wav`);
      await writeFile(`${path}.tmp`, bytes);
      await rename(`${path}.tmp`, path);
      files[track.id] = sha(bytes);
    }
    await writeFile(manifestFile, `${JSON.stringify({ version: AUDIO_VERSION, files }, null, 2)}\n`);
  }
  return DEMO_TRACKS.map((t) => ({ ...t, file: `${t.id}.wav` }));
}

/** The demo shop's `media`: the tracks as the storefront serves them (`/audio/<id>.wav`). */
export function demoMedia(storefrontUrl) {
  const origin = new URL(storefrontUrl).origin;
  return {
    origins: [origin],
    catalog: DEMO_TRACKS.map((t) => ({ ...t, url: `${origin}/audio/${t.id}.wav` })),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = resolve(process.argv[2] ?? join(fileURLToPath(new URL("../..", import.meta.url)), ".parley/demo/audio"));
  const tracks = await ensureDemoAudio(dir);
  for (const t of tracks) process.stdout.write(`${join(dir, t.file)}  ${t.title} (${t.durationMs} ms)\n`);
}
