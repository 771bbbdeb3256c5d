/**
 * Search over what this browser has decrypted. The gateway only ever holds
 * ciphertext, so it cannot search; the dashboard keeps a small in-memory index
 * of the text of every message it loaded (per conversation, by seq) and
 * matches queries against it. Nothing of it is stored: a reload starts empty
 * and fills again as conversations load.
 */
import type { ChatMessage, MessageBody } from "@parley/sdk";

export interface SearchHit {
  convId: string;
  seq: number;
  ts: number;
  sender: string;
  text: string;
}

/** The searchable text of a message body (text, a file's name and caption), or "" for none. */
export function bodyText(body: MessageBody | undefined): string {
  if (!body) return "";
  if (body.type === "text") return body.text;
  if (body.type === "file") return [body.file.name, body.caption ?? ""].join(" ").trim();
  return "";
}

/** Lower-cased query words; empty when the query has none. */
export function terms(query: string): string[] {
  return query
    .toLocaleLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

export class SearchIndex {
  readonly #byConv = new Map<string, Map<number, { text: string; lower: string; ts: number; sender: string }>>();

  /** Adds (or replaces) the loaded messages of a conversation; undecryptable ones are skipped. */
  add(convId: string, messages: readonly ChatMessage[]): void {
    let entries = this.#byConv.get(convId);
    if (!entries) {
      entries = new Map();
      this.#byConv.set(convId, entries);
    }
    for (const m of messages) {
      if (entries.has(m.seq)) continue;
      const text = bodyText(m.body);
      if (text) entries.set(m.seq, { text, lower: text.toLocaleLowerCase(), ts: m.ts, sender: m.sender });
    }
  }

  /** Messages of one conversation holding every word of the query, oldest first. */
  hits(convId: string, query: string): SearchHit[] {
    const words = terms(query);
    const entries = this.#byConv.get(convId);
    if (words.length === 0 || !entries) return [];
    const hits: SearchHit[] = [];
    for (const [seq, e] of entries) {
      if (words.every((w) => e.lower.includes(w))) hits.push({ convId, seq, ts: e.ts, sender: e.sender, text: e.text });
    }
    return hits.sort((a, b) => a.seq - b.seq);
  }

  /** Conversations with at least one matching message. */
  matching(query: string): Set<string> {
    const found = new Set<string>();
    for (const convId of this.#byConv.keys()) if (this.hits(convId, query).length > 0) found.add(convId);
    return found;
  }

  clear(): void {
    this.#byConv.clear();
  }
}

/** Splits `text` into runs, marking those that match a query word (case-insensitive), for `<mark>` rendering. */
export function highlight(text: string, query: string): Array<{ text: string; match: boolean }> {
  const words = terms(query);
  if (words.length === 0) return [{ text, match: false }];
  const lower = text.toLocaleLowerCase();
  const marked = new Array<boolean>(text.length).fill(false);
  for (const w of words) {
    for (let i = lower.indexOf(w); i !== -1; i = lower.indexOf(w, i + 1)) marked.fill(true, i, i + w.length);
  }
  const runs: Array<{ text: string; match: boolean }> = [];
  for (let i = 0; i < text.length; ) {
    let j = i;
    while (j < text.length && marked[j] === marked[i]) j++;
    runs.push({ text: text.slice(i, j), match: marked[i] ?? false });
    i = j;
  }
  return runs;
}
