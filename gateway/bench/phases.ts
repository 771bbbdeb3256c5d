/**
 * Wall-clock seconds per bench phase, for `details.phase_seconds` and the line under the report
 * table: PERFORMANCE.md holds `npm run bench -- --quick` to 3 minutes, and this shows which phase
 * ate the time.
 */

/** Wall-clock seconds per phase, in the order the phases first started. */
export type PhaseSeconds = Record<string, number>;

/**
 * One phase runs at a time: {@link PhaseClock.start} ends the running one. A phase started again
 * later (the embedded system run resumes after its server-cost phase) adds to its earlier time.
 */
export class PhaseClock {
  readonly #now: () => number;
  readonly #ms = new Map<string, number>();
  #current: { name: string; at: number } | undefined;

  /** @param now milliseconds from any fixed origin; `performance.now` by default. */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Ends the running phase, if any, and starts `name`. */
  start(name: string): void {
    const at = this.#now();
    this.#end(at);
    this.#current = { name, at };
    if (!this.#ms.has(name)) this.#ms.set(name, 0);
  }

  /** Ends the running phase, if any. */
  stop(): void {
    this.#end(this.#now());
  }

  /** Seconds per phase, rounded to 0.1 s; the running phase counts up to now. */
  seconds(): PhaseSeconds {
    const at = this.#now();
    const out: PhaseSeconds = {};
    for (const [name, ms] of this.#ms) {
      const running = this.#current?.name === name ? at - this.#current.at : 0;
      out[name] = Math.round((ms + running) / 100) / 10;
    }
    return out;
  }

  #end(at: number): void {
    if (!this.#current) return;
    const { name, at: from } = this.#current;
    this.#ms.set(name, (this.#ms.get(name) ?? 0) + (at - from));
    this.#current = undefined;
  }
}

/** One line for the report: each phase's seconds and their sum, e.g. `phase seconds: baselines 21.3, ... = 150.2 s`. */
export function renderPhaseSeconds(phases: PhaseSeconds): string {
  const entries = Object.entries(phases);
  const total = entries.reduce((sum, [, s]) => sum + s, 0);
  return `phase seconds: ${entries.map(([name, s]) => `${name} ${s.toFixed(1)}`).join(", ")} = ${total.toFixed(1)} s`;
}
