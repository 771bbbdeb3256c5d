/**
 * What the profile panel says about a handle as it is typed: the format rules
 * (checked here, see `previewHandle`; the gateway judges the rest), then whether it is
 * free, asked with `client.checkHandle` at most once per pause in typing
 * (400 ms) and never before a `rate_limited` answer's `retryAfter` has passed.
 */
import type { HandleCheck } from "@parley/sdk";
import type { ReactiveController, ReactiveControllerHost } from "lit";

/** How long typing must pause before the handle is checked, ms. */
export const CHECK_DELAY_MS = 400;

/** One format rule and whether the input meets it. */
export interface HandleRule {
  /** Which rule. */
  rule: "length" | "start" | "chars";
  /** Whether the input meets it. */
  ok: boolean;
}

/** What is known about the typed handle. */
export type Availability =
  /** Nothing typed. */
  | { state: "idle" }
  /** Not a handle: see the rules. */
  | { state: "format"; rules: HandleRule[] }
  /** The handle the person already holds. */
  | { state: "own"; handle: string }
  /** Waiting for the pause in typing or the answer. */
  | { state: "checking"; handle: string }
  /** The gateway's answer. */
  | { state: "checked"; check: HandleCheck }
  /** Rate-limited: checked again after `seconds`. */
  | { state: "wait"; handle: string; seconds: number }
  /** The gateway could not tell (offline, or it cannot check yet): saving will. */
  | { state: "unknown"; handle: string };

/** The format rules, checked on the typed text (without a leading `@`), Unicode-aware. */
export function handleRules(input: string): HandleRule[] {
  const text = input.trim().replace(/^@/, "").normalize("NFKC");
  const length = [...text].length;
  return [
    { rule: "length", ok: length >= 3 && length <= 32 },
    { rule: "start", ok: /^\p{L}/u.test(text) },
    { rule: "chars", ok: text.length > 0 && /^[\p{L}\p{N}_]+$/u.test(text) },
  ];
}

/**
 * The handle the typed text would be stored as when it meets the format rules (NFKC, lower-cased),
 * else undefined. A preview for as-you-type feedback only: the gateway normalises and judges for
 * itself (one script, confusables, reserved names) and says why in its answer.
 */
export function previewHandle(input: string): string | undefined {
  if (!handleRules(input).every((r) => r.ok)) return undefined;
  return input.trim().replace(/^@/, "").normalize("NFKC").toLowerCase().normalize("NFKC");
}

/** Follows the typed handle for its host and re-renders it as the answer changes. */
export class HandleAvailability implements ReactiveController {
  /** What the panel shows now. */
  value: Availability = { state: "idle" };
  readonly #host: ReactiveControllerHost;
  readonly #check: (handle: string) => Promise<HandleCheck>;
  readonly #normalize: (input: string) => string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** No check before this time (ms): the gateway's `retryAfter`. */
  #notBefore = 0;
  #asked = 0;

  /** `check` asks the gateway (`client.checkHandle`); `normalize` previews the stored form ({@link previewHandle}). */
  constructor(
    host: ReactiveControllerHost,
    check: (handle: string) => Promise<HandleCheck>,
    normalize: (input: string) => string | undefined,
  ) {
    this.#host = host;
    this.#check = check;
    this.#normalize = normalize;
    host.addController(this);
  }

  hostConnected(): void {}

  hostDisconnected(): void {
    clearTimeout(this.#timer);
  }

  /** The person typed `input`; `own` is the handle they hold now. */
  input(input: string, own: string | undefined): void {
    clearTimeout(this.#timer);
    const asked = ++this.#asked;
    const handle = this.#normalize(input);
    if (input.trim() === "" || input.trim() === "@") this.#set({ state: "idle" });
    else if (!handle) this.#set({ state: "format", rules: handleRules(input) });
    else if (handle === own) this.#set({ state: "own", handle });
    else {
      this.#set({ state: "checking", handle });
      this.#schedule(asked, handle, Math.max(CHECK_DELAY_MS, this.#notBefore - Date.now()));
    }
  }

  #schedule(asked: number, handle: string, delay: number): void {
    this.#timer = setTimeout(() => void this.#run(asked, handle), delay);
  }

  async #run(asked: number, handle: string): Promise<void> {
    let next: Availability;
    try {
      next = { state: "checked", check: await this.#check(handle) };
    } catch (err) {
      const e = err as { code?: string; retryAfter?: number };
      if (e.code === "rate_limited") {
        const seconds = Math.max(1, Math.ceil(e.retryAfter ?? 60));
        this.#notBefore = Date.now() + seconds * 1000;
        if (asked === this.#asked) this.#schedule(asked, handle, seconds * 1000);
        next = { state: "wait", handle, seconds };
      } else next = { state: "unknown", handle };
    }
    if (asked === this.#asked) this.#set(next);
  }

  #set(value: Availability): void {
    this.value = value;
    this.#host.requestUpdate();
  }
}
