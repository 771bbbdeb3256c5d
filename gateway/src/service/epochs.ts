/**
 * Epochs: a conversation's keys form a chain of signed commits (ADR 0009).
 * The gateway reads no content, but before it accepts epoch e+1 it checks what
 * it can without reading any (commit-checks.ts): the committer's signature by
 * a registered, self-signed device of its own, `prevHash` continuity with the
 * stored head, the committer's membership of that head (or the team key's
 * signature, against the stored team key record), wraps matching the listed
 * devices, the listed principals being the conversation's current customers
 * and guests, and each listed device a registered device of its principal, at
 * most `PARLEY_MAX_DEVICES` of them. Then it appends with compare-and-set in
 * the store (the loser of a race gets `conflict`) and fans the accepted commit
 * out to the members. Clients verify every commit again against their own pins.
 */
import type { RpcResults, rpcRequestSchemas } from "@parley/sdk/protocol";
import type { z } from "zod";
import { GatewayError } from "../errors.js";
import type { DeviceStore, EpochStore, MemberStore, PrincipalRecord, TeamKeyStore } from "../store/port.js";
import type { ConversationAccess } from "./access.js";
import { checkCommit } from "./commit-checks.js";
import { DEFAULT_MAX_DEVICES } from "./device-registry.js";
import { headFor } from "./epoch-head.js";
import type { EventFanout } from "./events.js";
import { readPage } from "./paging.js";

type Body<Op extends keyof typeof rpcRequestSchemas> = z.output<(typeof rpcRequestSchemas)[Op]>;

export interface EpochsOptions {
  store: EpochStore & DeviceStore & MemberStore & TeamKeyStore;
  fanout: EventFanout;
  access: ConversationAccess;
  /** Devices a commit may list per member (`PARLEY_MAX_DEVICES`). @default 10 */
  maxDevices?: number;
}

export class Epochs {
  readonly #o: EpochsOptions;

  constructor(options: EpochsOptions) {
    this.#o = options;
  }

  /** Checks and appends a commit; its `commit` event carries `requestId` (the `epoch.commit` request's). */
  async commit(
    actor: PrincipalRecord,
    commit: Body<"epoch.commit">["commit"],
    requestId?: string,
  ): Promise<RpcResults["epoch.commit"]> {
    if (commit.committer.principalId !== actor.id) throw new GatewayError("forbidden", "commit as yourself");
    // A commit past the cached head + 1 may follow a head the cache has not caught up with (epoch-head.ts).
    const conv = await headFor(this.#o.store, (await this.#o.access(actor, commit.convId)).conv, commit.epoch - 1);
    const device = (await this.#o.store.listDevices(actor.id)).find((d) => d.deviceId === commit.committer.deviceId);
    if (!device?.sig) throw new GatewayError("forbidden", "the committing device is not registered");
    if (commit.epoch !== conv.epoch + 1) {
      throw new GatewayError("conflict", `the head is epoch ${conv.epoch}; commit epoch ${conv.epoch + 1}`);
    }
    const members = await this.#o.store.listMembers(conv.id);
    await checkCommit(this.#o.store, {
      conv,
      members,
      commit,
      committer: { ...device, sig: device.sig },
      maxDevices: this.#o.maxDevices ?? DEFAULT_MAX_DEVICES,
    });
    const { accepted, head } = await this.#o.store.appendCommit(commit);
    if (!accepted) throw new GatewayError("conflict", `the head is epoch ${head}; commit epoch ${head + 1}`);
    this.#o.fanout.toConversation({ ...conv, epoch: head }, members, { type: "commit", commit }, { requestId });
    return { epoch: head };
  }

  async list(actor: PrincipalRecord, body: Body<"epoch.list">): Promise<RpcResults["epoch.list"]> {
    await this.#o.access(actor, body.convId);
    const limit = body.limit ?? 100;
    // Bounded in bytes too (paging.ts): a commit may be as large as a request (96 KiB).
    const { items, hasMore } = await readPage({
      limit,
      start: body.after,
      read: (after, rows) => this.#o.store.listCommits(body.convId, after, rows),
      cursorOf: (c) => c.epoch,
    });
    return { commits: items, hasMore };
  }
}
