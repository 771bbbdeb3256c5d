import { describe, expect, it } from "vitest";
import { createClient } from "./client.js";
import {
  ClientErrorCodes,
  CommitError,
  ConnectionLostError,
  DecryptError,
  DeviceIdentityError,
  EncryptionUnavailableError,
  FileCorruptError,
  isRetryable,
  KeyStoreError,
  NotConnectedError,
  ParleyError,
  SdkError,
  SealError,
  TeamKeyError,
} from "./errors.js";
import { ErrorCodes } from "./protocol/errors.js";

describe("the SDK's errors", () => {
  it("all carry a stable code and retryable", () => {
    const errors: SdkError[] = [
      new ParleyError("rate_limited"),
      new ParleyError("forbidden"),
      new ConnectionLostError("offline"),
      new NotConnectedError(),
      new EncryptionUnavailableError("no_team_key"),
      new EncryptionUnavailableError("not_in_epoch"),
      new DecryptError("bad_signature"),
      new SealError("bad_body", "no"),
      new CommitError("bad_chain"),
      new TeamKeyError("wrong_key"),
      new FileCorruptError("truncated"),
      new DeviceIdentityError("unreadable"),
      new KeyStoreError("unreadable"),
    ];
    for (const error of errors) {
      expect(error).toBeInstanceOf(SdkError);
      expect(error).toBeInstanceOf(Error);
      expect(Object.hasOwn(ErrorCodes, error.code) || Object.hasOwn(ClientErrorCodes, error.code)).toBe(true);
      expect(typeof error.retryable).toBe("boolean");
      expect(isRetryable(error)).toBe(error.retryable);
    }
    expect(errors.map((e) => [e.name, e.code, e.retryable])).toEqual([
      ["ParleyError", "rate_limited", true],
      ["ParleyError", "forbidden", false],
      ["ConnectionLostError", "connection_lost", true],
      ["NotConnectedError", "not_connected", true],
      ["EncryptionUnavailableError", "encryption_unavailable", true],
      ["EncryptionUnavailableError", "encryption_unavailable", false],
      ["DecryptError", "decrypt_failed", true],
      ["SealError", "seal_failed", false],
      ["CommitError", "commit_refused", true],
      ["TeamKeyError", "team_key_refused", true],
      ["FileCorruptError", "file_corrupt", false],
      ["DeviceIdentityError", "device_identity_unreadable", false],
      ["KeyStoreError", "key_store_unreadable", false],
    ]);
  });

  it("takes anything that is not an SDK error as transient", () => {
    expect(isRetryable(new TypeError("fetch failed"))).toBe(true);
    expect(isRetryable("boom")).toBe(true);
  });

  it("answers every call that needs a session with the one NotConnectedError before connect", async () => {
    const client = createClient({
      gatewayUrl: "http://127.0.0.1:9",
      auth: { kind: "guest", shopId: "s_1" },
      WebSocket: class {} as unknown as typeof WebSocket,
      fetch: async () => new Response(null, { status: 503 }),
      encryption: false,
    });
    expect(() => client.principal).toThrow(NotConnectedError);
    await expect(client.send("cv_1", "hi")).rejects.toBeInstanceOf(NotConnectedError);
    await expect(client.request("conv.list", { limit: 1 })).rejects.toMatchObject({ code: "not_connected" });
    await expect(client.downloadFile("cv_1", {} as never)).rejects.toBeInstanceOf(NotConnectedError);
    // Still an offline error for code that treats every lost link alike.
    await expect(client.retry("m_1")).rejects.toBeInstanceOf(ConnectionLostError);
  });
});
