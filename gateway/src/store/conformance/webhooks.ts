/** Store conformance, by aggregate: see suite.ts. */
import { describe, expect, it } from "vitest";
import type { WebhookItem } from "../port.js";
import type { StoreFixture } from "./fixtures.js";
import { T0, uid } from "./fixtures.js";

const item = (overrides: Partial<WebhookItem> = {}): WebhookItem => ({
  id: uid("wh"),
  shopId: "shop-1",
  type: "conversation.opened",
  createdAt: T0,
  data: { conversationId: "c-1", count: 1 },
  attempts: 0,
  dueAt: T0,
  ...overrides,
});

/** Webhook configs, the outbox (claimed under a lease, by one claimer), and the delivery log. */
export function describeWebhooks(open: () => Promise<StoreFixture>): void {
  describe("webhooks", () => {
    it("keeps one config per shop, replaces it, and deletes it", async () => {
      await using fx = await open();
      const { store } = fx;
      const shopId = uid("shop");
      expect(await store.getWebhookConfig(shopId)).toBeUndefined();
      const config = { shopId, url: "https://a.example/hook", secret: "s1", createdAt: T0, updatedAt: T0 };
      await store.putWebhookConfig(config);
      await store.putWebhookConfig({ ...config, url: "https://b.example/hook", secret: "s2", updatedAt: T0 + 1 });
      expect(await store.getWebhookConfig(shopId)).toEqual({
        ...config,
        url: "https://b.example/hook",
        secret: "s2",
        updatedAt: T0 + 1,
      });
      expect(await store.deleteWebhookConfig(shopId)).toBe(true);
      expect(await store.deleteWebhookConfig(shopId)).toBe(false);
      expect(await store.getWebhookConfig(shopId)).toBeUndefined();
    });

    it("claims only due items, leases them, and settles with the lease token only", async () => {
      await using fx = await open();
      const { store } = fx;
      const due = item();
      const later = item({ dueAt: T0 + 10_000 });
      await store.enqueueWebhook(due);
      await store.enqueueWebhook(later);
      const [claimed, ...rest] = await store.claimWebhooks(T0 + 5, 1000, 10);
      expect(rest).toEqual([]);
      expect(claimed).toEqual({ ...due, attempts: 1, dueAt: T0 + 1005 });
      // Leased: nobody claims it again before the lease ends.
      expect(await store.claimWebhooks(T0 + 500, 1000, 10)).toEqual([]);
      expect(await store.settleWebhook(due.id, T0 + 5, T0 + 3000)).toBe(false);
      expect(await store.settleWebhook(due.id, T0 + 1005, T0 + 3000)).toBe(true);
      const [again] = await store.claimWebhooks(T0 + 3000, 1000, 10);
      expect(again).toMatchObject({ id: due.id, attempts: 2, dueAt: T0 + 4000 });
      expect(await store.settleWebhook(due.id, T0 + 4000)).toBe(true);
      const [last] = await store.claimWebhooks(T0 + 20_000, 1000, 10);
      expect(last?.id).toBe(later.id);
    });

    it("gives a lapsed lease to the next claimer, and the old token no longer settles", async () => {
      await using fx = await open();
      const { store } = fx;
      const it1 = item();
      await store.enqueueWebhook(it1);
      const [first] = await store.claimWebhooks(T0, 100, 10);
      const [second] = await store.claimWebhooks(T0 + 150, 100, 10);
      expect(second).toMatchObject({ id: it1.id, attempts: 2, dueAt: T0 + 250 });
      expect(await store.settleWebhook(it1.id, first?.dueAt ?? 0)).toBe(false);
      expect(await store.settleWebhook(it1.id, T0 + 250)).toBe(true);
    });

    it("merges a coalescing event into the waiting one, not into one attempted or due", async () => {
      await using fx = await open();
      const { store } = fx;
      const key = uid("conv");
      const merge = { add: { count: 1 }, max: { lastSeq: 7 }, dueAfter: T0 };
      const first = item({ coalesceKey: key, dueAt: T0 + 1000, data: { count: 1, lastSeq: 5 } });
      expect(await store.enqueueWebhook(first, merge)).toEqual({ id: first.id, merged: false });
      expect(await store.enqueueWebhook(item({ coalesceKey: key, dueAt: T0 + 1000 }), merge)).toEqual({
        id: first.id,
        merged: true,
      });
      // Due by the time of this event: a new item.
      const late = item({ coalesceKey: key, dueAt: T0 + 3000 });
      expect(await store.enqueueWebhook(late, { ...merge, dueAfter: T0 + 1000 })).toEqual({
        id: late.id,
        merged: false,
      });
      const claimed = await store.claimWebhooks(T0 + 1000, 5000, 10);
      expect(claimed.map((c) => [c.id, c.data])).toEqual([[first.id, { count: 2, lastSeq: 7 }]]);
      // Attempted: the next event merges into `late`, not into `first`.
      expect(await store.enqueueWebhook(item({ coalesceKey: key, dueAt: T0 + 3000 }), merge)).toEqual({
        id: late.id,
        merged: true,
      });
    });

    it("keeps an event's request id through claims and retries; a merge keeps the first one's", async () => {
      await using fx = await open();
      const { store } = fx;
      const key = uid("conv");
      const merge = { add: { count: 1 }, max: {}, dueAfter: T0 };
      const first = item({ coalesceKey: key, dueAt: T0 + 1000, requestId: "req-first" });
      await store.enqueueWebhook(first, merge);
      await store.enqueueWebhook(item({ coalesceKey: key, dueAt: T0 + 1000, requestId: "req-second" }), merge);
      const none = item({ dueAt: T0 + 1000 });
      await store.enqueueWebhook(none);
      const claimed = await store.claimWebhooks(T0 + 1000, 100, 10);
      expect(claimed.map((c) => [c.id, c.requestId]).sort()).toEqual(
        [
          [first.id, "req-first"],
          [none.id, undefined],
        ].sort(),
      );
      expect(claimed.find((c) => c.id === none.id)).not.toHaveProperty("requestId");
      // A retry is claimed with the same id.
      expect(await store.settleWebhook(none.id, T0 + 1100)).toBe(true);
      expect(await store.settleWebhook(first.id, T0 + 1100, T0 + 2000)).toBe(true);
      const [retry] = await store.claimWebhooks(T0 + 2000, 100, 10);
      expect(retry).toMatchObject({ id: first.id, attempts: 2, requestId: "req-first" });
    });

    it("hands each due item to exactly one of two stores claiming at once", async () => {
      await using fx = await open();
      const { store } = fx;
      const other = fx.reopen ? await fx.reopen() : store;
      try {
        const ids = Array.from({ length: 12 }, () => item().id);
        for (const id of ids) await store.enqueueWebhook(item({ id }));
        const rounds = await Promise.all(
          Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? store : other).claimWebhooks(T0 + 1, 60_000, 4)),
        );
        const claimed = rounds.flat().map((c) => c.id);
        expect(claimed.sort()).toEqual([...ids].sort());
      } finally {
        if (other !== store) await other.close();
      }
    });

    it("keeps the newest attempts of each shop, newest first", async () => {
      await using fx = await open();
      const { store } = fx;
      const [a, b] = [uid("shop"), uid("shop")];
      for (let i = 1; i <= 5; i++) {
        await store.logWebhookAttempt(
          {
            shopId: a,
            eventId: `e${i}`,
            type: "message.created",
            attempt: i,
            at: T0 + i,
            status: 500,
            durationMs: 3,
            outcome: "retry",
            nextAt: T0 + 100,
          },
          3,
        );
      }
      await store.logWebhookAttempt(
        {
          shopId: b,
          eventId: "x",
          type: "conversation.closed",
          attempt: 1,
          at: T0,
          status: 200,
          durationMs: 1,
          outcome: "delivered",
        },
        3,
      );
      const log = await store.listWebhookAttempts(a, 10);
      expect(log.map((e) => e.eventId)).toEqual(["e5", "e4", "e3"]);
      expect(log[0]).toEqual({
        shopId: a,
        eventId: "e5",
        type: "message.created",
        attempt: 5,
        at: T0 + 5,
        status: 500,
        durationMs: 3,
        outcome: "retry",
        nextAt: T0 + 100,
      });
      expect((await store.listWebhookAttempts(b, 10)).map((e) => e.eventId)).toEqual(["x"]);
    });

    it("keeps the outbox across a restart", async () => {
      await using fx = await open();
      if (!fx.reopen) return;
      const waiting = item({ dueAt: T0 + 50, requestId: "req-before-restart" });
      await fx.store.enqueueWebhook(waiting);
      await fx.store.close();
      const again = await fx.reopen();
      try {
        expect(await again.claimWebhooks(T0 + 50, 10, 10)).toEqual([{ ...waiting, attempts: 1, dueAt: T0 + 60 }]);
      } finally {
        await again.close();
      }
    });
  });
}
