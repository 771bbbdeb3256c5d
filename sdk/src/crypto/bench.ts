/**
 * The crypto cost of one message, for the benchmark suite: seal (pad, encrypt,
 * sign) and open (verify, decrypt, unpad, parse) of a short text message.
 */
import { createDeviceIdentity } from "./device-keys.js";
import { openMessage, sealMessage } from "./message-crypto.js";
import { createEpochKey } from "./seal-box.js";
import { loadSodium, type SodiumBackend, withSodiumBackend } from "./sodium.js";

/**
 * Microseconds per message for seal + open, averaged over `n` messages after a
 * short warm-up, on `backend` (default: the one {@link loadSodium} picks, which
 * `sodiumBackend()` names). Naming "native" where sodium-native does not load rejects.
 */
export async function measureCryptoPerMessage(n: number, backend?: SodiumBackend): Promise<number> {
  if (!Number.isSafeInteger(n) || n < 1) throw new RangeError("n must be a positive integer");
  return backend ? withSodiumBackend(backend, () => measure(n)) : measure(n);
}

async function measure(n: number): Promise<number> {
  await loadSodium();
  const identity = await createDeviceIdentity();
  const epochKey = createEpochKey();
  const body = { type: "text" as const, text: "Hi! Is the blue jacket still available in size M? 👋" };
  const run = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const header = {
        v: 1 as const,
        convId: "c_bench000000000000000000",
        epoch: 3,
        msgId: `m_bench${String(i).padStart(16, "0")}`,
        senderDevice: identity.deviceId,
        ts: 1_700_000_000_000 + i,
      };
      const envelope = await sealMessage({ header, body, epochKey, signer: identity.sign.secretKey });
      await openMessage({ envelope, epochKey, senderSigPk: identity.sign.publicKey });
    }
  };
  await run(Math.min(n, 50));
  const start = performance.now();
  await run(n);
  return ((performance.now() - start) * 1000) / n;
}
