// The invite confirmation and the members panel in the real chat frame (the
// built widget on a storefront, real gateway, nats-server and Chromium): their
// code is fetched only when they are used, never before the first message,
// and they work from there (the panel lists the customer as owner; the
// confirmation opens for an @handle and Escape cancels it).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatFrame, type EmbedSession, exposeLauncherRoot, logIn, startEmbedSession } from "./fixtures.js";

const META = fileURLToPath(new URL("../../dist/build-meta.json", import.meta.url));

/** The built chunk whose entry point is this source module. */
function chunkOf(source: RegExp): string {
  const meta = JSON.parse(readFileSync(META, "utf8")) as { outputs: Record<string, { entryPoint?: string }> };
  const hit = Object.entries(meta.outputs).find(([, o]) => source.test(o.entryPoint ?? ""));
  if (!hit) throw new Error(`no chunk for ${source}`);
  return hit[0];
}

describe("panels on demand in the chat frame", () => {
  let session: EmbedSession;

  beforeAll(async () => {
    session = await startEmbedSession();
  });
  afterAll(async () => {
    await session?.[Symbol.asyncDispose]();
  });

  it("fetches the members panel and the invite confirmation only when they are opened", async () => {
    const membersChunk = chunkOf(/src\/panels\/members-panel\.ts$/);
    const dialogChunk = chunkOf(/src\/panels\/invite-dialog\.ts$/);
    const zoe = session.embed.stack.customer("Zoe");
    await zoe.connect();
    await zoe.updateProfile({ handle: "zoe" });
    const page = await session.browser.newPage();
    await exposeLauncherRoot(page);
    const fetched: string[] = [];
    page.on("request", (r) => {
      const path = new URL(r.url()).pathname;
      if (path.startsWith("/widget/frame/")) fetched.push(path.slice(14));
    });
    await logIn(page, session.embed.storefront, "Mia");
    await page.hover("parley-launcher");
    const frame = await chatFrame(page);
    await page.click("parley-launcher");
    const composer = frame.getByRole("textbox").first();
    await composer.fill("hello, who is here?");
    await composer.press("Enter");
    await frame.getByText("hello, who is here?").waitFor();
    expect(fetched).not.toContain(membersChunk);
    expect(fetched).not.toContain(dialogChunk);

    await frame.getByRole("button", { name: "Members" }).click();
    await frame.getByRole("heading", { name: "People in this conversation" }).waitFor();
    expect(fetched).toContain(membersChunk);
    expect(fetched).not.toContain(dialogChunk);
    const row = frame.locator("parley-members-panel [data-member]");
    await expect
      .poll(() => row.allTextContents(), { timeout: 15_000 })
      .toEqual([expect.stringMatching(/Mia \(you\)\s*Owner\s*Leave/)]);
    await frame.getByRole("button", { name: "Back to chat" }).click();

    await composer.fill("@zoe are you there?");
    await composer.press("Enter");
    await frame.getByRole("dialog", { name: "Invite @zoe?" }).waitFor();
    expect(fetched).toContain(dialogChunk);
    await page.keyboard.press("Escape");
    await frame.getByRole("dialog").waitFor({ state: "hidden" });
    expect(await composer.inputValue()).toBe("@zoe are you there?");
    await page.close();
    await zoe.close();
  });
});
