import { mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeBlobStoreConformance } from "./conformance.js";
import { FsBlobStore } from "./fs.js";
import { newBlobId } from "./port.js";

async function count(dir: string): Promise<number> {
  let n = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    n += entry.isDirectory() ? await count(join(dir, entry.name)) : 1;
  }
  return n;
}

describeBlobStoreConformance("FsBlobStore", async () => {
  const root = await mkdtemp(join(tmpdir(), "parley-blobs-"));
  const dir = join(root, "blobs");
  const open = async () => {
    const blobs = new FsBlobStore({ dir });
    await blobs.init();
    return blobs;
  };
  const blobs = await open();
  return {
    blobs,
    residue: () => count(dir),
    reopen: open,
    async leaveDeadUpload() {
      // A temp file from two hours ago, and data renamed into place whose record never followed.
      const temp = join(dir, "tmp", `${newBlobId()}.abcdef.part`);
      await writeFile(temp, "partial ciphertext");
      const old = new Date(Date.now() - 2 * 3_600_000);
      await utimes(temp, old, old);
      await writeFile(join(dir, `${newBlobId()}.bin`), "orphaned data");
    },
    async [Symbol.asyncDispose]() {
      await blobs.close();
      await rm(root, { recursive: true, force: true });
    },
  };
});
