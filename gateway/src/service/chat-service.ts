/**
 * Parley's conversation logic, independent of transport: the NATS responder
 * and the HTTP RPC route both call {@link ChatService.rpc} with the principal
 * they authenticated. Every body is validated against the protocol schema
 * first, so only primitives reach the store. This module is the wiring: each
 * op is one call into the module that owns it (conversations, messages,
 * invites, devices, epochs, team keys, key backups, triage, notes, signals,
 * presence, profile, ICE servers), all sharing one access check (access.ts).
 */
import { isRpcOp, isTeamKind, type RpcOp, type RpcResults, rpcRequestSchemas } from "@parley/sdk/protocol";
import type { Logger } from "pino";
import type { z } from "zod";
import { GatewayError } from "../errors.js";
import type { ConnectionListener } from "../nats/connections.js";
import type {
  AgentStore,
  BlockStore,
  ConversationStore,
  DeviceStore,
  EpochStore,
  InviteStore,
  KeyBackupStore,
  LimiterStore,
  MemberStore,
  MembershipLogStore,
  MessageStore,
  NoteStore,
  PrincipalRecord,
  PrincipalStore,
  ReadMarkerStore,
  ShopStore,
  TeamKeyStore,
  UsageStore,
  WebhookStore,
} from "../store/port.js";
import { parseInput } from "../validation.js";
import { conversationAccess } from "./access.js";
import { Blocks } from "./blocks.js";
import { Conversations } from "./conversations.js";
import { Devices } from "./devices.js";
import { Epochs } from "./epochs.js";
import { EventFanout, type EventSink } from "./events.js";
import { Handles } from "./handles.js";
import { type IceOptions, IceServers } from "./ice.js";
import { Invites } from "./invites.js";
import { KeyBackups } from "./key-backups.js";
import { Messages } from "./messages.js";
import { Notes } from "./notes.js";
import { type PresenceOptions, PresenceTracker } from "./presence.js";
import { ConnectionPresence, type TeamPresenceSource } from "./presence-connections.js";
import type { HandleProbeLimits } from "./probe-limits.js";
import { Profiles } from "./profile.js";
import { Quotas } from "./quotas.js";
import { RateLimit } from "./rate-limits.js";
import { Signals } from "./signals.js";
import { ShopStorage } from "./storage.js";
import { TeamAdmin } from "./team-admin.js";
import { TeamKeys } from "./team-keys.js";
import { Triage } from "./triage.js";
import { WebhookAdmin } from "./webhooks/admin.js";
import { WebhookEvents } from "./webhooks/events.js";
import { parseWebhookOptions, type WebhookOptions } from "./webhooks/options.js";

type Body<Op extends RpcOp> = z.output<(typeof rpcRequestSchemas)[Op]>;
type Handlers = {
  [Op in RpcOp]: (actor: PrincipalRecord, body: Body<Op>, context: RpcContext) => Promise<RpcResults[Op]>;
};

/**
 * What the transport knows of the request being handled, and what an op tells it besides the result.
 * Every op that publishes events hands `requestId` on to them. Only `msg.send` sets anything: whether its
 * `message` event went to a subject the sender follows (the NATS responder then leaves out the reply
 * of a caller that asked for acknowledgement through the event; ADR 0052).
 */
export interface RpcContext {
  /**
   * The request's id (ADR 0042): every event the op publishes carries it as its `X-Request-Id` NATS
   * header. Passed as a parameter down to the fanout, not through an async context (ADR 0042 says why).
   */
  requestId?: string;
  /** Set by `msg.send`: its event reached the sender (ADR 0052). */
  eventToSender?: boolean;
}

/**
 * The aggregates the chat service and the services it builds use: every one
 * but the shops, token ids and lifecycle (the gateway passes its whole store).
 */
