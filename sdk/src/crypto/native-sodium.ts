/**
 * `#native-sodium` in Node (the "node" condition of the SDK's package.json
 * `imports`): the libsodium API with Ed25519 signing and verification,
 * XChaCha20-Poly1305 and sealed boxes running on native libsodium through the
 * optional `sodium-native` package, two to five times as fast as the wasm build
 * (ADR 0013). Every other function is the wasm object's own, BLAKE2b included:
 * it is not per message, and sodium-native's build of it measured slower than
 * the wasm one. Other runtimes get no-native-sodium.ts.
 *
 * An override takes the native path only for arguments libsodium-wrappers
 * would use as they are: a Uint8Array or a string (UTF-8, as the wrappers
 * encode it) of a length the primitive takes, no output format. Anything else
 * goes to the wasm function, so a wrong length, a null or an unsupported type
 * throws the same TypeError as before and sodium-native's own assertions are
 * never reached. Results are new Uint8Arrays allocated here (no Buffer pool
 * shared with anyone), and what libsodium refuses (a forged ciphertext, the
 * wrong key pair, a low-order public key) throws the wrappers' Error with the
 * wrappers' message.
 */
import type { Uint8ArrayOutputFormat } from "libsodium-wrappers";
import type { SodiumNative } from "sodium-native";
import type { Sodium, SodiumBackend } from "./sodium-types.js";

/**
 * `PARLEY_SODIUM=wasm` in the environment forces the wasm build. (The SDK's
 * published bundle also reaches browser bundlers, which replace sodium-native
 * with an empty module through the package's `browser` field; there is no
 * `process` there.)
 */
export function sodiumBackendFromEnv(): SodiumBackend | undefined {
  return globalThis.process?.env.PARLEY_SODIUM === "wasm" ? "wasm" : undefined;
}

/**
 * The native backend layered over `wasm`, or undefined when `sodium-native`
 * is missing (an optional dependency), has no build for this platform, or was
 * replaced by an empty module (a bundler honouring the package's `browser` field).
 */
export async function loadNativeSodium(wasm: Sodium): Promise<Sodium | undefined> {
  let native: SodiumNative | undefined;
  try {
    native = (await import("sodium-native")).default;
  } catch {
    return undefined;
  }
  if (typeof native?.crypto_sign_verify_detached !== "function") return undefined;
  return { ...wasm, ...nativeFunctions(wasm, native) } as Sodium;
}

const encoder = new TextEncoder();

/** The bytes libsodium-wrappers would take for an input, or undefined where it throws. */
function bytes(input: unknown): Uint8Array | undefined {
  if (input instanceof Uint8Array) return input;
  return typeof input === "string" ? encoder.encode(input) : undefined;
}

function bytesOfLength(input: unknown, length: number): Uint8Array | undefined {
  const b = bytes(input);
  return b?.length === length ? b : undefined;
}

/** Optional inputs: null for "none" (null or undefined), undefined where the wrappers throw. */
function optionalBytes(input: unknown): Uint8Array | null | undefined {
  return input === null || input === undefined ? null : bytes(input);
}

