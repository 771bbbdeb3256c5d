import { describe, expect, it } from "vitest";
import { ConfigError } from "./errors.js";
import { requestedWorkers, resolveWorkers } from "./workers.js";

describe("requestedWorkers", () => {
  it("reads --workers N, --workers=N and PARLEY_WORKERS, the flag first", () => {
    expect(requestedWorkers(["--workers", "3"], {})).toBe(3);
    expect(requestedWorkers(["--workers=4"], {})).toBe(4);
    expect(requestedWorkers([], { PARLEY_WORKERS: "2" })).toBe(2);
    expect(requestedWorkers(["--workers", "5"], { PARLEY_WORKERS: "2" })).toBe(5);
    expect(requestedWorkers([], {})).toBeUndefined();
    expect(requestedWorkers([], { PARLEY_WORKERS: " " })).toBeUndefined();
  });

  it.each([["0"], ["-1"], ["two"], ["1.5"], ["257"], [""]])("refuses --workers %j with the flag's name", (n) => {
    expect(() => requestedWorkers(["--workers", n], {})).toThrow(ConfigError);
    expect(() => requestedWorkers(["--workers", n], {})).toThrow(/--workers: must be a whole number from 1 to 256/);
  });

  it("names PARLEY_WORKERS when the bad value came from there", () => {
    expect(() => requestedWorkers([], { PARLEY_WORKERS: "many" })).toThrow(/PARLEY_WORKERS: must be a whole number/);
  });
});

describe("resolveWorkers", () => {
  const mongo = { mongodbUri: "mongodb://127.0.0.1:27017" };
  const sqlite = { mongodbUri: undefined };

  it("defaults to one per core with MongoDB and to one with the embedded store", () => {
    expect(resolveWorkers(undefined, mongo, 6)).toBe(6);
    expect(resolveWorkers(undefined, sqlite, 6)).toBe(1);
  });

  it("takes the count asked for with MongoDB, and 1 with the embedded store", () => {
    expect(resolveWorkers(3, mongo, 2)).toBe(3);
    expect(resolveWorkers(1, mongo, 8)).toBe(1);
    expect(resolveWorkers(1, sqlite, 8)).toBe(1);
  });

  it("refuses more than one worker on the embedded store, saying why and what to do", () => {
    expect(() => resolveWorkers(2, sqlite, 8)).toThrow(ConfigError);
    expect(() => resolveWorkers(2, sqlite, 8)).toThrow(/embedded SQLite store allows one gateway process.*MONGODB_URI/);
  });
});