export type ChatStore = ConversationStore &
  MemberStore &
  MembershipLogStore &
  PrincipalStore &
  MessageStore &
  ReadMarkerStore &
  InviteStore &
  NoteStore &
  EpochStore &
  KeyBackupStore &
  DeviceStore &
  TeamKeyStore &
  AgentStore &
  BlockStore &
  ShopStore &
  LimiterStore &
  UsageStore &
  WebhookStore;

export interface ChatServiceOptions {
  store: ChatStore;
  sink: EventSink;
  /** Sends per principal per second. @default 50 */
  sendRate?: number;
  /** Devices per principal (`PARLEY_MAX_DEVICES`); one more evicts the least recently seen. @default 10 */
  maxDevices?: number;
  /** How long an invite stays answerable, ms. @default 7 days */
  inviteTtlMs?: number;
  /** Handle-probe budgets (lookup, check, handle changes, invites), shared through the store. @default 20 per principal, 60 per IP, a minute */
  handleProbes?: HandleProbeLimits;
  /** Per-op quotas per principal and client IP, shared through the store (quotas.ts). @default the defaults there */
  quotas?: Quotas;
  /** The per-shop storage quota and file claims (storage.ts). @default 5 GiB a shop, claims ignored */
  storage?: ShopStorage;
  /** Presence heartbeat TTL and ping interval (presence.ts), used without `connections`. */
  presence?: PresenceOptions;
  /** The connection watcher: with it, the team's presence follows NATS connections (presence-connections.ts). */
  connections?: { listen(listener: ConnectionListener): void };
  /** STUN and TURN servers for `call.ice` (ice.ts). @default none: `call.ice` answers no servers */
  ice?: IceOptions;
  /** Removes a team login and revokes its sessions (`team.remove`, whose id is `requestId`; ShopAdmin.removeAgent). */
  removeAgent?: (shopId: string, login: string, requestId?: string) => Promise<unknown>;
  /** Webhook settings (webhooks/options.ts). @default the defaults there */
  webhooks?: WebhookOptions;
  /** Where failures to queue a webhook event and the other gateways' presence notices are logged. @default nowhere */
  log?: Logger;
  now?: () => number;
}

export class ChatService {
  readonly #handlers: Handlers;
  readonly #quotas: Quotas;
  /** Who of each shop's team is online; the gateway starts it on its NATS connection. */
  readonly presence: TeamPresenceSource;
  /** Handles of the principals (the shop admin sets team members' handles through it). */
  readonly handles: Handles;
  /** The shops' webhook settings and delivery log (the admin API sets them through it). */
  readonly webhooks: WebhookAdmin;
  readonly #team: TeamKeys;
  readonly #store: ChatServiceOptions["store"];

