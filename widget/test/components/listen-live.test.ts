// Listening together against the real stack (gateway, nats-server, end-to-end encryption) in two
// real Chromium sessions (two devices), with real audio: WAV tracks from a real HTTP server on
// 127.0.0.1 configured as the shop's media origin. Mia starts a session from the shop's catalog in
// the picker; Noah, on his own device, joins by keyboard and starts at the current shared position;
// a pause by Mia pauses both; Noah's seek (arrow key), play and next move both; Mia and Noah leave and the
// session ends for both. Joins, leaves and changes leave no line in the timeline. Positions are
// compared with the shared playhead computed from the shared clock (a correctness check with a
// generous tolerance, not a speed measurement: widget/bench/listen-sync.mjs measures that).
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath, type BrowserSession, launchChromium } from "../harness/browser.js";
import { type MediaServer, startMediaServer } from "../harness/media.js";
import { type FixtureEnv, openChat, poll, startFixtureEnv } from "./fixture.js";
import { bar, card, currentConversation, inSync, openPicker, sample } from "./listen-page.js";

/** How far a player may be from the shared position in these checks, ms (see the file comment). */
const TOLERANCE_MS = 500;

async function say(page: Page, line: string): Promise<void> {
  const input = page.locator("parley-composer textarea");
  await input.fill(line);
  await input.press("Enter");
}

describe("listening together between two devices, live", () => {
  let env: FixtureEnv;
  let media: MediaServer;
  let second: BrowserSession;

  beforeAll(async () => {
    env = await startFixtureEnv();
    media = await startMediaServer();
    second = await launchChromium();
  });
  afterAll(async () => {
    await second?.close();
    await media?.close();
    await env?.close();
  });

  it("start, a late join at the shared position, shared pause, seek and next, and the end when both leave", async () => {
    const features = { media: media.media };
    await openChat(env, { encryption: true, agent: true, mode: "agent", features });
    const mia = await openChat(env, { encryption: true, customer: "Mia", features });
    await say(mia, "Shall we listen to something?");
    const convId = await currentConversation(mia);
    await mia.locator("parley-message [data-state=sent]").waitFor();
    const noah = await openChat(env, { encryption: true, customer: "Noah", features, browser: second });
    await noah.evaluate(() => window.__client.updateProfile({ handle: "listen_live_noah" }));
    const invited = noah.evaluate(
      () => new Promise<string>((resolve) => window.__client.on("invite", (i) => resolve(i.id))),
    );
    await mia.evaluate((id) => window.__client.invite(id, "@listen_live_noah"), convId);
    await noah.evaluate((id) => window.__client.acceptInvite(id), await invited);
    await poll(() => noah.evaluate(() => window.__chat.current)).toBe(convId);

    // Mia picks the first two tracks of the catalog and starts.
    const picker = await openPicker(mia);
    await picker.getByLabel("Harbour Lights").check();
    await picker.getByLabel("Meadow Walk").check();
    await picker.locator("[data-action=start]").click();
    await bar(mia).waitFor({ timeout: 20_000 });
    expect(await bar(mia).locator("[data-title]").innerText()).toBe("Harbour Lights");
    await inSync(mia, convId, TOLERANCE_MS, true);
    await poll(() => card(noah).locator("[data-action=join]").count(), 20_000).toBe(1);
    expect((await card(noah).innerText()).replace(/\s+/g, " ")).toContain("Mia started listening together");

    // Noah joins late, by keyboard (Enter on Join is the gesture that allows sound): his first sample
    // while playing is already at the shared position.
    await poll(async () => (await sample(mia, convId))?.expectedMs ?? 0, 20_000).toBeGreaterThan(3_000);
    await card(noah).locator("[data-action=join]").focus();
    await noah.keyboard.press("Enter");
    await bar(noah).waitFor({ timeout: 20_000 });
    let joined: Awaited<ReturnType<typeof sample>>;
    await poll(async () => {
      joined = await sample(noah, convId);
      return !!joined && !joined.paused && joined.elementMs > 0;
    }, 20_000).toBe(true);
    expect(Math.abs((joined?.elementMs ?? 0) - (joined?.expectedMs ?? 0))).toBeLessThanOrEqual(TOLERANCE_MS);
    expect(joined?.expectedMs).toBeGreaterThan(3_000);
    await poll(async () => (await bar(mia).locator("[data-listeners]").innerText()).includes("Noah"), 20_000).toBe(
      true,
    );

    // Mia pauses: both stop, at the same position.
    await bar(mia).locator("[data-action=pause]").click();
    for (const page of [mia, noah]) {
      await poll(() => bar(page).getAttribute("data-playing"), 20_000).toBe("false");
      expect((await inSync(page, convId, TOLERANCE_MS, false)).paused).toBe(true);
    }
    // While paused, Noah seeks 5 s on with the arrow key: both players move exactly there (the
    // shared position stands still while paused). Then Noah plays: both play from there.
    const paused = (await sample(noah, convId))?.expectedMs ?? 0;
    await bar(noah).locator("input[type=range]").press("ArrowRight");
    await poll(async () => (await sample(mia, convId))?.expectedMs, 20_000).toBe(paused + 5_000);
    for (const page of [mia, noah]) {
      const s = await inSync(page, convId, TOLERANCE_MS, false);
      expect(Math.abs(s.elementMs - (paused + 5_000))).toBeLessThanOrEqual(TOLERANCE_MS);
    }
    await bar(noah).locator("[data-action=play]").click();
    for (const page of [mia, noah]) expect((await inSync(page, convId, TOLERANCE_MS, true)).paused).toBe(false);

    // Noah skips to the next track: both play "Meadow Walk".
    await bar(noah).locator("[data-action=next]").click();
    for (const page of [mia, noah]) {
      await poll(() => bar(page).locator("[data-title]").innerText(), 20_000).toBe("Meadow Walk");
      expect((await inSync(page, convId, TOLERANCE_MS, true)).index).toBe(1);
    }
    await mia.screenshot({ path: artifactPath("listen-live-mia.png") });
    await noah.screenshot({ path: artifactPath("listen-live-noah.png") });

    // Both leave: the session ends for both, the bars go, the cards say so; no event left a line.
    await bar(mia).locator("[data-action=leave]").click();
    await poll(() => bar(mia).count(), 20_000).toBe(0);
    await bar(noah).locator("[data-action=leave]").click();
    for (const page of [mia, noah]) {
      await poll(() => card(page).getAttribute("data-state"), 20_000).toBe("ended");
      expect(await card(page).innerText()).toContain("Session ended");
      expect(await bar(page).count()).toBe(0);
      expect(await page.locator("parley-listen-note p").count()).toBe(0);
      expect(
        await page
          .locator("parley-listen-bar")
          .evaluate((el) => (el as unknown as { audio: HTMLAudioElement }).audio.paused),
      ).toBe(true);
    }
  });
});
