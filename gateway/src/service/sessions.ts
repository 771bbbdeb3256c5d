/**
 * Sessions: exchanges proof of identity (a shop-signed customer token, a guest
 * request, an agent login, or a refresh token) for a principal and its
 * short-lived credentials: a WebSocket-only bearer NATS JWT scoped to that
 * principal (bots: a non-bearer JWT issued to the bot's own nkey, in the bots
 * account), an API token, and a refresh token. Every sign-in starts a session
 * family (session-families.ts): refresh tokens rotate with reuse detection,
 * sessions end at their maximum age and at logout. Agent sign-ins are limited
 * per login and per IP (login-limits.ts).
 */
import { type DeviceKeys, isTeamKind, randomId, type SessionResponse, subjects } from "@parley/sdk/protocol";
import { verifyCustomerToken } from "../auth/customer-token.js";
import { verifyPassword } from "../auth/passwords.js";
import type { SessionTokens } from "../auth/session-tokens.js";
import { GatewayError } from "../errors.js";
import type { JwtMinter } from "../nats/minter.js";
import type {
  AgentStore,
  DeviceStore,
  LimiterStore,
  PrincipalRecord,
  PrincipalStore,
  SessionStore,
  ShopRecord,
  ShopStore,
  TokenIdStore,
} from "../store/port.js";
import { admitDevice, DEFAULT_MAX_DEVICES } from "./device-registry.js";
import { LoginLimit, type LoginLimits } from "./login-limits.js";
import { toPrincipalInfo } from "./profile.js";
import { type FamilyGrant, SESSION_DEFAULTS, SessionFamilies } from "./session-families.js";

/** Why a principal's sessions were revoked (the `onRevoked` hooks). */
export type RevokeReason = "removed" | "password_changed" | "logout";

/**
 * Called after a principal's sessions were revoked: the place to disconnect its live NATS connections.
 * `requestId`: the request that revoked them (the events this causes carry it, ADR 0042).
 */
export type OnRevoked = (principalId: string, reason: RevokeReason, requestId?: string) => Promise<void>;

export interface SessionServiceOptions {
  store: ShopStore & PrincipalStore & AgentStore & DeviceStore & TokenIdStore & SessionStore & LimiterStore;
  minter: JwtMinter;
  /** Minter for the bots account; without it, bots cannot sign in. */
  botMinter?: JwtMinter | undefined;
  tokens: SessionTokens;
  natsWsUrls: string[];
  tokenAudience: string;
  jwtTtlSeconds: number;
  refreshTtlSeconds: number;
  /** Absolute lifetime of a sign-in, seconds (`PARLEY_SESSION_MAX_AGE`). @default 30 days */
  sessionMaxAgeSeconds?: number;
  /** How long the previous refresh token still answers after a rotation, seconds. @default 15 */
  refreshGraceSeconds?: number;
  /** Failed sign-in budgets. @default DEFAULT_LOGIN_LIMITS */
  loginLimits?: LoginLimits;
  /** The gateway's own origin; always allowed to open sessions (the widget frame lives there). */
  ownOrigin: string | undefined;
  /** Called after a logout revoked a session (awaited; not wired by default). */
  onRevoked?: OnRevoked | undefined;
  /** Devices per principal (`PARLEY_MAX_DEVICES`; device-registry.ts). @default 10 */
  maxDevices?: number;
  /** The clock of principal and device records. @default Date.now */
  now?: () => number;
  /** The clock of session lifetimes (families' creation, rotation, maximum age). @default Date.now */
  sessionNow?: () => number;
}

/** What a session is minted with besides the principal. */
interface IssueExtras {
  /** The session family and generation the tokens carry. */
  family: FamilyGrant;
  device?: DeviceKeys | undefined;
  /** A bot's own NATS user key. */
  natsUserKey?: string | undefined;
  /** The client's IP, recorded with the principal when it changed. */
  ip?: string | undefined;
}

/** A precomputed hash so a login for an unknown agent costs as much as a wrong password. */
const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2x1ZVRtmsZ+S9BnNbXnRC6ZWfZUoS9CsoLkC5PGTl4o";

