/**
 * Mints NATS user JWTs for the app account with its signing key.
 *
 * Principals (browsers, agents, bots on the WebSocket) get bearer JWTs valid for
 * at most {@link MAX_PRINCIPAL_TTL_SECONDS}, WebSocket-only, whose allow-lists name
 * exactly the subjects of that principal:
 * - publish `api.<P>.>`
 * - subscribe `user.<P>.ev`, `_INBOX_<P>.>` and, for team members (agent, bot) of
 *   shop S, `team.<S>.ev`.
 * The gateway's own connection gets a non-bearer JWT (the connection must sign the
 * server nonce with the returned seed), plain TCP only.
 *
 * Bots get a non-bearer JWT from a minter for the bots account: it is issued to
 * the bot's own public nkey, so only the holder of the matching seed can connect
 * with it (the account refuses bearer JWTs), over the WebSocket or plain TCP.
 */

import type { ConnectionType, User } from "@nats-io/jwt";
import { encodeUser } from "@nats-io/jwt";
import type { KeyPair } from "@nats-io/nkeys";
import { createUser, fromSeed } from "@nats-io/nkeys";
import type { PrincipalKind } from "@parley/sdk/protocol";
import {
  API_WILDCARD,
  isSubjectToken,
  isTeamKind,
  NATS_USER_KEY_PATTERN,
  PrincipalKinds,
  principalPermissions,
} from "@parley/sdk/protocol";
import { PRINCIPAL_LIMITS } from "./limits.js";

/** Upper bound on a principal JWT's lifetime (docs/security.md: bearer, at most 10 minutes). */
export const MAX_PRINCIPAL_TTL_SECONDS = 600;
/** Lifetime when the caller does not choose one. */
export const DEFAULT_PRINCIPAL_TTL_SECONDS = 300;
/** Per-user limits written into every principal JWT (limits.ts gives the reasons). */
export { PRINCIPAL_LIMITS };
/** Tag prefix naming the principal in its user JWT (the connection watcher reads it from the server's lists). */
export const PRINCIPAL_TAG = "principal:";

/**
 * Subjects gateways use among themselves (presence): only the gateway's own
 * JWT may subscribe there; no principal's allow-list names them.
 */
export const GATEWAY_INTERNAL_WILDCARD = "parley.internal.>";

export interface JwtMinterOptions {
  /** Public key of the app account (`A...`). */
  accountPub: string;
  /** Seed of one of the app account's signing keys (`SA...`). */
  signingSeed: string;
}

export interface MintPrincipalRequest {
  principalId: string;
  kind: PrincipalKind;
  shopId: string;
  /**
   * Lifetime in whole seconds, 1 to {@link MAX_PRINCIPAL_TTL_SECONDS}.
   * @default 300
   */
  ttlSeconds?: number;
}

export interface MintedPrincipal {
  jwt: string;
  /** Expiry as epoch milliseconds (a whole second). */
  expiresAt: number;
}

export interface MintBotRequest {
  principalId: string;
  shopId: string;
  /** The bot's own user public nkey (`U...`); the bot keeps the seed. */
  userPub: string;
  /**
   * Lifetime in whole seconds, 1 to {@link MAX_PRINCIPAL_TTL_SECONDS}.
   * @default 300
   */
  ttlSeconds?: number;
}

/** A user public nkey: `U` and 55 base32 characters (the protocol's {@link NATS_USER_KEY_PATTERN}). */
export const USER_PUBLIC_KEY = NATS_USER_KEY_PATTERN;

export interface MintServiceRequest {
  /** Subject-safe name for the connection, e.g. `gateway-1`. */
  name: string;
  /** Lifetime in seconds; omitted = no expiry (the gateway re-mints on start). */
  ttlSeconds?: number;
}

export interface MintedService {
  jwt: string;
  /** The user nkey seed (`SU...`) the connection signs the server nonce with. */
  seed: string;
}

const utf8 = new TextEncoder();
const text = new TextDecoder();

export class JwtMinter {
  readonly accountPub: string;
  readonly #signer: KeyPair;

  constructor(opts: JwtMinterOptions) {
    if (!/^A[A-Z2-7]{55}$/.test(opts.accountPub)) throw new TypeError("accountPub is not an account public key");
    if (!opts.signingSeed.startsWith("SA")) throw new TypeError("signingSeed is not an account seed");
    this.accountPub = opts.accountPub;
    this.#signer = fromSeed(utf8.encode(opts.signingSeed));
  }

