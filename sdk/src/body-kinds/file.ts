/** `file`: an encrypted file (see `ParleyClient.sendFile`), with an optional caption. Anyone may send it. */
import type { MessageBody } from "../codec.js";
import { type FileRef, fileRefProblem } from "../protocol/files.js";
import { defineBodyKind } from "./body-kind.js";

/** Longest caption on a file message. */
export const MAX_CAPTION_CHARS = 4000;

export const fileKind = defineBodyKind<Extract<MessageBody, { type: "file" }>>({
  type: "file",
  schema: (z) =>
    z.object({
      type: z.literal("file"),
      file: z.custom<FileRef>((value) => fileRefProblem(value) === undefined, "not a file reference"),
      caption: z.string().max(MAX_CAPTION_CHARS).optional(),
    }),
  senders: "any",
});
