/**
 * Handles: claiming one (`profile.update`), asking whether one could be
 * claimed (`handle.check`), and finding who holds one (`handle.lookup`, and
 * `resolve` for invites). Handles are scoped to a shop: a principal is only
 * ever found by a principal of its own shop, and "not found" is one answer
 * (`unknown_handle`) whether the handle is free, held in another shop or
 * never set. Typed handles are normalised by the protocol (`normalizeHandle`:
 * NFKC, case folded, one script); a handle whose UTS #39 skeleton another
 * principal of the shop holds is refused (`handle_confusable`). The shop's id,
 * `support`, `admin` and every team login (and its part before an `@`) are
 * kept for the shop's team, compared by skeleton. Every answer that could
 * tell whether a handle exists takes a handle-probe point (probe-limits.ts).
 */
import {
  foldHandle,
  type HandleCheck,
  type HandleRefusal,
  handleProblem,
  isTeamKind,
  type RpcResults,
} from "@parley/sdk/protocol";
import { GatewayError } from "../errors.js";
import type { LimiterStore, PrincipalRecord, PrincipalStore } from "../store/port.js";
import { handleSkeleton } from "../store/rules/skeleton.js";
import type { ConversationAccess } from "./access.js";
import { HandleProbeLimit, type HandleProbeLimits } from "./probe-limits.js";
import { toPrincipalInfo } from "./profile.js";

/** Handles kept for every shop's team, besides the shop's id and its team logins. */
const RESERVED = ["support", "admin"] as const;

/** The stable code of each refusal. */
const REFUSAL_CODES = {
  invalid: "handle_invalid",
  taken: "handle_taken",
  reserved: "handle_reserved",
  confusable: "handle_confusable",
  guest: "forbidden",
} as const satisfies Record<HandleRefusal, string>;

/**
 * Stores `handle` (normalised) for a principal with its skeleton, with no probe point and no
 * reserved check: for the shop admin setting a team member's handle, and `Handles.claim`.
 * Throws `handle_taken` or `handle_confusable` when another principal of the shop holds it or a
 * lookalike.
 */
export async function storeHandle(store: PrincipalStore, principalId: string, handle: string): Promise<void> {
  const result = await store.setHandle(principalId, handle, handleSkeleton(handle));
  if (result === "taken") throw new GatewayError("handle_taken");
  if (result === "confusable") throw new GatewayError("handle_confusable");
  if (result === "not_found") throw new GatewayError("not_found", "principal vanished");
}

export interface HandlesOptions {
  store: PrincipalStore & LimiterStore;
  /** The conversation access check (`handle.lookup` needs access to the conversation it is for). */
  access: ConversationAccess;
  /** Handle-probe budgets. */
  probes?: HandleProbeLimits;
}

/** A handle the caller asked about: its stored form and skeleton, and why it cannot be claimed, if so. */
interface Verdict {
  handle: string;
  skeleton: string;
  refusal?: HandleRefusal;
}

export class Handles {
  readonly #o: HandlesOptions;
  readonly #probes: HandleProbeLimit;

  constructor(options: HandlesOptions) {
    this.#o = options;
    this.#probes = new HandleProbeLimit(options.store, options.probes);
  }

  /** `handle.check`: whether `profile.update` with this handle would succeed now (never claims it). */
  async check(actor: PrincipalRecord, typed: string): Promise<HandleCheck> {
    const verdict = await this.#judge(actor, typed);
    if (!verdict.refusal) return { handle: verdict.handle, available: true };
    // Not a handle: the input as typed (HandleCheck.handle), else the form it would be stored in.
    return {
      handle: verdict.refusal === "invalid" ? typed : verdict.handle,
      available: false,
      reason: verdict.refusal,
    };
  }

  /**
   * Claims `typed` for `actor` (`profile.update`): the stored form, or throws `forbidden` (guests),
   * `handle_invalid`, `handle_reserved`, `handle_confusable`, `handle_taken`, `rate_limited`.
   * Its own handle again is no probe and no change.
   */
  async claim(actor: PrincipalRecord, typed: string): Promise<string> {
    const current = (await this.#o.store.getPrincipal(actor.id)) ?? actor;
    if (current.handle !== undefined && foldHandle(typed) === current.handle) return current.handle;
    const verdict = await this.#judge(current, typed);
    if (verdict.refusal) throw new GatewayError(REFUSAL_CODES[verdict.refusal]);
    await storeHandle(this.#o.store, current.id, verdict.handle);
    return verdict.handle;
  }

  /**
   * `handle.lookup`: who holds `typed` in the caller's shop, for a conversation the caller may act
   * in. `unknown_handle` when no one of the shop does.
   */
  async lookup(actor: PrincipalRecord, convId: string, typed: string): Promise<RpcResults["handle.lookup"]> {
    await this.#o.access(actor, convId);
    return { principal: toPrincipalInfo(await this.resolve(actor, typed)) };
  }

  /**
   * The principal of `actor`'s shop holding `typed`: normalises it (`handle_invalid`), takes a
   * handle-probe point (`rate_limited`), and throws `unknown_handle` when no one of the shop holds it.
   */
  async resolve(actor: PrincipalRecord, typed: string): Promise<PrincipalRecord> {
    if (handleProblem(typed) !== undefined) throw new GatewayError("handle_invalid");
    await this.#probes.take(actor);
    const found = await this.#o.store.findPrincipalByHandle(actor.shopId, foldHandle(typed));
    if (!found) throw new GatewayError("unknown_handle");
    return found;
  }

  /** Whether `actor` could claim `typed` now; takes a probe point once the answer depends on other principals. */
  async #judge(actor: PrincipalRecord, typed: string): Promise<Verdict> {
    const handle = foldHandle(typed);
    const skeleton = handleSkeleton(handle);
    if (actor.kind === "guest") return { handle, skeleton, refusal: "guest" };
    const problem = handleProblem(typed);
    // A mixed-script handle is invalid either way; it is told apart as confusable when it looks like one held.
    if (problem !== undefined && problem !== "mixed_scripts") return { handle, skeleton, refusal: "invalid" };
    await this.#probes.take(actor);
    // Reserved first: a customer learns the same whether a team member holds it or not.
    if (problem === undefined && !isTeamKind(actor.kind) && (await this.#reserved(actor.shopId)).has(skeleton)) {
      return { handle, skeleton, refusal: "reserved" };
    }
    const { store } = this.#o;
    const holder = await store.findPrincipalByHandle(actor.shopId, handle);
    if (holder && holder.id !== actor.id) return { handle, skeleton, refusal: "taken" };
    const lookalike = await store.findPrincipalBySkeleton(actor.shopId, skeleton);
    const confusable = lookalike !== undefined && lookalike.id !== actor.id;
    if (problem !== undefined) return { handle, skeleton, refusal: confusable ? "confusable" : "invalid" };
    if (confusable) return { handle, skeleton, refusal: "confusable" };
    return { handle, skeleton };
  }

  /** The skeletons kept for the shop's team: the shop's id, `support`, `admin`, and each team login and its part before `@`. */
  async #reserved(shopId: string): Promise<Set<string>> {
    const logins = (await this.#o.store.listTeam(shopId)).flatMap((p) => [
      p.externalId,
      p.externalId.split("@")[0] ?? "",
    ]);
    return new Set([shopId, ...RESERVED, ...logins].filter((s) => s !== "").map((s) => handleSkeleton(foldHandle(s))));
  }
}