export class SessionService {
  /** Session families: rotation, reuse detection, lifetime, revocation. */
  readonly families: SessionFamilies;
  readonly #logins: LoginLimit;

  constructor(private readonly o: SessionServiceOptions) {
    this.families = new SessionFamilies({
      store: o.store,
      tokens: o.tokens,
      maxAgeSeconds: o.sessionMaxAgeSeconds ?? SESSION_DEFAULTS.maxAgeSeconds,
      refreshTtlSeconds: o.refreshTtlSeconds,
      apiTtlSeconds: o.jwtTtlSeconds,
      graceSeconds: o.refreshGraceSeconds ?? SESSION_DEFAULTS.graceSeconds,
      now: o.sessionNow ?? Date.now,
    });
    this.#logins = new LoginLimit(o.store, o.loginLimits);
  }

  async #shop(shopId: string, origin: string | undefined): Promise<ShopRecord> {
    const shop = await this.o.store.getShop(shopId);
    if (!shop) throw new GatewayError("not_found", "no such shop");
    if (origin !== undefined && origin !== this.o.ownOrigin && !shop.allowedOrigins.includes(origin)) {
      throw new GatewayError("origin_not_allowed");
    }
    return shop;
  }

  async customer(input: {
    shopId: string;
    token: string;
    device?: DeviceKeys | undefined;
    origin?: string;
    /** The client's IP (the handle-probe limits per IP); recorded with the principal. */
    ip?: string | undefined;
  }): Promise<SessionResponse> {
    const shop = await this.#shop(input.shopId, input.origin);
    const claims = await verifyCustomerToken(input.token, shop, {
      audience: this.o.tokenAudience,
      store: this.o.store,
    });
    let principal = await this.o.store.ensurePrincipal({
      id: randomId("c_"),
      kind: "customer",
      shopId: shop.id,
      externalId: claims.sub,
      displayName: claims.name ?? "Customer",
      createdAt: this.#now(),
    });
    if (claims.name && claims.name !== principal.displayName) {
      await this.o.store.setDisplayName(principal.id, claims.name);
      principal = { ...principal, displayName: claims.name };
    }
    return this.#issue(principal, {
      device: input.device,
      ip: input.ip,
      family: await this.families.start(principal.id),
    });
  }

  async guest(input: {
    shopId: string;
    displayName?: string | undefined;
    device?: DeviceKeys | undefined;
    origin?: string;
    /** The client's IP: fresh guest sessions from one IP share its handle-probe budget. */
    ip?: string | undefined;
  }): Promise<SessionResponse> {
    const shop = await this.#shop(input.shopId, input.origin);
    if (!shop.allowGuests) throw new GatewayError("guests_disabled");
    const id = randomId("g_");
    const principal = await this.o.store.ensurePrincipal({
      id,
      kind: "guest",
      shopId: shop.id,
      externalId: id,
      displayName: input.displayName ?? "Guest",
      ...(input.ip === undefined ? {} : { lastIp: input.ip }),
      createdAt: this.#now(),
    });
    return this.#issue(principal, {
      device: input.device,
      ip: input.ip,
      family: await this.families.start(principal.id),
    });
  }

  async agent(input: {
    shopId: string;
    login: string;
    password: string;
    device?: DeviceKeys | undefined;
    natsUserKey?: string | undefined;
    origin?: string;
    /** The client's IP; recorded with the principal. */
    ip?: string | undefined;
  }): Promise<SessionResponse> {
    const shop = await this.#shop(input.shopId, input.origin);
    // Counted before the password is checked, given back on success: only failures use the budget.
    const attempt = await this.#logins.take(shop.id, input.login, input.ip);
    const agent = await this.o.store.getAgent(shop.id, input.login);
    const ok = await verifyPassword(agent?.passwordHash ?? DUMMY_HASH, input.password);
    if (!agent || !ok) throw new GatewayError("unauthorized", "wrong login or password");
    const principal = await this.o.store.getPrincipal(agent.principalId);
    if (!principal) throw new GatewayError("unauthorized", "wrong login or password");
    await this.#logins.succeeded(attempt);
    const family = await this.families.start(principal.id);
    return this.#issue(principal, { device: input.device, natsUserKey: input.natsUserKey, ip: input.ip, family });
  }

  /**
   * A new session for the principal of a refresh token, which is spent (rotation; a reused one
   * revokes its family); `ip` is the client's (recorded with the principal).
   */
  async refresh(refreshToken: string, natsUserKey?: string, ip?: string): Promise<SessionResponse> {
    const { principalId, grant } = await this.families.advance(refreshToken);
    const principal = await this.o.store.getPrincipal(principalId);
    if (!principal) throw new GatewayError("unauthorized", "invalid refresh token");
    // A team member removed from the shop (or a shop removed) loses its sessions at the next refresh.
    if (!(await this.o.store.getShop(principal.shopId))) throw new GatewayError("unauthorized", "no such shop");
    if (isTeamKind(principal.kind)) {
      if (!(await this.o.store.getAgent(principal.shopId, principal.externalId))) {
        throw new GatewayError("unauthorized", "no longer a member of the team");
      }
    }
    return this.#issue(principal, { natsUserKey, ip, family: grant });
  }

  /** Logout: revokes the session family of the refresh token (every tab sharing it); idempotent. */
  async logout(refreshToken: string): Promise<void> {
    const principalId = await this.families.end(refreshToken, "logout");
    await this.o.onRevoked?.(principalId, "logout");
  }

  async #issue(principal: PrincipalRecord, extra: IssueExtras): Promise<SessionResponse> {
    const { device, natsUserKey, ip, family } = extra;
    const now = this.#now();
    if (principal.kind === "bot" && !natsUserKey) {
      throw new GatewayError("bad_request", "bots connect with their own NATS key: send natsUserKey");
    }
    if (principal.kind !== "bot" && natsUserKey) {
      throw new GatewayError("bad_request", "natsUserKey is for bots only");
    }
    if (principal.kind === "bot" && !this.o.botMinter) {
      throw new GatewayError("unavailable", "this gateway has no bots account configured");
    }
    // Every gateway finds the client's IP here: the handle-probe limits per IP (probe-limits.ts).
    if (ip !== undefined && ip !== principal.lastIp) await this.o.store.setLastIp(principal.id, ip);
    if (device) {
      const known = (await this.o.store.listDevices(principal.id)).find((d) => d.deviceId === device.deviceId);
      const sameKeys = known?.sigPk === device.sigPk && known?.boxPk === device.boxPk;
      const record = {
        ...device,
        principalId: principal.id,
        createdAt: known?.createdAt ?? now,
        lastSeenAt: now,
        // The self-signed record stays valid while the keys are the same; new keys need a new one.
        ...(sameKeys && known?.sig ? { sig: known.sig } : {}),
      };
      await admitDevice(this.o.store, record, this.o.maxDevices ?? DEFAULT_MAX_DEVICES);
    }
    const nats =
      principal.kind === "bot" && natsUserKey && this.o.botMinter
        ? await this.o.botMinter.mintBot({
            principalId: principal.id,
            shopId: principal.shopId,
            userPub: natsUserKey,
            ttlSeconds: this.o.jwtTtlSeconds,
          })
        : await this.o.minter.mintPrincipal({
            principalId: principal.id,
            kind: principal.kind,
            shopId: principal.shopId,
            ttlSeconds: this.o.jwtTtlSeconds,
          });
    const claims = { principalId: principal.id, sid: family.sid };
    const [apiToken, refreshToken] = await Promise.all([
      this.o.tokens.sign("api", claims, this.o.jwtTtlSeconds),
      this.o.tokens.sign("refresh", { ...claims, gen: family.gen }, this.o.refreshTtlSeconds),
    ]);
    return {
      principal: toPrincipalInfo(principal),
      nats: {
        servers: this.o.natsWsUrls,
        jwt: nats.jwt,
        expiresAt: nats.expiresAt,
        inboxPrefix: subjects.inboxPrefix(principal.id),
      },
      apiToken,
      refreshToken,
      refreshExpiresAt: Math.min(now + this.o.refreshTtlSeconds * 1000, family.expiresAt),
    };
  }

  #now(): number {
    return (this.o.now ?? Date.now)();
  }
}
