import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileStorage } from "./file-storage.js";

describe("fileStorage", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "parley-file-storage-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps what was set across a new instance (a restart), owner-only, with no temporary file left", async () => {
    const path = join(dir, "state", "keys.json");
    const first = fileStorage(path);
    expect(await first.get("device")).toBeUndefined();
    await first.set("device", "secret-1");
    await first.set("gone", "x");
    await first.delete("gone");
    const second = fileStorage(path);
    expect(await second.get("device")).toBe("secret-1");
    expect(await second.get("gone")).toBeUndefined();
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "state"))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, "state"))).toEqual(["keys.json"]);
  });

  it("writes concurrent sets one after another, none lost", async () => {
    const path = join(dir, "keys.json");
    const storage = fileStorage(path);
    await Promise.all(Array.from({ length: 50 }, (_, i) => storage.set(`k${i}`, `v${i}`)));
    const onDisk = JSON.parse(await readFile(path, "utf8")) as Record<string, string>;
    expect(Object.keys(onDisk)).toHaveLength(50);
    expect(onDisk.k49).toBe("v49");
  });

  it("refuses a file that is not JSON instead of starting over with no keys", async () => {
    const path = join(dir, "keys.json");
    await writeFile(path, "{not json");
    await expect(fileStorage(path).get("device")).rejects.toThrow(SyntaxError);
    expect(await readFile(path, "utf8")).toBe("{not json");
  });
});
