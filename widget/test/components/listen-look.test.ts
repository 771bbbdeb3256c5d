// Listening together for one person, by keyboard, in English and German, against the real stack
// in real Chromium with real audio (WAV tracks from a real HTTP server on 127.0.0.1, the shop's
// media origin): the attach menu opens the picker; a link from an origin the shop does not allow is
// refused in words (and never fetched); an allowed link is measured from its metadata; the session
// starts, pauses and plays by keyboard; a reload of a listener's page stays silent with "Tap to
// resume" until tapped; the starter ends it (one centred line). axe-core finds no serious or
// critical violation with the picker, the card and the bar on screen, in either language.
// Screenshots: widget/test-artifacts/listen-{picker,card-bar}-{en,de}.png.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath } from "../harness/browser.js";
import { type MediaServer, startMediaServer } from "../harness/media.js";
import { type FixtureEnv, openChat, poll, seriousViolations, startFixtureEnv } from "./fixture.js";
import { bar, card, currentConversation, inSync } from "./listen-page.js";

async function say(page: Page, line: string): Promise<void> {
  const input = page.locator("parley-composer textarea");
  await input.fill(line);
  await input.press("Enter");
}

/** Opens the picker from the attach button by keyboard only (ArrowUp opens the menu on its last entry). */
async function pickerByKeyboard(page: Page) {
  await page.locator("parley-composer [part=attach-button]").focus();
  await page.keyboard.press("ArrowUp");
  await poll(() =>
    page.locator("parley-composer [role=menuitem][data-action=listen]").evaluate((el) => el.matches(":focus")),
  ).toBe(true);
  await page.keyboard.press("Enter");
  const dialog = page.locator("parley-listen-picker dialog[open]");
  await dialog.waitFor();
  return dialog;
}

describe("listening together: picker, keyboard, reload, languages", () => {
  let env: FixtureEnv;
  let media: MediaServer;

  beforeAll(async () => {
    env = await startFixtureEnv({ viewport: { width: 480, height: 900 } });
    media = await startMediaServer();
  });
  afterAll(async () => {
    await media?.close();
    await env?.close();
  });

  it("English: refuses a link off the shop's origins, starts and pauses by keyboard, resumes after a reload with a tap", async () => {
    const mia = await openChat(env, { customer: "Mia", features: { media: media.media } });
    const asked: string[] = [];
    mia.on("request", (r) => asked.push(r.url()));
    await say(mia, "Music?");
    const convId = await currentConversation(mia);
    const picker = await pickerByKeyboard(mia);
    expect(await seriousViolations(mia)).toEqual([]);
    await mia.screenshot({ path: artifactPath("listen-picker-en.png") });

    // A link from another origin is refused in words, and nothing is fetched from it.
    await picker.getByLabel("Track link").fill("https://music.example.net/song.mp3");
    await picker.getByLabel("Title", { exact: true }).fill("Elsewhere");
    await picker.locator("[data-action=add-link]").click();
    expect(await picker.locator("[role=alert]").innerText()).toBe(
      `This shop only plays audio from ${media.origin}. Links from https://music.example.net are not allowed.`,
    );
    expect(await picker.locator("ol.queue li").count()).toBe(0);
    expect(asked.filter((u) => u.includes("music.example.net"))).toEqual([]);
    // A link on the shop's origin is measured from its metadata (45 s) and queued with its title.
    await picker.getByLabel("Track link").fill(`${media.origin}/night.wav`);
    await picker.getByLabel("Title", { exact: true }).fill("Night Train (link)");
    await picker.locator("[data-action=add-link]").click();
    await poll(() => picker.locator("ol.queue li").allInnerTexts()).toEqual([
      expect.stringContaining("Night Train (link) · 0:45"),
    ]);

    // Keyboard only: the first catalog track (Space), then Start (Enter).
    await picker.locator("input[type=checkbox]").first().focus();
    await mia.keyboard.press("Space");
    await picker.locator("[data-action=start]").focus();
    await mia.keyboard.press("Enter");
    await bar(mia).waitFor({ timeout: 20_000 });
    expect(await bar(mia).locator("[data-title]").innerText()).toBe("Night Train (link)");
    await inSync(mia, convId, 500, true);
    expect((await card(mia).innerText()).replace(/\s+/g, " ")).toContain("You started listening together");
    expect(await seriousViolations(mia)).toEqual([]);
    await mia.screenshot({ path: artifactPath("listen-card-bar-en.png") });

    // Pause and play again by keyboard.
    await bar(mia).locator("[data-action=pause]").focus();
    await mia.keyboard.press("Space");
    await poll(() => bar(mia).getAttribute("data-playing"), 20_000).toBe("false");
    await bar(mia).locator("[data-action=play]").focus();
    await mia.keyboard.press("Space");
    await poll(() => bar(mia).getAttribute("data-playing"), 20_000).toBe("true");

    // A reload: still a listener, but silent until a tap.
    await mia.reload();
    await mia.waitForFunction(() => window.__client?.status.value.state === "connected", undefined, {
      timeout: 20_000,
    });
    await bar(mia).locator("[data-action=resume]").waitFor({ timeout: 20_000 });
    expect(
      await mia
        .locator("parley-listen-bar")
        .evaluate((el) => (el as unknown as { audio: HTMLAudioElement }).audio.paused),
    ).toBe(true);
    await bar(mia).locator("[data-action=resume]").click();
    await inSync(mia, convId, 500, true);
    await poll(() => bar(mia).locator("[data-action=resume]").count()).toBe(0);

    // The starter ends it for everyone: one centred line, and the card says so.
    await bar(mia).locator("[data-action=end]").click();
    await poll(() => mia.locator("parley-listen-note p").allInnerTexts(), 20_000).toEqual([
      "You ended listening together",
    ]);
    expect(await card(mia).getAttribute("data-state")).toBe("ended");
    expect(await bar(mia).count()).toBe(0);
  });

  it("German: picker, card and bar read German and pass axe", async () => {
    const lea = await openChat(env, { customer: "Lea", locale: "de", features: { media: media.media } });
    await say(lea, "Musik?");
    const convId = await currentConversation(lea);
    const picker = await pickerByKeyboard(lea);
    expect(await picker.locator("h2").innerText()).toBe("Gemeinsam hören");
    expect(await seriousViolations(lea)).toEqual([]);
    await lea.screenshot({ path: artifactPath("listen-picker-de.png") });
    await picker.locator("[data-action=play-all]").click();
    await bar(lea).waitFor({ timeout: 20_000 });
    await inSync(lea, convId, 500, true);
    expect((await card(lea).innerText()).replace(/\s+/g, " ")).toContain("Sie haben das gemeinsame Hören gestartet");
    expect(await bar(lea).locator("[data-action=end]").innerText()).toBe("Für alle beenden");
    expect(await seriousViolations(lea)).toEqual([]);
    await lea.screenshot({ path: artifactPath("listen-card-bar-de.png") });
  });

  it("a shop without media: the attach menu has no Listen together", async () => {
    const ben = await openChat(env, { customer: "Ben" });
    await ben.locator("parley-composer [part=attach-button]").click();
    const items = ben.locator("parley-composer [role=menuitem]");
    await items.first().waitFor();
    const actions = await items.evaluateAll((els) => els.map((e) => e.getAttribute("data-action")));
    expect(actions).toContain("file");
    expect(actions).not.toContain("listen");
  });
});
