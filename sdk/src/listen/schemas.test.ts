import { describe, expect, it } from "vitest";
import { MAX_QUEUE, MAX_TRACK_MS, MAX_TRACK_TEXT_CHARS, MAX_TRACK_URL_CHARS } from "../protocol/live/wire.js";
import { track } from "./fixtures.js";
import { isTrackUrl, listenProblem, parseListenEvent, parseListenStart } from "./schemas.js";

const state = { index: 0, playing: true, positionMs: 0, atMs: 1_000 };
const start = (patch: Record<string, unknown> = {}, trackPatch: Record<string, unknown> = {}) => ({
  queue: [{ ...track(), ...trackPatch }],
  state,
  ...patch,
});
const SESSION = "q3Vx0c8yM2pL9aRt7wKe1A";

describe("listen schemas", () => {
  it("takes a valid start with every optional field, and returns a copy", () => {
    const value = start({}, { artist: "Band", catalogId: "cat_1-a" });
    const parsed = parseListenStart(value);
    expect(parsed).toEqual(value);
    expect(parsed).not.toBe(value);
  });

  it("accepts https: anywhere and http: only on localhost and 127.0.0.1", () => {
    expect(isTrackUrl("https://cdn.example/a.mp3")).toBe(true);
    expect(isTrackUrl("http://localhost:8080/a.mp3")).toBe(true);
    expect(isTrackUrl("http://127.0.0.1/a.mp3")).toBe(true);
    for (const bad of [
      "http://cdn.example/a.mp3",
      "http://localhost.evil.example/a.mp3",
      "http://127.0.0.2/a.mp3",
      "javascript:alert(1)",
      "data:audio/mp3;base64,AAAA",
      "blob:https://x/1",
      "ftp://cdn.example/a.mp3",
      "/relative.mp3",
      "",
    ]) {
      expect(isTrackUrl(bad), bad).toBe(false);
      expect(listenProblem(start({}, { url: bad }))).toMatch(/^queue\.0\.url: /);
    }
    const long = `https://cdn.example/${"a".repeat(MAX_TRACK_URL_CHARS)}`;
    expect(listenProblem(start({}, { url: long }))).toMatch(/^queue\.0\.url: /);
  });

  it("bounds titles and artists and refuses control characters in them", () => {
    expect(listenProblem(start({}, { title: "" }))).toMatch(/^queue\.0\.title: /);
    expect(listenProblem(start({}, { title: "x".repeat(MAX_TRACK_TEXT_CHARS) }))).toBeUndefined();
    expect(listenProblem(start({}, { title: "x".repeat(MAX_TRACK_TEXT_CHARS + 1) }))).toMatch(/^queue\.0\.title: /);
    expect(listenProblem(start({}, { artist: "y".repeat(MAX_TRACK_TEXT_CHARS + 1) }))).toMatch(/^queue\.0\.artist: /);
    for (const bad of ["a\nb", "a\u0000b", "\u0007", "tab\there", "c1\u0085"]) {
      expect(listenProblem(start({}, { title: bad })), JSON.stringify(bad)).toMatch(/control characters/);
      expect(listenProblem(start({}, { artist: bad })), JSON.stringify(bad)).toMatch(/control characters/);
    }
    expect(listenProblem(start({}, { title: "Für Elise – 第九 🎵" }))).toBeUndefined();
  });

  it("bounds durations, catalog ids and the queue", () => {
    for (const bad of [0, -1, 1.5, MAX_TRACK_MS + 1, Number.NaN, "100"]) {
      expect(listenProblem(start({}, { durationMs: bad })), String(bad)).toMatch(/^queue\.0\.durationMs: /);
    }
    expect(listenProblem(start({}, { durationMs: MAX_TRACK_MS }))).toBeUndefined();
    expect(listenProblem(start({}, { catalogId: "a.b" }))).toMatch(/^queue\.0\.catalogId: /);
    expect(listenProblem(start({}, { catalogId: "x".repeat(65) }))).toMatch(/^queue\.0\.catalogId: /);
    expect(listenProblem(start({ queue: [] }))).toMatch(/^queue: /);
    expect(listenProblem(start({ queue: Array.from({ length: MAX_QUEUE }, () => track()) }))).toBeUndefined();
    expect(listenProblem(start({ queue: Array.from({ length: MAX_QUEUE + 1 }, () => track()) }))).toMatch(/^queue: /);
  });

  it("keeps the state within the queue: index, position, and a safe-integer instant", () => {
    const queue = [track(1_000), track(2_000)];
    expect(listenProblem({ queue, state: { ...state, index: 1, positionMs: 2_000 } })).toBeUndefined();
    expect(listenProblem({ queue, state: { ...state, index: 2 } })).toMatch(/^state: the index/);
    expect(listenProblem({ queue, state: { ...state, positionMs: 1_001 } })).toMatch(/^state: the position/);
    expect(listenProblem({ queue, state: { ...state, positionMs: -1 } })).toMatch(/^state\.positionMs: /);
    expect(listenProblem({ queue, state: { ...state, atMs: 2 ** 53 } })).toMatch(/^state\.atMs: /);
    expect(listenProblem({ queue, state: { ...state, atMs: 1.5 } })).toMatch(/^state\.atMs: /);
    expect(listenProblem({ queue, state: { ...state, playing: "yes" } })).toMatch(/^state\.playing: /);
  });

  it("is strict: unknown keys are refused at every level", () => {
    expect(listenProblem(start({ v: 1 }))).toBeDefined();
    expect(listenProblem(start({}, { cover: "https://x/c.png" }))).toBeDefined();
    expect(listenProblem({ queue: [track()], state: { ...state, rate: 2 } })).toBeDefined();
    expect(listenProblem({ session: SESSION, op: "join", extra: 1 }, "event")).toBeDefined();
    // A `__proto__` key as JSON.parse makes it (an own property): an unknown key like any other.
    const polluted = JSON.parse(
      `{"__proto__": {"x": 1}, "queue": [${JSON.stringify(track())}], "state": ${JSON.stringify(state)}}`,
    );
    expect(listenProblem(polluted)).toBeDefined();
    expect(listenProblem(JSON.parse(JSON.stringify(start())))).toBeUndefined();
  });

  it("parses each event and refuses bad sessions, ops and states", () => {
    for (const op of ["join", "leave", "end"])
      expect(parseListenEvent({ session: SESSION, op })).toEqual({ session: SESSION, op });
    expect(parseListenEvent({ session: SESSION, op: "state", state })).toEqual({
      session: SESSION,
      op: "state",
      state,
    });
    expect(listenProblem({ session: "short", op: "join" }, "event")).toMatch(/^session: /);
    expect(listenProblem({ session: `${SESSION}.x`, op: "join" }, "event")).toMatch(/^session: /);
    expect(listenProblem({ session: SESSION, op: "skip" }, "event")).toBeDefined();
    expect(listenProblem({ session: SESSION, op: "state" }, "event")).toMatch(/^state: /);
    expect(listenProblem({ session: SESSION, op: "state", state: { ...state, index: MAX_QUEUE } }, "event")).toMatch(
      /^state\.index: /,
    );
    for (const bad of [null, undefined, 1, "join", []]) expect(listenProblem(bad, "event")).toBeDefined();
  });
});
