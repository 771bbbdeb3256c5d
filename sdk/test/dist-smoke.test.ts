/**
 * Imports the BUILT packages (what npm users get), not the sources: the
 * exports map, the bundling and the public names must all work. `npm test`
 * builds before it runs the tests.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const built = (path: string) => {
  const file = fileURLToPath(new URL(path, import.meta.url));
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return file;
};

describe("the built packages", () => {
  it("@parley/sdk exports the client, its errors and storage helpers", async () => {
    const sdk = await import(built("../dist/index.js"));
    for (const name of ["createClient", "ParleyClient", "ParleyError", "StateStore", "memoryStorage"]) {
      expect(sdk[name], name).toBeTypeOf("function");
    }
    expect(sdk.plainCodec.open).toBeTypeOf("function");
    expect(() => sdk.createClient({ gatewayUrl: "not a url", auth: { kind: "guest", shopId: "s" } })).toThrow(
      "gatewayUrl",
    );
  });

  it("@parley/sdk/protocol exports the shared codes, schemas and subjects", async () => {
    const protocol = await import(built("../dist/protocol/index.js"));
    expect(protocol.ErrorCodes.rate_limited).toMatchObject({ status: 429, retryable: true });
    expect(protocol.subjects.user("p_1")).toBe("user.p_1.ev");
    expect(() => protocol.subjects.user("p.1")).toThrow();
  });

  it("@parley/sdk/cards parses cards and folds them", async () => {
    const cards = await import(built("../dist/cards/index.js"));
    expect(cards.allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(cards.parseCard({ kind: "cart", v: 1, menu: "m000000000000001" })).toBeDefined();
    expect(cards.cardProblem({ kind: "cart", v: 1, menu: "x" })).toMatch(/^menu: /);
    const board = cards.foldCards([
      { seq: 1, msgId: "m000000000000001", sender: "p1", ts: 1, body: { type: "card", card: { kind: "poll" } } },
    ]);
    expect(board.cards.get("m000000000000001")).toMatchObject({ kind: "unknown", reason: "unknown_kind" });
  });

  it("@parley/sdk/listen parses sessions, folds them and follows the playhead", async () => {
    const listen = await import(built("../dist/listen/index.js"));
    const track = { url: "https://cdn.test/a.mp3", title: "A", durationMs: 1_000 };
    const start = { queue: [track], state: { index: 0, playing: true, positionMs: 0, atMs: 0 } };
    expect(listen.listenProblem({ ...start, queue: [{ ...track, url: "http://cdn.test/a.mp3" }] })).toMatch(
      /^queue\.0\.url: /,
    );
    const board = listen.foldListen([
      { seq: 1, msgId: "m000000000000001", sender: "p1", body: { type: "listen", listen: start } },
    ]);
    expect(board.active?.listeners).toEqual(["p1"]);
    expect(listen.playheadAt(board.active, 400)).toEqual({ index: 0, positionMs: 400, playing: true });
    expect(listen.followPlayhead(400, 0)).toEqual({ rate: 1.05 });
  });

  it("@parley/sdk/location parses locations, folds them and measures distances", async () => {
    const location = await import(built("../dist/location/index.js"));
    const fix = { lat: 52.5, lon: 13.4, accuracy: 5, at: 1 };
    expect(location.parseLocationPin(fix)).toEqual(fix);
    expect(location.locationProblem({ ...fix, lat: 91 })).toMatch(/^lat: /);
    const board = location.foldLocations([
      { seq: 1, msgId: "m000000000000001", sender: "p1", ts: 1, body: { type: "location", location: fix } },
    ]);
    expect(board.pins.get("m000000000000001")).toMatchObject({ sender: "p1", fix });
    expect(location.distanceM({ lat: 0, lon: 0 }, { lat: 1, lon: 0 })).toBeCloseTo(111_195, -1);
  });

  it("@parley/sdk/calls parses calls, folds them and checks fingerprints", async () => {
    const calls = await import(built("../dist/calls/index.js"));
    expect(calls.parseCallStart({ media: "video", at: 1 })).toEqual({ media: "video", at: 1 });
    expect(calls.callProblem({ media: "smell", at: 1 })).toMatch(/^media: /);
    const start = { type: "call", call: { media: "audio", at: 1 } };
    const base = { convId: "c1", msgId: "m000000000000001", sender: "p1", senderDevice: "d1", ts: 1 };
    const board = calls.foldCalls([{ ...base, seq: 1, body: start }], 2);
    expect(board.calls.get("m000000000000001")).toMatchObject({ caller: "p1", callerDevice: "d1", state: "ringing" });
    expect(calls.foldCalls([{ ...base, seq: 1, body: start }], 1 + calls.RING_MS).calls.get(base.msgId)).toMatchObject({
      outcome: "missed",
    });
    const fingerprint = `sha-256 ${Array(32).fill("AB").join(":")}`;
    expect(calls.fingerprintMatches(`v=0\r\na=fingerprint:${fingerprint}`, fingerprint)).toBe(true);
  });

  it("@parley/sdk/server signs a customer token", async () => {
    const server = await import(built("../dist/server/index.js"));
    const token = await server.signCustomerToken({
      shopId: "acme",
      key: { alg: "HS256", secret: "x".repeat(32) },
      customer: { id: "u1" },
    });
    expect(token.split(".")).toHaveLength(3);
  });

  it("@parley/sdk/internal exports what the other packages use, and the public entry does not", async () => {
    const internal = await import(built("../dist/internal.js"));
    const sdk = await import(built("../dist/index.js"));
    expect(internal.fromBase64Url(internal.toBase64Url(new Uint8Array([251, 255, 0])))).toEqual(
      new Uint8Array([251, 255, 0]),
    );
    expect(internal.measureCryptoPerMessage).toBeTypeOf("function");
    for (const name of ["toBase64Url", "fromBase64Url", "measureCryptoPerMessage"])
      expect(sdk[name], name).toBeUndefined();
  });

  it("@parley/gateway exports createGateway and the NATS setup helpers", async () => {
    const gateway = await import(built("../../gateway/dist/index.js"));
    for (const name of ["createGateway", "loadConfig", "openStore", "generateNatsAuth", "renderServerConfig"]) {
      expect(gateway[name], name).toBeTypeOf("function");
    }
    expect(() => gateway.loadConfig({})).toThrow("NATS_WS_URL");
  });
});
