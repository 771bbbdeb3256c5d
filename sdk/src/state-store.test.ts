import { describe, expect, it } from "vitest";
import { StateStore } from "./state-store.js";

describe("StateStore", () => {
  it("hands a new subscriber the current value at once, then (next, prev) on each change", () => {
    const store = new StateStore({ n: 1 });
    const calls: Array<[number, number | undefined]> = [];
    store.subscribe((next, prev) => calls.push([next.n, prev?.n]));
    store.set((s) => ({ n: s.n + 1 }));
    store.set({ n: 5 });
    expect(calls).toEqual([
      [1, undefined],
      [2, 1],
      [5, 2],
    ]);
  });

  it("does not notify when the value is the same object, and stops after unsubscribe", () => {
    const value = { n: 1 };
    const store = new StateStore(value);
    let count = 0;
    const off = store.subscribe(() => count++);
    store.set(value);
    expect(count).toBe(1);
    off();
    store.set({ n: 2 });
    expect(count).toBe(1);
    expect(store.value.n).toBe(2);
  });
});