function nativeFunctions(wasm: Sodium, native: SodiumNative) {
  const SIGNATURE = wasm.crypto_sign_BYTES;
  const SIGN_PK = wasm.crypto_sign_PUBLICKEYBYTES;
  const SIGN_SK = wasm.crypto_sign_SECRETKEYBYTES;
  const AEAD_KEY = wasm.crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
  const AEAD_NONCE = wasm.crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  const AEAD_TAG = wasm.crypto_aead_xchacha20poly1305_ietf_ABYTES;
  const BOX_PK = wasm.crypto_box_PUBLICKEYBYTES;
  const BOX_SK = wasm.crypto_box_SECRETKEYBYTES;
  const SEAL_OVERHEAD = wasm.crypto_box_SEALBYTES;
  type Format = Uint8ArrayOutputFormat | null;

  return {
    crypto_sign_detached(message: Uint8Array | string, privateKey: Uint8Array, outputFormat?: Format): Uint8Array {
      const m = bytes(message);
      const sk = bytesOfLength(privateKey, SIGN_SK);
      if (!m || !sk || outputFormat != null) return wasm.crypto_sign_detached(message, privateKey, outputFormat);
      const signature = new Uint8Array(SIGNATURE);
      native.crypto_sign_detached(signature, m, sk);
      return signature;
    },

    crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array | string, publicKey: Uint8Array): boolean {
      const sig = bytesOfLength(signature, SIGNATURE);
      const m = bytes(message);
      const pk = bytesOfLength(publicKey, SIGN_PK);
      if (!sig || !m || !pk) return wasm.crypto_sign_verify_detached(signature, message, publicKey);
      return native.crypto_sign_verify_detached(sig, m, pk);
    },

    crypto_aead_xchacha20poly1305_ietf_encrypt(
      message: Uint8Array | string,
      additionalData: Uint8Array | string | null,
      secretNonce: Uint8Array | string | null,
      publicNonce: Uint8Array,
      key: Uint8Array,
      outputFormat?: Format,
    ): Uint8Array {
      const m = bytes(message);
      const ad = optionalBytes(additionalData);
      const nonce = bytesOfLength(publicNonce, AEAD_NONCE);
      const k = bytesOfLength(key, AEAD_KEY);
      if (!m || ad === undefined || secretNonce != null || !nonce || !k || outputFormat != null) {
        return wasm.crypto_aead_xchacha20poly1305_ietf_encrypt(
          message,
          additionalData,
          secretNonce,
          publicNonce,
          key,
          outputFormat,
        );
      }
      const ciphertext = new Uint8Array(m.length + AEAD_TAG);
      native.crypto_aead_xchacha20poly1305_ietf_encrypt(ciphertext, m, ad, null, nonce, k);
      return ciphertext;
    },

    crypto_aead_xchacha20poly1305_ietf_decrypt(
      secretNonce: Uint8Array | string | null,
      ciphertext: Uint8Array,
      additionalData: Uint8Array | string | null,
      publicNonce: Uint8Array,
      key: Uint8Array,
      outputFormat?: Format,
    ): Uint8Array {
      const c = bytes(ciphertext);
      const ad = optionalBytes(additionalData);
      const nonce = bytesOfLength(publicNonce, AEAD_NONCE);
      const k = bytesOfLength(key, AEAD_KEY);
      if (
        secretNonce != null ||
        !c ||
        c.length < AEAD_TAG ||
        ad === undefined ||
        !nonce ||
        !k ||
        outputFormat != null
      ) {
        return wasm.crypto_aead_xchacha20poly1305_ietf_decrypt(
          secretNonce,
          ciphertext,
          additionalData,
          publicNonce,
          key,
          outputFormat,
        );
      }
      const message = new Uint8Array(c.length - AEAD_TAG);
      try {
        native.crypto_aead_xchacha20poly1305_ietf_decrypt(message, null, c, ad, nonce, k);
      } catch {
        throw new Error("ciphertext cannot be decrypted using that key");
      }
      return message;
    },

    crypto_box_seal(message: Uint8Array | string, publicKey: Uint8Array, outputFormat?: Format): Uint8Array {
      const m = bytes(message);
      const pk = bytesOfLength(publicKey, BOX_PK);
      if (!m || !pk || outputFormat != null) return wasm.crypto_box_seal(message, publicKey, outputFormat);
      const sealed = new Uint8Array(m.length + SEAL_OVERHEAD);
      try {
        native.crypto_box_seal(sealed, m, pk);
      } catch {
        throw new Error("invalid usage"); // libsodium refused the key (low order)
      }
      return sealed;
    },

    crypto_box_seal_open(
      ciphertext: Uint8Array,
      publicKey: Uint8Array,
      privateKey: Uint8Array,
      outputFormat?: Format,
    ): Uint8Array {
      const c = bytes(ciphertext);
      const pk = bytesOfLength(publicKey, BOX_PK);
      const sk = bytesOfLength(privateKey, BOX_SK);
      if (!c || c.length < SEAL_OVERHEAD || !pk || !sk || outputFormat != null) {
        return wasm.crypto_box_seal_open(ciphertext, publicKey, privateKey, outputFormat);
      }
      const message = new Uint8Array(c.length - SEAL_OVERHEAD);
      if (!native.crypto_box_seal_open(message, c, pk, sk)) {
        throw new Error("incorrect key pair for the given ciphertext");
      }
      return message;
    },
  };
}
