/**
 * What the calls browser tests ask of a person's page: their ids, opening
 * conversations, the call as `client.calls.current` shows it (made
 * serialisable), waiting for a phase or an end, and the inbound media totals.
 */
import type { Page } from "playwright-core";

/** A person in the calls tests: their page and ids. */
export interface Person {
  page: Page;
  principalId: string;
  deviceId: string;
  /** Read the call of the page's directly made engine (`__rtc.direct`) instead of `client.calls`. */
  direct?: boolean;
}

/** The person whose page this is. */
export async function person(page: Page): Promise<Person> {
  const ids = await page.evaluate(() => ({
    principalId: window.__rtc.client.principal.id,
    deviceId: window.__rtc.client.deviceId,
  }));
  return { page, ...ids };
}

/** `client.calls.current`, as plain data. */
export interface CallView {
  id: string;
  phase: string;
  outgoing: boolean;
  muted: boolean;
  camera: boolean;
  endReason?: string;
  refusal?: { check: string; sender: string };
  localLive: number;
  screen: boolean;
  peers: {
    principalId: string;
    device: string;
    audio: boolean;
    video: boolean;
    screen: boolean;
    connection: string;
    quality: string;
  }[];
}

/** This person's call now. */
export function callOf(p: Person): Promise<CallView | undefined> {
  return p.page.evaluate((direct) => {
    const c = direct ? window.__rtc.direct?.current.value : window.__rtc.client.calls.current.value;
    if (!c) return undefined;
    return {
      id: c.id,
      phase: c.phase,
      outgoing: c.outgoing,
      muted: c.muted,
      camera: c.camera,
      screen: c.screen,
      ...(c.endReason ? { endReason: c.endReason } : {}),
      ...(c.refusal ? { refusal: c.refusal } : {}),
      localLive: c.local?.getTracks().filter((t) => t.readyState === "live").length ?? 0,
      peers: [...c.peers.values()].map((x) => ({
        principalId: x.principalId,
        device: x.device,
        audio: x.audio,
        video: x.video,
        screen: x.screen,
        connection: x.connection,
        quality: x.quality,
      })),
    };
  }, p.direct === true);
}

/** Waits until this person's call satisfies `test` (polled), and returns it. */
export async function until(
  p: Person,
  test: (call: CallView | undefined) => boolean,
  what: string,
  timeout = 20_000,
): Promise<CallView | undefined> {
  const deadline = Date.now() + timeout;
  let last: CallView | undefined;
  while (Date.now() < deadline) {
    last = await callOf(p);
    if (test(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(last)}`);
}

/** Waits until the call rings on this person's device; returns its id. */
export async function ringing(p: Person, callId: string): Promise<void> {
  await p.page.waitForFunction((id) => window.__rtc.client.calls.incoming.value.some((c) => c.id === id), callId, {
    timeout: 20_000,
  });
}

/** Inbound media of the person's open connections. */
export function inbound(p: Person) {
  return p.page.evaluate(() => window.__rtc.inbound());
}

/** The call's record on this person's board, as plain data. */
export function recordOf(p: Person, convId: string, callId: string) {
  return p.page.evaluate(
    ([conv, id]) => {
      const r = window.__rtc.client.calls.board(conv as string).value.calls.get(id as string);
      return r && { state: r.state, outcome: r.outcome, durationMs: r.durationMs, participants: r.participants.length };
    },
    [convId, callId],
  );
}

/** Opens a conversation as this (customer) person, with a first message; returns its id. */
export function openConversation(p: Person, text: string): Promise<string> {
  return p.page.evaluate(async (t) => {
    const client = window.__rtc.client;
    const conv = await client.openConversation();
    await client.send(conv.id, t);
    return conv.id;
  }, text);
}

/** Loads a conversation on this person's client (so its calls ring here). */
export async function load(p: Person, convId: string): Promise<void> {
  await p.page.evaluate((id) => window.__rtc.client.loadConversation(id).then(() => undefined), convId);
}

/** Starts a call (on the page's direct engine, made with `ringMs`, for a direct person); returns its id. */
export function start(p: Person, convId: string, media: "audio" | "video", ringMs = 60_000): Promise<string> {
  return p.page.evaluate(
    async ({ id, m, direct, ring }) => {
      const calls = direct ? window.__rtc.directEngine(ring) : window.__rtc.client.calls;
      return (await calls.start(id, m)).id;
    },
    { id: convId, m: media, direct: p.direct === true, ring: ringMs },
  );
}

/** Accepts a call. */
export async function accept(p: Person, callId: string): Promise<void> {
  await p.page.evaluate(async (id) => {
    await window.__rtc.client.calls.accept(id);
  }, callId);
}

/** Hangs up. */
export async function hangUp(p: Person): Promise<void> {
  await p.page.evaluate(() => window.__rtc.client.calls.hangUp());
}

/** Brings a customer into a customer's conversation by handle (profile handle, invite, accept, load). */
export async function invite(owner: Person, convId: string, invitee: Person, handle: string): Promise<void> {
  await invitee.page.evaluate((h) => window.__rtc.client.updateProfile({ handle: h }), handle);
  const invited = invitee.page.evaluate(
    () => new Promise<string>((resolve) => window.__rtc.client.on("invite", (i) => resolve(i.id))),
  );
  await owner.page.evaluate(([id, h]) => window.__rtc.client.invite(id as string, `@${h}`), [convId, handle]);
  await invitee.page.evaluate((id) => window.__rtc.client.acceptInvite(id), await invited);
  await load(invitee, convId);
}
