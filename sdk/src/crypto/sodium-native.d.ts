/**
 * The part of `sodium-native` (native libsodium for Node, an optional
 * dependency) that native-sodium.ts calls; the package ships no types. As in
 * C, outputs come first and are filled in place.
 */
declare module "sodium-native" {
  export interface SodiumNative {
    crypto_sign_detached(signature: Uint8Array, message: Uint8Array, secretKey: Uint8Array): void;
    crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
    /** Returns the ciphertext length; throws when libsodium refuses. */
    crypto_aead_xchacha20poly1305_ietf_encrypt(
      ciphertext: Uint8Array,
      message: Uint8Array,
      additionalData: Uint8Array | null,
      secretNonce: null,
      publicNonce: Uint8Array,
      key: Uint8Array,
    ): number;
    /** Returns the message length; throws when the ciphertext does not authenticate. */
    crypto_aead_xchacha20poly1305_ietf_decrypt(
      message: Uint8Array,
      secretNonce: null,
      ciphertext: Uint8Array,
      additionalData: Uint8Array | null,
      publicNonce: Uint8Array,
      key: Uint8Array,
    ): number;
    /** Throws when libsodium refuses (a low-order public key). */
    crypto_box_seal(ciphertext: Uint8Array, message: Uint8Array, publicKey: Uint8Array): void;
    /** False when the box does not open with this key pair. */
    crypto_box_seal_open(
      message: Uint8Array,
      ciphertext: Uint8Array,
      publicKey: Uint8Array,
      secretKey: Uint8Array,
    ): boolean;
  }
  const sodium: SodiumNative;
  export default sodium;
}
