/**
 * A shop whose chat storage is full (`PARLEY_SHOP_STORAGE_QUOTA`): the widget
 * says why a message or a file was not sent, in English and German, instead of
 * a bare "Not sent". The shop's stored bytes are raised through the store's
 * usage counter, as a shop's earlier messages and files would have.
 */
import { SHOP_ID } from "@parley/gateway/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { artifactPath } from "../harness/browser.js";
import { type FixtureEnv, openChat, poll, startFixtureEnv } from "./fixture.js";

const QUOTA = 1024 * 1024;

describe("a shop whose chat storage is full", () => {
  let env: FixtureEnv;

  beforeAll(async () => {
    env = await startFixtureEnv({}, { env: { PARLEY_SHOP_STORAGE_QUOTA: String(QUOTA) } });
  });
  afterAll(async () => {
    await env?.close();
  });

  for (const [lang, text, upload] of [
    ["en", "Not sent: this shop's chat storage is full", "note.txt was not sent: this shop's chat storage is full"],
    [
      "de",
      "Nicht gesendet: Der Chat-Speicher dieses Shops ist voll",
      "note.txt wurde nicht gesendet: Der Chat-Speicher dieses Shops ist voll",
    ],
  ] as const) {
    it(`says why a message and a file were not sent (${lang})`, async () => {
      const page = await openChat(env, { locale: lang, customer: `full-${lang}` });
      const input = page.locator("parley-composer textarea");
      await input.fill(lang === "de" ? "Hallo" : "hello");
      await input.press("Enter");
      await page.locator("parley-message [data-state=sent]").waitFor();
      // The shop is full from here on (a gateway reads a shop's total again at most once a second).
      await env.stack.gateway.store.addShopBytes(SHOP_ID, 2 * QUOTA);
      await new Promise((r) => setTimeout(r, 1500));

      await input.fill(lang === "de" ? "noch eine Frage" : "one more question");
      await input.press("Enter");
      const failed = page.locator("parley-message[own] [data-state=failed]");
      await poll(() => failed.textContent()).toBe(text);

      await page
        .locator("parley-composer input[type=file]")
        .setInputFiles({ name: "note.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
      await page.locator("parley-composer [part=send-button]").click();
      const alert = page.locator("parley-composer [part=attachments] .failed");
      await poll(() => alert.textContent()).toBe(upload);
      await page.screenshot({ path: artifactPath(`storage-full-${lang}.png`) });
      expect(await alert.getAttribute("role")).toBe("alert");
      // Reset for the next language: the counter goes back down by what was added.
      await env.stack.gateway.store.addShopBytes(SHOP_ID, -2 * QUOTA);
      await new Promise((r) => setTimeout(r, 1500));
      await page.close();
    });
  }
});
