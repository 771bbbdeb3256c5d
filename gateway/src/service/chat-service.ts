/**
 * Parley's conversation logic, independent of transport: the NATS responder
 * and the HTTP RPC route both call {@link ChatService.rpc} with the principal
 * they authenticated. Every body is validated against the protocol schema
 * first, so only primitives reach the store.
 */
import {
  type ConversationInfo,
  isRpcOp,
  type MemberInfo,
  type PrincipalInfo,
  type RpcOp,
  type RpcResults,
  randomId,
  rpcRequestSchemas,
} from "@parley/sdk/protocol";
import type { z } from "zod";
import { GatewayError } from "../errors.js";
import type { ConversationRecord, MemberRecord, PrincipalRecord, Store } from "../store/port.js";
import { parseInput } from "../validation.js";
import { Devices } from "./devices.js";
import { Epochs } from "./epochs.js";
import { EventFanout, type EventSink } from "./events.js";
import { Invites } from "./invites.js";
import { KeyBackups } from "./key-backups.js";
import { Notes } from "./notes.js";
import { readPage } from "./paging.js";
import { type PresenceOptions, PresenceTracker } from "./presence.js";
import { RateLimit } from "./rate-limits.js";
import { Signals } from "./signals.js";
import { isTeamMember, TEAM_KINDS } from "./team.js";
import { TeamKeys } from "./team-keys.js";
import { Triage } from "./triage.js";

type Body<Op extends RpcOp> = z.output<(typeof rpcRequestSchemas)[Op]>;
type Handlers = { [Op in RpcOp]: (actor: PrincipalRecord, body: Body<Op>) => Promise<RpcResults[Op]> };

export interface ChatServiceOptions {
  store: Store;
  sink: EventSink;
  /** Sends per principal per second. @default 50 */
  sendRate?: number;
  /** Handle lookups (invites) per principal per minute. @default 20 */
  lookupRate?: number;
  /** Presence heartbeat TTL and ping interval (presence.ts). */
  presence?: PresenceOptions;
  now?: () => number;
}

export function toPrincipalInfo(p: PrincipalRecord): PrincipalInfo {
  return {
    id: p.id,
    kind: p.kind,
    shopId: p.shopId,
    displayName: p.displayName,
    ...(p.handle ? { handle: p.handle } : {}),
  };
}

export class ChatService {
  readonly #store: Store;
  readonly #fanout: EventFanout;
  readonly #sendLimit: RateLimit;
  readonly #pingLimit = new RateLimit({ points: 20, durationSeconds: 1 });
  readonly #now: () => number;
  readonly #handlers: Handlers;
  readonly #team: TeamKeys;
  readonly #signals: Signals;
  readonly #triage: Triage;
  readonly #notes: Notes;
  readonly #keyBackups: KeyBackups;
  readonly #invites: Invites;
  readonly #devices: Devices;
  readonly #epochs: Epochs;
  /** Who of each shop's team is online; the gateway starts it on its NATS connection. */
  readonly presence: PresenceTracker;

