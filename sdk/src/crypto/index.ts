/**
 * End-to-end encryption for Parley: device keys, message envelopes
 * (`xc20p-ed25519`), epoch-key wrapping, and the codec that plugs them into the
 * client. libsodium is loaded on first use, never at import time: in Node on
 * native libsodium when the optional `sodium-native` loads, else the wasm
 * build ({@link sodiumBackend} says which).
 *
 * @module @parley/sdk/crypto
 */
export type { BuildCommitOptions, CommitFailure, TeamBoxKey, VerifyCommitOptions } from "./commits.js";
export {
  buildCommit,
  CommitError,
  CommitFailures,
  commitHash,
  commitShapeProblem,
  openCommitKey,
  verifyCommit,
} from "./commits.js";
export type { DeviceDirectoryOptions, DeviceSetChange, KeyChange, LearnOptions } from "./device-directory.js";
export { DeviceDirectory, KeyStoreError } from "./device-directory.js";
export type { DeviceIdentity, DeviceRecord, KeyPair } from "./device-keys.js";
export {
  createDeviceIdentity,
  DeviceIdentityError,
  fingerprint,
  loadOrCreateDeviceIdentity,
  publicDeviceKeys,
  signDeviceRecord,
  verifyDeviceRecord,
} from "./device-keys.js";
export type { E2ECodec, E2ECodecOptions } from "./e2e-codec.js";
export { createE2ECodec } from "./e2e-codec.js";
export type { FileCorruptReason, FileKeys, SealedFile } from "./file-crypto.js";
export {
  decryptFile,
  encryptFile,
  FILE_HEADER_BYTES,
  FILE_KEY_BYTES,
  FileCorruptError,
  FileCorruptReasons,
  FileOpener,
  FileSealer,
} from "./file-crypto.js";
export type { BackupKey, KeyBackupEntry } from "./key-backup.js";
export {
  deriveBackupKey,
  isKeyBackupSecret,
  KEY_BACKUP_SECRET_PATTERN,
  openBackupEntry,
  sealBackupEntry,
} from "./key-backup.js";
export type {
  ApplyContext,
  ApplyResult,
  EpochKeyringOptions,
  RotationInput,
  RotationTrigger,
} from "./keyring.js";
export { EpochKeyring, ROTATE_AFTER_MESSAGES, ROTATE_AFTER_MS, rotationDue } from "./keyring.js";
export type {
  DecryptFailure,
  OpenedEnvelope,
  OpenMessageInput,
  SealFailure,
  SealMessageInput,
  TeamSigner,
} from "./message-crypto.js";
export {
  DecryptError,
  DecryptFailures,
  E2E_ALG,
  EPOCH_KEY_BYTES,
  MAX_BODY_BYTES,
  openMessage,
  openVouchedMessage,
  paddedLength,
  SealError,
  SealFailures,
  sealMessage,
  splitVouch,
  TEAM_VOUCH_RESERVE_BYTES,
} from "./message-crypto.js";
export { randomBytes } from "./random.js";
export { createEpochKey, openEpochKey, SEALED_EPOCH_KEY_BYTES, sealEpochKey } from "./seal-box.js";
export { Sha256, sha256 } from "./sha256.js";
export type { Sodium, SodiumBackend } from "./sodium.js";
export { loadSodium, sodiumBackend } from "./sodium.js";
export type { CreateTeamKeyOptions, TeamKeyFailure, TeamKeySecret, WrapTeamKeyOptions } from "./team-key.js";
export {
  createTeamKey,
  openTeamKeyWrap,
  SEALED_TEAM_SECRET_BYTES,
  TeamKeyError,
  TeamKeyFailures,
  verifyTeamKeyRecord,
  verifyTeamKeyRotation,
  verifyTeamKeyWrap,
  wrapTeamKey,
} from "./team-key.js";
export type { TeamVouch, VouchTarget } from "./team-vouch.js";
export {
  signTeamVouch,
  teamVouchInput,
  teamVouchShape,
  verifyTeamVouch,
} from "./team-vouch.js";