  /** Public key of the signing key in use (must be listed in the account's `signing_keys`). */
  get signingKeyPub(): string {
    return this.#signer.getPublicKey();
  }

  /** Mints a bearer, WebSocket-only user JWT naming exactly the principal's subjects. */
  async mintPrincipal(req: MintPrincipalRequest): Promise<MintedPrincipal> {
    if (!(PrincipalKinds as readonly string[]).includes(req.kind)) throw new TypeError("unknown principal kind");
    const ttl = req.ttlSeconds ?? DEFAULT_PRINCIPAL_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_PRINCIPAL_TTL_SECONDS) {
      throw new RangeError(`ttlSeconds must be an integer from 1 to ${MAX_PRINCIPAL_TTL_SECONDS}`);
    }
    // Throws a TypeError for any id that is not a subject-safe token.
    const { pub, sub } = principalPermissions(req.principalId, req.shopId, isTeamKind(req.kind));

    const exp = Math.floor(Date.now() / 1000) + ttl;
    const user: Partial<User> = {
      pub: { allow: pub },
      sub: { allow: sub },
      ...PRINCIPAL_LIMITS,
      bearer_token: true,
      allowed_connection_types: ["WEBSOCKET"],
      tags: [`kind:${req.kind}`, `shop:${req.shopId}`, `${PRINCIPAL_TAG}${req.principalId}`],
    };
    const jwt = await this.#encode(req.principalId, user, exp);
    return { jwt, expiresAt: exp * 1000 };
  }

  /** Mints a non-bearer JWT for a bot's own nkey, naming exactly the bot's subjects and its shop's team subject. */
  async mintBot(req: MintBotRequest): Promise<MintedPrincipal> {
    if (!USER_PUBLIC_KEY.test(req.userPub)) throw new TypeError("userPub is not a user public nkey");
    const ttl = req.ttlSeconds ?? DEFAULT_PRINCIPAL_TTL_SECONDS;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_PRINCIPAL_TTL_SECONDS) {
      throw new RangeError(`ttlSeconds must be an integer from 1 to ${MAX_PRINCIPAL_TTL_SECONDS}`);
    }
    const exp = Math.floor(Date.now() / 1000) + ttl;
    const { pub, sub } = principalPermissions(req.principalId, req.shopId, true);
    const user: Partial<User> = {
      pub: { allow: pub },
      sub: { allow: sub },
      ...PRINCIPAL_LIMITS,
      bearer_token: false,
      allowed_connection_types: ["WEBSOCKET", "STANDARD"],
      tags: ["kind:bot", `shop:${req.shopId}`, `${PRINCIPAL_TAG}${req.principalId}`],
    };
    const jwt = await encodeUser(req.principalId, req.userPub, this.accountPub, user, {
      signer: this.#signer,
      exp,
    });
    return { jwt, expiresAt: exp * 1000 };
  }

  /** Mints the gateway's own non-bearer, TCP-only JWT and its nkey seed. */
  async mintService(req: MintServiceRequest): Promise<MintedService> {
    if (!isSubjectToken(req.name)) throw new TypeError("service name is not a subject-safe id");
    let exp: number | undefined;
    if (req.ttlSeconds !== undefined) {
      if (!Number.isInteger(req.ttlSeconds) || req.ttlSeconds < 1) throw new RangeError("ttlSeconds must be >= 1");
      exp = Math.floor(Date.now() / 1000) + req.ttlSeconds;
    }
    const types: ConnectionType[] = ["STANDARD"];
    const user: Partial<User> = {
      pub: { allow: [">"] },
      sub: { allow: [API_WILDCARD, "_INBOX.>", GATEWAY_INTERNAL_WILDCARD] },
      subs: -1,
      payload: -1,
      data: -1,
      bearer_token: false,
      allowed_connection_types: types,
      tags: ["kind:service"],
    };
    const ukp = createUser();
    const jwt = await this.#encodeWith(ukp, req.name, user, exp);
    return { jwt, seed: text.decode(ukp.getSeed()) };
  }

  /** Signs with a fresh user key whose seed is wiped at once (bearer JWTs never need it). */
  async #encode(name: string, user: Partial<User>, exp: number): Promise<string> {
    const ukp = createUser();
    try {
      return await this.#encodeWith(ukp, name, user, exp);
    } finally {
      ukp.clear();
    }
  }

  #encodeWith(ukp: KeyPair, name: string, user: Partial<User>, exp: number | undefined): Promise<string> {
    return encodeUser(name, ukp, this.accountPub, user, {
      signer: this.#signer,
      ...(exp !== undefined ? { exp } : {}),
    });
  }
}
