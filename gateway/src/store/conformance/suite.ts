/**
 * The store conformance suite: every adapter runs it (sqlite/store.test.ts,
 * mongo/store.test.ts) against the real database, so the adapters cannot
 * drift apart. One module per aggregate; this one runs them all under one
 * `describe` named after the adapter.
 */
import { describe } from "vitest";
import { describeBlocks } from "./blocks.js";
import { describeConversations } from "./conversations.js";
import { describeDirectory } from "./directory.js";
import { describeDurability } from "./durability.js";
import { describeEpochs } from "./epochs.js";
import type { StoreFixture, SuiteTraits } from "./fixtures.js";
import { describeHandles } from "./handles.js";
import { describeKeyBackups } from "./key-backups.js";
import { describeLifecycle } from "./lifecycle.js";
import { describeMembershipLog } from "./membership-log.js";
import { describeMessages } from "./messages.js";
import { describeNotes } from "./notes.js";
import { describeReadMarkers } from "./read-markers.js";
import { describeSessions } from "./sessions.js";
import { describeTeamKeys } from "./team-keys.js";
import { describeUsage } from "./usage.js";
import { describeWebhooks } from "./webhooks.js";

export type { StoreFixture, SuiteTraits } from "./fixtures.js";

/** Declares the whole suite for one adapter; `open` gives each test a fresh, initialized store. */
export function describeStoreConformance(
  name: string,
  open: () => Promise<StoreFixture>,
  traits: SuiteTraits = {},
): void {
  describe(`${name} store conformance`, () => {
    describeLifecycle(open);
    describeDirectory(open);
    describeHandles(open);
    describeConversations(open);
    describeBlocks(open);
    describeMembershipLog(open);
    describeMessages(open, traits);
    describeEpochs(open, traits);
    describeTeamKeys(open, traits);
    describeReadMarkers(open);
    describeNotes(open);
    describeKeyBackups(open);
    describeSessions(open);
    describeUsage(open);
    describeWebhooks(open);
    describeDurability(open);
  });
}
