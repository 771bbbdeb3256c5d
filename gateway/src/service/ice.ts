/**
 * `call.ice`: the STUN and TURN servers a call's peers use, with a TURN
 * credential minted for the caller under coturn's time-limited shared-secret
 * scheme (its "TURN REST API", `use-auth-secret`): the username is
 * `<expiry in Unix seconds>:<principal id>` and the credential is
 * base64(HMAC-SHA1(secret, username)). coturn recomputes the HMAC with the
 * same secret and refuses a username whose expiry has passed, so the gateway
 * and the TURN server share only the secret and never talk to each other.
 *
 * The secret and the minted credentials are never logged; each principal may
 * ask a bounded number of times a minute (per gateway, like the send rate).
 */
import { createHmac } from "node:crypto";
import type { IceServer, RpcResults } from "@parley/sdk/protocol";
import type { PrincipalRecord } from "../store/port.js";
import { RateLimit } from "./rate-limits.js";

/** The TURN part of {@link IceOptions}: where the servers are and the secret they share with the gateway. */
export interface TurnOptions {
  /** `turn:` and `turns:` URLs (checked by {@link checkIceUrl}). */
  urls: string[];
  /** The `static-auth-secret` coturn is started with. */
  secret: string;
  /**
   * How long a minted credential works, seconds.
   * @default 3600
   */
  ttlSeconds?: number;
}

/** What the gateway hands out for calls; every field may be empty (then `call.ice` answers no servers). */
export interface IceOptions {
  /**
   * `stun:` URLs handed to every caller.
   * @default []
   */
  stunUrls?: string[];
  /** TURN servers and their shared secret; none when unset. */
  turn?: TurnOptions;
  /**
   * `call.ice` requests per principal per minute (per gateway).
   * @default 10
   */
  ratePerMinute?: number;
}

/** The defaults of {@link IceOptions}. */
export const ICE_DEFAULTS = { ttlSeconds: 3600, ratePerMinute: 10 } as const;

/** Bounds of a TURN credential's lifetime, seconds: a minute to a day. */
export const TURN_TTL_BOUNDS = { min: 60, max: 86_400 } as const;

const HOST = String.raw`(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)`;
const PORT = String.raw`(?::(\d{1,5}))?`;
const STUN_URL = new RegExp(`^stun:${HOST}${PORT}$`);
const TURN_URL = new RegExp(`^turns?:${HOST}${PORT}(?:\\?transport=(?:udp|tcp))?$`);

/**
 * Why `url` is not a usable ICE server URL of `kind` (RFC 7064 `stun:`; RFC 7065
 * `turn:`/`turns:` with an optional `?transport=udp|tcp`), or undefined when it
 * is. `stuns:` is refused: browsers do not take it.
 */
export function checkIceUrl(kind: "stun" | "turn", url: string): string | undefined {
  const match = (kind === "stun" ? STUN_URL : TURN_URL).exec(url);
  if (!match) {
    return kind === "stun"
      ? `${JSON.stringify(url)} is not a stun: URL (stun:host[:port])`
      : `${JSON.stringify(url)} is not a turn: or turns: URL (turn:host[:port][?transport=udp|tcp])`;
  }
  const port = match[1];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) return `${url}: port out of range`;
  return undefined;
}

/**
 * A TURN credential under coturn's shared-secret scheme for `principalId`,
 * working until `expiresAtSeconds` (Unix seconds).
 */
export function turnCredential(
  secret: string,
  principalId: string,
  expiresAtSeconds: number,
): { username: string; credential: string } {
  const username = `${expiresAtSeconds}:${principalId}`;
  const credential = createHmac("sha1", secret).update(username).digest("base64");
  return { username, credential };
}

/** Answers `call.ice` (see the module comment). */
export class IceServers {
  readonly #stunUrls: string[];
  readonly #turn: Required<TurnOptions> | undefined;
  readonly #limit: RateLimit;
  readonly #now: () => number;

  /** Checks the URLs and the TTL once; throws a plain `Error` naming the first problem (the config reports them earlier). */
  constructor(options: IceOptions = {}, now: () => number = Date.now) {
    this.#stunUrls = [...(options.stunUrls ?? [])];
    const turn = options.turn;
    if (turn && turn.urls.length > 0) {
      if (turn.secret.length === 0) throw new Error("TURN URLs need a shared secret");
      const ttlSeconds = turn.ttlSeconds ?? ICE_DEFAULTS.ttlSeconds;
      if (!Number.isInteger(ttlSeconds) || ttlSeconds < TURN_TTL_BOUNDS.min || ttlSeconds > TURN_TTL_BOUNDS.max) {
        throw new Error(`TURN credential TTL must be ${TURN_TTL_BOUNDS.min}..${TURN_TTL_BOUNDS.max} seconds`);
      }
      this.#turn = { urls: [...turn.urls], secret: turn.secret, ttlSeconds };
    }
    for (const url of this.#stunUrls) {
      const problem = checkIceUrl("stun", url);
      if (problem) throw new Error(problem);
    }
    for (const url of this.#turn?.urls ?? []) {
      const problem = checkIceUrl("turn", url);
      if (problem) throw new Error(problem);
    }
    this.#limit = new RateLimit({
      points: options.ratePerMinute ?? ICE_DEFAULTS.ratePerMinute,
      durationSeconds: 60,
      name: "call_ice",
    });
    this.#now = now;
  }

  /**
   * The servers for `actor`, with a TURN credential minted now. `expiresAt`
   * is when that credential stops working; without TURN it is one default TTL
   * ahead, so clients still fetch again now and then and see a new config.
   * Throws `rate_limited` past the per-minute budget.
   */
  async forCaller(actor: PrincipalRecord): Promise<RpcResults["call.ice"]> {
    await this.#limit.take(actor.id);
    const nowSeconds = Math.floor(this.#now() / 1000);
    const iceServers: IceServer[] = [];
    if (this.#stunUrls.length > 0) iceServers.push({ urls: [...this.#stunUrls] });
    const turn = this.#turn;
    if (!turn) return { iceServers, expiresAt: (nowSeconds + ICE_DEFAULTS.ttlSeconds) * 1000 };
    const expiresAtSeconds = nowSeconds + turn.ttlSeconds;
    iceServers.push({ urls: [...turn.urls], ...turnCredential(turn.secret, actor.id, expiresAtSeconds) });
    return { iceServers, expiresAt: expiresAtSeconds * 1000 };
  }
}
