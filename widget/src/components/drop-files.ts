/**
 * Files dropped anywhere on `<parley-chat>`'s messages are attached in the
 * composer, as if dropped there (a drop on the composer itself is handled by
 * the composer, which marks the event handled).
 */
import type { ParleyComposer } from "./parley-composer.js";

/** The `dragover` and `drop` listeners for an element whose `composer()` takes the files. */
export function dropFiles(composer: () => ParleyComposer | null | undefined) {
  return {
    over(e: DragEvent): void {
      if ([...(e.dataTransfer?.types ?? [])].includes("Files")) e.preventDefault();
    },
    drop(e: DragEvent): void {
      const files = [...(e.dataTransfer?.files ?? [])];
      if (e.defaultPrevented || files.length === 0) return;
      e.preventDefault();
      composer()?.addFiles(files);
    },
  };
}