  constructor(options: ChatServiceOptions) {
    this.#store = options.store;
    this.#fanout = new EventFanout(options.sink);
    this.#sendLimit = new RateLimit({ points: options.sendRate ?? 50, durationSeconds: 1 });
    this.#now = options.now ?? Date.now;
    this.#team = new TeamKeys(this.#store, this.#fanout);
    this.#signals = new Signals({
      store: this.#store,
      fanout: this.#fanout,
      access: (actor, convId) => this.#access(actor, convId),
      now: this.#now,
    });
    this.#triage = new Triage({ store: this.#store, fanout: this.#fanout, now: this.#now });
    this.#notes = new Notes({ store: this.#store, fanout: this.#fanout, now: this.#now });
    this.#keyBackups = new KeyBackups({ store: this.#store });
    this.#devices = new Devices({ store: this.#store, team: this.#team, now: this.#now });
    this.#epochs = new Epochs({
      store: this.#store,
      fanout: this.#fanout,
      access: (actor, convId) => this.#access(actor, convId),
    });
    this.#invites = new Invites({
      store: this.#store,
      fanout: this.#fanout,
      access: (actor, convId) => this.#access(actor, convId),
      joined: async (actor, conv, inviter) => {
        await this.#announceMembership(conv, actor.id, "joined", inviter);
        const [conversation] = await this.#withUnread(actor, [conv]);
        return conversation as ConversationInfo;
      },
      now: this.#now,
      ...(options.lookupRate === undefined ? {} : { lookupRate: options.lookupRate }),
    });
    this.presence = new PresenceTracker(options.sink, options.presence, this.#now);
    this.#handlers = {
      "conv.open": (actor) => this.#open(actor),
      "conv.list": (actor, body) => this.#list(actor, body.limit ?? 50),
      "conv.get": (actor, body) => this.#get(actor, body.convId),
      "conv.leave": (actor, body) => this.#leave(actor, body.convId),
      "conv.remove": (actor, body) => this.#remove(actor, body.convId, body.principalId),
      "conv.assign": async (actor, body) =>
        this.#seen(actor, await this.#triage.assign(actor, body.convId, body.assignee)),
      "conv.close": async (actor, body) => this.#seen(actor, await this.#triage.close(actor, body.convId)),
      "conv.reopen": async (actor, body) => this.#seen(actor, await this.#triage.reopen(actor, body.convId)),
      "conv.handover": async (actor, body) => this.#seen(actor, await this.#triage.handover(actor, body.convId)),
      "msg.send": (actor, body) => this.#send(actor, body),
      "note.add": (actor, body) => this.#notes.add(actor, body),
      "note.list": (actor, body) => this.#notes.list(actor, body),
      "msg.history": (actor, body) => this.#history(actor, body),
      "msg.since": (actor, body) => this.#since(actor, body),
      "invite.create": (actor, body) => this.#invites.create(actor, body.convId, body.handle),
      "invite.accept": (actor, body) => this.#invites.accept(actor, body.inviteId),
      "invite.decline": (actor, body) => this.#invites.decline(actor, body.inviteId),
      "invite.list": async (actor) => ({ invites: await this.#store.listPendingInvites(actor.id) }),
      "invite.history": (actor, body) => this.#invites.history(actor, body.convId),
      "device.register": (actor, body) => this.#devices.register(actor, body.record),
      "device.list": (actor, body) => this.#devices.list(actor, body.principalIds),
      "epoch.commit": (actor, body) => this.#epochs.commit(actor, body.commit),
      "epoch.list": (actor, body) => this.#epochs.list(actor, body),
      "team.get": (_actor, body) => this.#team.get(body.shopId, body.version),
      "team.init": (actor, body) => this.#team.init(actor, body.record),
      "team.devices": (actor) => this.#team.devices(actor),
      "team.wrap.put": (actor, body) => this.#team.putWrap(actor, body.wrap),
      "team.wrap.get": (actor) => this.#team.getWraps(actor),
      "keys.backup.put": (actor, body) => this.#keyBackups.put(actor, body),
      "keys.backup.list": (actor, body) => this.#keyBackups.list(actor, body),
      // Read afresh: the actor record may be a moment old (see RecentPrincipals).
      "profile.get": async (actor) => ({
        principal: toPrincipalInfo((await this.#store.getPrincipal(actor.id)) ?? actor),
      }),
      "profile.update": (actor, body) => this.#updateProfile(actor, body),
      "signal.typing": (actor, body) => this.#signals.typing(actor, body.convId, body.active),
      "signal.read": (actor, body) => this.#signals.read(actor, body.convId, body.seq),
      "presence.get": async (actor) => ({ presence: this.presence.snapshot(actor.shopId) }),
      "presence.ping": async (actor, body) => {
        await this.#pingLimit.take(actor.id);
        return this.presence.ping(actor, body.conn);
      },
      "presence.leave": async (actor, body) => {
        this.presence.leave(actor, body.conn);
        return { ok: true };
      },
    };
  }

  /** Validates `body` for `op` and runs it as `actor`. Throws {@link GatewayError}. */
  async rpc(actor: PrincipalRecord, op: string, body: unknown): Promise<RpcResults[RpcOp]> {
    if (!isRpcOp(op)) throw new GatewayError("not_found", `unknown operation ${JSON.stringify(op.slice(0, 40))}`);
    const handler = this.#handlers[op] as (actor: PrincipalRecord, body: unknown) => Promise<RpcResults[RpcOp]>;
    return handler(actor, parseInput(rpcRequestSchemas[op] as z.ZodType<unknown>, body));
  }

  // -- access -------------------------------------------------------------------------

  /** The conversation and the actor's membership; `not_found` when it does not exist or the actor has no access. */
  async #access(
    actor: PrincipalRecord,
    convId: string,
  ): Promise<{ conv: ConversationRecord; member: MemberRecord | undefined; team: boolean }> {
    const found = await this.#store.getConversation(convId);
    const member = found && (await this.#store.getMember(convId, actor.id));
    return { ...this.#admit(actor, found, member !== undefined), member };
  }

  /** `conv` when it exists and the actor is a member or on its shop's team; `not_found` otherwise. */
  #admit(actor: PrincipalRecord, conv: ConversationRecord | undefined, isMember: boolean) {
    if (!conv) throw new GatewayError("not_found", "no such conversation");
    const team = isTeamMember(actor, conv.shopId);
    if (!isMember && !team) throw new GatewayError("not_found", "no such conversation");
    return { conv, team };
  }

  // -- conversations ------------------------------------------------------------------

  async #open(actor: PrincipalRecord): Promise<RpcResults["conv.open"]> {
    if (TEAM_KINDS.has(actor.kind)) throw new GatewayError("forbidden", "only customers open conversations");
    const now = this.#now();
    const conversation: ConversationInfo = {
      id: randomId("cv_"),
      shopId: actor.shopId,
      status: "open",
      createdBy: actor.id,
      createdAt: now,
      updatedAt: now,
      lastSeq: 0,
      epoch: 0,
      readUpTo: 0,
      unread: 0,
    };
    const { readUpTo: _r, unread: _u, ...record } = conversation;
    await this.#store.createConversation(record);
    const owner: MemberRecord = { convId: conversation.id, principalId: actor.id, role: "owner", joinedAt: now };
    await this.#store.addMember(owner);
    this.#fanout.toConversation(conversation, [owner], { type: "conversation", conversation });
    return { conversation };
  }

  async #list(actor: PrincipalRecord, limit: number): Promise<RpcResults["conv.list"]> {
    const records = TEAM_KINDS.has(actor.kind)
      ? await this.#store.listConversationsOfShop(actor.shopId, limit)
      : await this.#store.listConversationsOf(actor.id, limit);
    return { conversations: await this.#withUnread(actor, records) };
  }

  async #get(actor: PrincipalRecord, convId: string): Promise<RpcResults["conv.get"]> {
    const { conv, team } = await this.#access(actor, convId);
    const [[conversation], members, markers] = await Promise.all([
      this.#withUnread(actor, [conv]),
      this.#memberInfos(convId, team ? conv.shopId : undefined),
      this.#store.readMarkers(convId),
    ]);
    const reads = markers.map((m) => ({ principalId: m.principalId, seq: m.seq }));
    return { conversation: conversation as ConversationInfo, members, reads };
  }

  /** One updated record as the actor sees it. */
  async #seen(actor: PrincipalRecord, record: ConversationRecord): Promise<{ conversation: ConversationInfo }> {
    const [conversation] = await this.#withUnread(actor, [record]);
    return { conversation: conversation as ConversationInfo };
  }

  /** The records as the actor sees them: with its read marker and unread count in each. */
  async #withUnread(actor: PrincipalRecord, records: ConversationRecord[]): Promise<ConversationInfo[]> {
    const [counts, owners] = await Promise.all([
      this.#store.unreadCounts(actor.id, records),
      this.#store.getPrincipals([...new Set(records.map((c) => c.createdBy))]),
    ]);
    const names = new Map(owners.map((p) => [p.id, p.displayName]));
    return records.map((c) => ({
      ...c,
      readUpTo: 0,
      unread: 0,
      ...counts.get(c.id),
      ...(names.has(c.createdBy) ? { ownerName: names.get(c.createdBy) as string } : {}),
    }));
  }

  /** The members; for the shop's own team (`teamOf`), customers also carry the shop's id for them. */
  async #memberInfos(convId: string, teamOf?: string): Promise<MemberInfo[]> {
    const members = await this.#store.listMembers(convId);
    const principals = new Map(
      (await this.#store.getPrincipals(members.map((m) => m.principalId))).map((p) => [p.id, p]),
    );
    return members.map((m) => {
      const p = principals.get(m.principalId);
      return {
        principalId: m.principalId,
        displayName: p?.displayName ?? "",
        role: m.role,
        joinedAt: m.joinedAt,
        ...(p?.handle ? { handle: p.handle } : {}),
        ...(m.invitedBy ? { invitedBy: m.invitedBy } : {}),
        ...(p && teamOf === p.shopId && p.kind === "customer" ? { externalId: p.externalId } : {}),
      };
    });
  }

  async #leave(actor: PrincipalRecord, convId: string): Promise<RpcResults["conv.leave"]> {
    const { conv, member } = await this.#access(actor, convId);
    if (!member) throw new GatewayError("conflict", "not a member of this conversation");
    await this.#store.removeMember(convId, actor.id);
    await this.#announceMembership(conv, actor.id, "left", actor.id);
    return { ok: true };
  }

  async #remove(actor: PrincipalRecord, convId: string, principalId: string): Promise<RpcResults["conv.remove"]> {
    const { conv, team } = await this.#access(actor, convId);
    const target = await this.#store.getMember(convId, principalId);
    if (!target) throw new GatewayError("not_found", "no such member");
    const allowed = team || (target.role !== "owner" && (conv.createdBy === actor.id || target.invitedBy === actor.id));
    if (!allowed) throw new GatewayError("forbidden", "only the team, the owner or the inviter may remove a member");
    await this.#store.removeMember(convId, principalId);
    await this.#announceMembership(conv, principalId, "removed", actor.id);
    return { ok: true };
  }

  async #announceMembership(
    conv: ConversationRecord,
    principalId: string,
    change: "joined" | "left" | "removed",
    by: string,
  ): Promise<void> {
    const members = await this.#store.listMembers(conv.id);
    const event = { type: "membership", convId: conv.id, principalId, change, by, ts: this.#now() } as const;
    this.#fanout.toConversation(conv, members, event, change === "joined" ? [] : [principalId]);
  }

  // -- messages -----------------------------------------------------------------------

  async #send(actor: PrincipalRecord, body: Body<"msg.send">): Promise<RpcResults["msg.send"]> {
    if (body.envelope.convId !== body.convId) {
      throw new GatewayError("bad_request", "envelope belongs to another conversation");
    }
    await this.#sendLimit.take(actor.id);
    // The members are needed for the fan-out anyway: one read gives them and the sender's membership,
    // and it runs beside the conversation's read (one round trip less on MongoDB, before and after).
    const [found, members] = await Promise.all([
      this.#store.getConversation(body.convId),
      this.#store.listMembers(body.convId),
    ]);
    const { conv } = this.#admit(
      actor,
      found,
      members.some((m) => m.principalId === actor.id),
    );
    // Once a conversation has an epoch chain, only envelopes sealed under its head are accepted:
    // a sender on an older epoch must fetch the commits and seal again.
    if (conv.epoch > 0 && body.envelope.alg === "none") {
      throw new GatewayError("bad_request", "this conversation is end-to-end encrypted");
    }
    if (body.envelope.epoch !== conv.epoch) throw new GatewayError("stale_epoch");
    const { message, duplicate } = await this.#store.append({
      convId: conv.id,
      msgId: body.envelope.msgId,
      sender: actor.id,
      ts: this.#now(),
      envelope: body.envelope,
    });
    if (duplicate && message.sender !== actor.id) {
      throw new GatewayError("conflict", "message id already used by another sender");
    }
    // Persisted before anyone hears of it. A retry of a duplicate publishes again:
    // receivers drop repeats by seq, and the first publish may never have happened.
    this.#fanout.toConversation(conv, members, { type: "message", message });
    if (!duplicate) await this.#triage.onCustomerMessage(actor, conv);
    return { seq: message.seq, ts: message.ts, duplicate };
  }

  async #history(actor: PrincipalRecord, body: Body<"msg.history">): Promise<RpcResults["msg.history"]> {
    await this.#access(actor, body.convId);
    const limit = body.limit ?? 50;
    const { items, hasMore } = await readPage(limit, (rows) => this.#store.history(body.convId, body.before, rows));
    return { messages: items, hasMore };
  }

  async #since(actor: PrincipalRecord, body: Body<"msg.since">): Promise<RpcResults["msg.since"]> {
    await this.#access(actor, body.convId);
    const limit = body.limit ?? 200;
    const { items, hasMore } = await readPage(limit, (rows) => this.#store.since(body.convId, body.after, rows));
    return { messages: items, hasMore };
  }

  // -- profile ------------------------------------------------------------------------

  async #updateProfile(actor: PrincipalRecord, body: Body<"profile.update">): Promise<RpcResults["profile.update"]> {
    // The actor record may be a moment old (RecentPrincipals); the handle comparison needs the stored one.
    const current = (await this.#store.getPrincipal(actor.id)) ?? actor;
    if (body.handle !== undefined && body.handle !== current.handle) {
      if (!(await this.#store.setHandle(actor.id, body.handle))) throw new GatewayError("handle_taken");
    }
    if (body.displayName !== undefined) await this.#store.setDisplayName(actor.id, body.displayName);
    const updated = await this.#store.getPrincipal(actor.id);
    if (!updated) throw new GatewayError("not_found", "principal vanished");
    return { principal: toPrincipalInfo(updated) };
  }
}