  constructor(options: ChatServiceOptions) {
    const { store } = options;
    this.#quotas = options.quotas ?? new Quotas(store);
    const now = options.now ?? Date.now;
    const fanout = new EventFanout(options.sink);
    const access = conversationAccess(store);
    const pingLimit = new RateLimit({ points: 20, durationSeconds: 1, name: "ping" });
    const team = new TeamKeys(store, fanout);
    this.#team = team;
    this.#store = store;
    const teamAdmin = new TeamAdmin({ store, removeAgent: options.removeAgent });
    const signals = new Signals({ store, fanout, access, now });
    const webhookSettings = parseWebhookOptions(options.webhooks);
    // With a connection watcher presence follows NATS connections (ADR 0053); without one, heartbeats.
    let presence: TeamPresenceSource;
    if (options.connections) {
      const followed = new ConnectionPresence({
        sink: options.sink,
        principal: (id) => store.getPrincipal(id),
        now,
        log: options.log,
      });
      options.connections.listen(followed);
      presence = followed;
    } else {
      presence = new PresenceTracker(options.sink, { ...options.presence, log: options.log }, now);
    }
    this.presence = presence;
    // Webhook times are wall-clock (delivery and the receivers' signature check run on it).
    const webhookEvents = new WebhookEvents({
      store,
      isOnline: (id) => presence.isOnline(id),
      settings: webhookSettings,
      now: Date.now,
      log: options.log,
    });
    this.webhooks = new WebhookAdmin({
      store,
      settings: webhookSettings,
      onChange: (shopId) => webhookEvents.forget(shopId),
    });
    const webhooks = webhookEvents;
    const triage = new Triage({ store, fanout, now, webhooks });
    const notes = new Notes({ store, fanout, now });
    const keyBackups = new KeyBackups({ store });
    const maxDevices = options.maxDevices === undefined ? {} : { maxDevices: options.maxDevices };
    const devices = new Devices({ store, team, now, ...maxDevices });
    const epochs = new Epochs({ store, fanout, access, ...maxDevices });
    const handles = new Handles({ store, access, ...(options.handleProbes ? { probes: options.handleProbes } : {}) });
    this.handles = handles;
    const profiles = new Profiles({ store, handles });
    const conversations = new Conversations({ store, fanout, access, now, webhooks });
    const messages = new Messages({
      store,
      fanout,
      access,
      triage,
      now,
      webhooks,
      storage: options.storage ?? new ShopStorage({ usage: store }),
      ...(options.sendRate === undefined ? {} : { sendRate: options.sendRate }),
    });
    const invites = new Invites({
      store,
      fanout,
      access,
      joined: async (actor, conv, { inviter, requestId }) => {
        await conversations.announceMembership(
          conv,
          { principalId: actor.id, change: "joined", by: inviter },
          requestId,
        );
        return (await conversations.seen(actor, conv)).conversation;
      },
      now,
      resolve: (actor, typed) => handles.resolve(actor, typed),
      ...(options.inviteTtlMs === undefined ? {} : { inviteTtlMs: options.inviteTtlMs }),
    });
    const blocks = new Blocks({ store });
    const ice = new IceServers(options.ice, now);
    this.#handlers = {
      "conv.open": (actor, _body, { requestId }) => conversations.open(actor, requestId),
      "conv.list": (actor, body) => conversations.list(actor, body.limit ?? 50),
      "conv.get": (actor, body) => conversations.get(actor, body.convId),
      "conv.leave": (actor, body, { requestId }) => conversations.leave(actor, body.convId, requestId),
      "conv.remove": (actor, body, { requestId }) => conversations.remove(actor, body, requestId),
      "member.history": (actor, body) => conversations.history(actor, body.convId),
      "conv.assign": async (actor, body, { requestId }) =>
        conversations.seen(actor, await triage.assign(actor, body, requestId)),
      "conv.close": async (actor, body, { requestId }) =>
        conversations.seen(actor, await triage.close(actor, body.convId, requestId)),
      "conv.reopen": async (actor, body, { requestId }) =>
        conversations.seen(actor, await triage.reopen(actor, body.convId, requestId)),
      "conv.handover": async (actor, body, { requestId }) =>
        conversations.seen(actor, await triage.handover(actor, body.convId, requestId)),
      "msg.send": (actor, body, context) => messages.send(actor, body, context),
      "note.add": (actor, body, { requestId }) => notes.add(actor, body, requestId),
      "note.list": (actor, body) => notes.list(actor, body),
      "msg.history": (actor, body) => messages.history(actor, body),
      "msg.since": (actor, body) => messages.since(actor, body),
      "invite.create": (actor, body, { requestId }) => invites.create(actor, body, requestId),
      "invite.accept": (actor, body, { requestId }) => invites.accept(actor, body.inviteId, requestId),
      "invite.decline": (actor, body, { requestId }) => invites.decline(actor, body.inviteId, requestId),
      "invite.list": (actor) => invites.pending(actor),
      "invite.history": (actor, body) => invites.history(actor, body.convId, body.invitee),
      "invite.revoke": (actor, body, { requestId }) => invites.revoke(actor, body.inviteId, requestId),
      "invite.block": (actor, body, { requestId }) => invites.block(actor, body.inviteId, requestId),
      "block.list": (actor) => blocks.list(actor),
      "block.remove": (actor, body) => blocks.remove(actor, body.principalId),
      "device.register": (actor, body, { requestId }) => devices.register(actor, body.record, requestId),
      "device.list": (actor, body) => devices.list(actor, body.principalIds),
      "epoch.commit": (actor, body, { requestId }) => epochs.commit(actor, body.commit, requestId),
      "epoch.list": (actor, body) => epochs.list(actor, body),
      "team.get": (_actor, body) => team.get(body.shopId, body.version),
      "team.init": (actor, body, { requestId }) => team.init(actor, body.record, requestId),
      "team.devices": (actor) => team.devices(actor),
      "team.wrap.put": (actor, body, { requestId }) => team.putWrap(actor, body.wrap, requestId),
      "team.wrap.get": (actor) => team.getWraps(actor),
      "team.members": (actor) => teamAdmin.members(actor),
      "team.remove": (actor, body, { requestId }) => teamAdmin.remove(actor, body.login, requestId),
      "webhook.log": (actor, body) => this.webhooks.log(actor, body.limit),
      "keys.backup.put": (actor, body) => keyBackups.put(actor, body),
      "keys.backup.list": (actor, body) => keyBackups.list(actor, body),
      "handle.check": (actor, body) => handles.check(actor, body.handle),
      "handle.lookup": (actor, body) => handles.lookup(actor, body.convId, body.handle),
      "profile.get": (actor) => profiles.get(actor),
      "profile.update": async (actor, body, { requestId }) => {
        const result = await profiles.update(actor, body);
        if (body.displayName !== undefined) presence.renamed(actor, result.principal.displayName, requestId);
        return result;
      },
      "signal.typing": (actor, body, { requestId }) => signals.typing(actor, body, requestId),
      "signal.read": (actor, body, { requestId }) => signals.read(actor, body, requestId),
      "signal.live": (actor, body, { requestId }) => signals.live(actor, body, requestId),
      "call.ice": (actor) => ice.forCaller(actor),
      "time.now": async () => ({ now: now() }),
      "presence.get": async (actor) => ({ presence: await presence.snapshot(actor.shopId) }),
      "presence.ping": async (actor, body, { requestId }) => {
        await pingLimit.take(actor.id);
        return presence.ping(actor, body.conn, requestId);
      },
      "presence.leave": async (actor, body, { requestId }) => {
        presence.leave(actor, body.conn, requestId);
        return { ok: true };
      },
    };
  }

  /**
   * A team login was removed (its sessions revoked, in the request `requestId`): tells the shop's team that
   * the team key's rotation is due. Does nothing for a principal that is not on a team.
   */
  async teamLoginRemoved(principalId: string, requestId?: string): Promise<void> {
    const principal = await this.#store.getPrincipal(principalId);
    if (principal && isTeamKind(principal.kind)) this.#team.rotationDue(principal.shopId, requestId);
  }

  /**
   * Validates `body` for `op` and runs it as `actor`; what the op reports besides its result lands in
   * `context`. Throws {@link GatewayError}.
   */
  async rpc(actor: PrincipalRecord, op: string, body: unknown, context: RpcContext = {}): Promise<RpcResults[RpcOp]> {
    if (!isRpcOp(op)) throw new GatewayError("not_found", `unknown operation ${JSON.stringify(op.slice(0, 40))}`);
    const handler = this.#handlers[op] as (
      actor: PrincipalRecord,
      body: unknown,
      context: RpcContext,
    ) => Promise<RpcResults[RpcOp]>;
    const input = parseInput(rpcRequestSchemas[op] as z.ZodType<unknown>, body);
    await this.#quotas.take(actor, op);
    return handler(actor, input, context);
  }
}
