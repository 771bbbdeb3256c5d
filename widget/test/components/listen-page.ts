// What the listen-together browser tests share: opening the picker from the composer's attach
// menu, the player bar, and reading a page's audio element against the session's shared playhead
// (both read in one evaluate in the page, so they are taken at the same instant).
import type { Locator, Page } from "playwright-core";
import { poll } from "./fixture.js";

/** The player bar's section (present while the viewer listens). */
export const bar = (page: Page): Locator => page.locator("parley-listen-bar [data-listen-bar]");

/** The session card of the conversation. */
export const card = (page: Page): Locator => page.locator("parley-listen-card article[data-kind=listen]");

/** Opens "Listen together" from the attach menu; resolves with the picker's dialog. */
export async function openPicker(page: Page): Promise<Locator> {
  await page.locator("parley-composer [part=attach-button]").click();
  await page.locator("parley-composer [role=menuitem][data-action=listen]").click();
  const dialog = page.locator("parley-listen-picker dialog[open]");
  await dialog.waitFor();
  return dialog;
}

/** Where the page's audio element is, and where the session is on the shared clock, at one instant. */
export interface PlayerSample {
  /** The element's position, ms. */
  elementMs: number;
  /** The element's track URL. */
  src: string;
  paused: boolean;
  /** The shared playhead: track index, position ms, playing. */
  index: number;
  expectedMs: number;
  playing: boolean;
  /** The URL of the playhead's track. */
  expectedSrc: string;
}

/** Samples the page's player against the shared playhead of the conversation's running session. */
export function sample(page: Page, convId: string): Promise<PlayerSample | undefined> {
  return page.evaluate((id) => {
    const session = window.__client.listen.board(id).value.active;
    const el = document.querySelector("parley-chat")?.shadowRoot?.querySelector("parley-listen-bar") as
      | (HTMLElement & { audio: HTMLAudioElement })
      | null;
    if (!session || !el) return undefined;
    const head = window.__playheadAt(session, window.__client.clock.now());
    return {
      elementMs: el.audio.currentTime * 1000,
      src: el.audio.src,
      paused: el.audio.paused,
      index: head.index,
      expectedMs: head.positionMs,
      playing: head.playing,
      expectedSrc: session.queue[head.index]?.url ?? "",
    };
  }, convId);
}

/**
 * Waits until the page's player is on the session's track within `toleranceMs` of the shared
 * position, playing or paused as the session is (and as `playing` says, when given: a change that
 * starts playback holds for a moment before it plays, the start lead).
 */
export async function inSync(page: Page, convId: string, toleranceMs = 500, playing?: boolean): Promise<PlayerSample> {
  let last: PlayerSample | undefined;
  await poll(async () => {
    last = await sample(page, convId);
    return (
      !!last &&
      (playing === undefined || last.playing === playing) &&
      last.src === last.expectedSrc &&
      last.paused === !last.playing &&
      Math.abs(last.elementMs - last.expectedMs) <= toleranceMs
    );
  }, 20_000).toBe(true);
  return last as PlayerSample;
}

/** The conversation shown by the page's chat. */
export const currentConversation = (page: Page): Promise<string> =>
  page.waitForFunction(() => window.__chat.current).then((h) => h.jsonValue() as Promise<string>);
