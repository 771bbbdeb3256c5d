/** `file`: an encrypted file (see `ParleyClient.sendFile`), with an optional caption. Anyone may send it. */
import { type FileRef, fileRefProblem } from "../files.js";
import type { MessageBody } from "../message-body.js";
import { defineBodyKind, notABody } from "./body-kind.js";

/** Longest caption on a file message. */
export const MAX_CAPTION_CHARS = 4000;

/** The `file` kind. */
export const fileKind = defineBodyKind<Extract<MessageBody, { type: "file" }>>({
  type: "file",
  parse: (value) => {
    const v = value as { type?: unknown; file?: unknown; caption?: unknown } | null;
    if (v?.type !== "file") throw notABody();
    const problem = fileRefProblem(v.file);
    if (problem) throw new TypeError(`not a file reference: ${problem}`);
    const f = v.file as FileRef;
    const file: FileRef = {
      id: f.id,
      name: f.name,
      mime: f.mime,
      size: f.size,
      sha256: f.sha256,
      key: f.key,
      header: f.header,
      chunkSize: f.chunkSize,
      ...(f.image ? { image: { width: f.image.width, height: f.image.height } } : {}),
    };
    if (v.caption === undefined) return { type: "file", file };
    if (typeof v.caption !== "string" || v.caption.length > MAX_CAPTION_CHARS) throw new TypeError("bad caption");
    return { type: "file", file, caption: v.caption };
  },
  senders: "any",
});
