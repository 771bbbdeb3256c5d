/**
 * Epochs: a conversation's keys form a chain of signed commits (ADR 0009).
 * The gateway cannot check signatures that matter to members (clients do);
 * it accepts epoch e+1 only while its head is e (compare-and-set in the store;
 * the loser of a race gets `conflict`), only from a registered device of the
 * committing principal, and fans the accepted commit out to the members.
 */
import type { RpcResults, rpcRequestSchemas } from "@parley/sdk/protocol";
import type { z } from "zod";
import { GatewayError } from "../errors.js";
import type { DeviceStore, EpochStore, MemberStore, PrincipalRecord } from "../store/port.js";
import type { ConversationAccess } from "./access.js";
import type { EventFanout } from "./events.js";
import { readPage } from "./paging.js";

type Body<Op extends keyof typeof rpcRequestSchemas> = z.output<(typeof rpcRequestSchemas)[Op]>;

export interface EpochsOptions {
  store: EpochStore & DeviceStore & MemberStore;
  fanout: EventFanout;
  access: ConversationAccess;
}

export class Epochs {
  readonly #o: EpochsOptions;

  constructor(options: EpochsOptions) {
    this.#o = options;
  }

  async commit(actor: PrincipalRecord, commit: Body<"epoch.commit">["commit"]): Promise<RpcResults["epoch.commit"]> {
    if (commit.committer.principalId !== actor.id) throw new GatewayError("forbidden", "commit as yourself");
    const { conv } = await this.#o.access(actor, commit.convId);
    const device = (await this.#o.store.listDevices(actor.id)).find((d) => d.deviceId === commit.committer.deviceId);
    if (!device?.sig) throw new GatewayError("forbidden", "the committing device is not registered");
    if (commit.epoch !== conv.epoch + 1) {
      throw new GatewayError("conflict", `the head is epoch ${conv.epoch}; commit epoch ${conv.epoch + 1}`);
    }
    const { accepted, head } = await this.#o.store.appendCommit(commit);
    if (!accepted) throw new GatewayError("conflict", `the head is epoch ${head}; commit epoch ${head + 1}`);
    const members = await this.#o.store.listMembers(conv.id);
    this.#o.fanout.toConversation({ ...conv, epoch: head }, members, { type: "commit", commit });
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
