/**
 * The demo shop's courier: while an order is out for delivery, the bot shares
 * the courier's live location into the order's conversation through
 * `client.location` (end-to-end encrypted like everything else it says: the
 * gateway relays updates it cannot read). A real shop would feed the positions
 * from its couriers' devices or its delivery partner; here the courier rides
 * a fixed route at a steady pace, one update each `stepMs`.
 */
import type { LiveShare, ParleyClient } from "@parley/sdk";
import { LIVE_UPDATE_MIN_MS } from "@parley/sdk/protocol";

/** A point of a route, degrees. */
export interface Waypoint {
  lat: number;
  lon: number;
}

/**
 * The demo route: from the demo shop's kitchen to a customer a little under
 * 2 km away, along a few streets (made-up coordinates in central Berlin).
 */
export const DEMO_ROUTE: readonly Waypoint[] = [
  { lat: 52.52082, lon: 13.40945 },
  { lat: 52.52251, lon: 13.40512 },
  { lat: 52.52418, lon: 13.40003 },
  { lat: 52.52633, lon: 13.39577 },
  { lat: 52.52861, lon: 13.39112 },
  { lat: 52.53012, lon: 13.38598 },
];

/** What {@link Courier} needs. */
export interface CourierOptions {
  /** Time between two position updates, ms (at least LIVE_UPDATE_MIN_MS, which the SDK's throttle keeps anyway). */
  stepMs?: number;
  /** How many updates a ride takes from the first waypoint to the last. @default 12 */
  steps?: number;
  /** The route. @default DEMO_ROUTE */
  route?: readonly Waypoint[];
  /** How long a share lasts at most when nobody stops it, ms. @default 1 hour */
  maxRideMs?: number;
  /** Called when a ride cannot start or an update fails (the ride goes on). */
  onError?: (error: unknown) => void;
}

/** A position `t` (0..1) of the way along `route`, by distance, with the heading of that leg. */
export function along(route: readonly Waypoint[], t: number): Waypoint & { heading: number } {
  const legs = route.slice(1).map((to, i) => {
    const from = route[i] as Waypoint;
    return {
      from,
      to,
      length: Math.hypot(to.lat - from.lat, (to.lon - from.lon) * Math.cos((from.lat * Math.PI) / 180)),
    };
  });
  const total = legs.reduce((sum, leg) => sum + leg.length, 0);
  let left = Math.min(Math.max(t, 0), 1) * total;
  for (const [i, leg] of legs.entries()) {
    if (left <= leg.length || i === legs.length - 1) {
      const f = leg.length === 0 ? 1 : Math.min(left / leg.length, 1);
      return {
        lat: leg.from.lat + (leg.to.lat - leg.from.lat) * f,
        lon: leg.from.lon + (leg.to.lon - leg.from.lon) * f,
        heading: headingOf(leg.from, leg.to),
      };
    }
    left -= leg.length;
  }
  const last = route.at(-1) as Waypoint;
  return { ...last, heading: 0 };
}

/** Initial compass heading from `a` to `b`, degrees 0..360. */
function headingOf(a: Waypoint, b: Waypoint): number {
  const rad = Math.PI / 180;
  const y = Math.sin((b.lon - a.lon) * rad) * Math.cos(b.lat * rad);
  const x =
    Math.cos(a.lat * rad) * Math.sin(b.lat * rad) -
    Math.sin(a.lat * rad) * Math.cos(b.lat * rad) * Math.cos((b.lon - a.lon) * rad);
  return (((Math.atan2(y, x) / rad) % 360) + 360) % 360;
}

interface Ride {
  share: LiveShare;
  timer: ReturnType<typeof setInterval>;
}

/** Shares couriers' live locations, one ride per order. */
export class Courier {
  readonly #client: ParleyClient;
  readonly #stepMs: number;
  readonly #steps: number;
  readonly #route: readonly Waypoint[];
  readonly #maxRideMs: number;
  readonly #onError: (error: unknown) => void;
  readonly #rides = new Map<string, Promise<Ride>>();

  constructor(client: ParleyClient, options: CourierOptions = {}) {
    this.#client = client;
    this.#stepMs = Math.max(options.stepMs ?? LIVE_UPDATE_MIN_MS, LIVE_UPDATE_MIN_MS);
    this.#steps = Math.max(1, options.steps ?? 12);
    this.#route = options.route ?? DEMO_ROUTE;
    this.#maxRideMs = options.maxRideMs ?? 60 * 60_000;
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Whether a ride for `order` is under way (or starting). */
  riding(order: string): boolean {
    return this.#rides.has(order);
  }

  /**
   * Starts sharing the courier's live location for `order` under `label`
   * (its title on the map, in the conversation's language: "Kurier · PZ-2001");
   * resolves with the share id once the location message is stored.
   * A second call for the same order keeps the first ride.
   */
  async start(convId: string, order: string, label: string): Promise<string | undefined> {
    let ride = this.#rides.get(order);
    if (!ride) {
      ride = this.#ride(convId, label);
      this.#rides.set(order, ride);
      ride.catch(() => this.#rides.delete(order));
    }
    return (await ride).share.share;
  }

  async #ride(convId: string, label: string): Promise<Ride> {
    const first = along(this.#route, 0);
    const share = await this.#client.location.startLive(
      convId,
      { lat: first.lat, lon: first.lon, accuracy: 15, heading: first.heading, speed: 0 },
      { durationMs: this.#maxRideMs, label },
    );
    let step = 0;
    const timer = setInterval(() => {
      step += 1;
      if (share.ended || step > this.#steps) {
        clearInterval(timer);
        return;
      }
      const at = along(this.#route, step / this.#steps);
      // About 5 m/s: a bike in town.
      share.update({ lat: at.lat, lon: at.lon, accuracy: 10, heading: at.heading, speed: 5 });
    }, this.#stepMs);
    return { share, timer };
  }

  /** Ends the ride for `order` (delivered): the share stops for everyone. Resolves with its id, if there was one. */
  async finish(order: string): Promise<string | undefined> {
    const pending = this.#rides.get(order);
    if (!pending) return undefined;
    this.#rides.delete(order);
    const ride = await pending.catch(() => undefined);
    if (!ride) return undefined;
    clearInterval(ride.timer);
    if (!ride.share.ended) await ride.share.stop().catch(this.#onError);
    return ride.share.share;
  }

  /** Ends every ride's timer (the bot stops); shares already sent run out at their `until`. */
  close(): void {
    for (const ride of this.#rides.values())
      void ride.then(
        (r) => clearInterval(r.timer),
        () => undefined,
      );
    this.#rides.clear();
  }
}
