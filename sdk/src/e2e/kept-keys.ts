/**
 * The epoch keys a device got other than through a commit wrap, kept in its
 * storage per conversation so they survive a reload: keys restored from the
 * principal's key backup (`parley:restored:`) and keys from history grants
 * (`parley:grants:`, with who granted them). Unreadable entries are reported
 * and ignored.
 */
import { fromBase64Url, toBase64Url } from "../base64url.js";
import type { KeyValueStorage } from "../storage.js";
import type { ConversationEpochs } from "./conversation-epochs.js";

/** Where the kept keys of one principal live, and where a broken entry is reported. */
export interface KeptKeysContext {
  storage: KeyValueStorage;
  principalId: string;
  onError: (error: Error) => void;
}

const restoredKey = (c: KeptKeysContext, convId: string) => `parley:restored:${c.principalId}:${convId}`;
const grantsKey = (c: KeptKeysContext, convId: string) => `parley:grants:${c.principalId}:${convId}`;

/** Keeps the keys `conv` restored from the key backup. */
export async function saveRestored(c: KeptKeysContext, conv: ConversationEpochs): Promise<void> {
  const keys: Record<string, string> = {};
  for (const [epoch, key] of conv.restoredKeys()) keys[epoch] = toBase64Url(key);
  await c.storage.set(restoredKey(c, conv.convId), JSON.stringify({ v: 1, keys }));
}

/** Gives `conv` the restored keys kept for it. */
export async function loadRestored(c: KeptKeysContext, conv: ConversationEpochs): Promise<void> {
  const text = await c.storage.get(restoredKey(c, conv.convId));
  if (!text) return;
  try {
    const saved = JSON.parse(text) as { v?: number; keys?: Record<string, string> };
    if (saved.v !== 1 || !saved.keys) return;
    const keys = new Map<number, Uint8Array>();
    for (const [epoch, key] of Object.entries(saved.keys)) {
      const bytes = fromBase64Url(key);
      if (bytes.length === 32) keys.set(Number(epoch), bytes);
    }
    conv.acceptRestored(keys);
  } catch (err) {
    c.onError(new Error("stored restored keys are unreadable; they were ignored", { cause: err }));
  }
}

/** Keeps the keys `conv` got through history grants, with their grantors. */
export async function saveGrants(c: KeptKeysContext, conv: ConversationEpochs): Promise<void> {
  const out: Record<string, { key: string; by: string }> = {};
  for (const [epoch, { key, by }] of conv.grantedKeys()) out[epoch] = { key: toBase64Url(key), by };
  await c.storage.set(grantsKey(c, conv.convId), JSON.stringify({ v: 1, keys: out }));
}

/** Gives `conv` the granted keys kept for it. */
export async function loadGrants(c: KeptKeysContext, conv: ConversationEpochs): Promise<void> {
  const text = await c.storage.get(grantsKey(c, conv.convId));
  if (!text) return;
  try {
    const saved = JSON.parse(text) as { v?: number; keys?: Record<string, { key: string; by: string }> };
    if (saved.v !== 1 || !saved.keys) return;
    const byGrantor = new Map<string, Map<number, Uint8Array>>();
    for (const [epoch, { key, by }] of Object.entries(saved.keys)) {
      const keys = byGrantor.get(by) ?? new Map<number, Uint8Array>();
      keys.set(Number(epoch), fromBase64Url(key));
      byGrantor.set(by, keys);
    }
    for (const [by, keys] of byGrantor) conv.acceptGrant(keys, by);
  } catch (err) {
    c.onError(new Error("stored history grants are unreadable; they were ignored", { cause: err }));
  }
}
