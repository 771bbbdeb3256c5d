import { describe, expect, it } from "vitest";
import { ParleyError } from "./errors.js";
import { retryRateLimited } from "./rate-limit-retry.js";

const limited = (retryAfter: number) => new ParleyError("rate_limited", undefined, { retryAfter });

describe("retryRateLimited", () => {
  it("waits out a short retryAfter and tries again, at most `tries` times in all", async () => {
    const waits: number[] = [];
    let calls = 0;
    const ok = await retryRateLimited(
      async () => {
        if (++calls < 3) throw limited(2);
        return "done";
      },
      { sleep: async (ms) => void waits.push(ms) },
    );
    expect([ok, calls, waits]).toEqual(["done", 3, [2000, 2000]]);
    calls = 0;
    await expect(
      retryRateLimited(
        async () => {
          calls++;
          throw limited(1);
        },
        { tries: 4, sleep: async () => undefined },
      ),
    ).rejects.toMatchObject({ code: "rate_limited" });
    expect(calls).toBe(4);
  });

  it("hands a long retryAfter and every other error to the caller at once", async () => {
    let calls = 0;
    const run = (err: Error) => () => {
      calls++;
      return Promise.reject(err);
    };
    const sleep = async () => {
      throw new Error("must not wait");
    };
    await expect(retryRateLimited(run(limited(600)), { sleep })).rejects.toMatchObject({ retryAfter: 600 });
    await expect(retryRateLimited(run(new ParleyError("forbidden")), { sleep })).rejects.toMatchObject({
      code: "forbidden",
    });
    await expect(retryRateLimited(run(limited(1)), { sleep, stopped: () => true })).rejects.toMatchObject({
      code: "rate_limited",
    });
    expect(calls).toBe(3);
  });
});
