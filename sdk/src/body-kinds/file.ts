/** `file`: an encrypted file (see `ParleyClient.sendFile`), with an optional caption. Anyone may send it. */
import { z } from "zod";
import { type FileRef, fileRefProblem } from "../protocol/files.js";
import { defineBodyKind } from "./body-kind.js";

/** Longest caption on a file message. */
export const MAX_CAPTION_CHARS = 4000;

const fileRef = z.custom<FileRef>((value) => fileRefProblem(value) === undefined, "not a file reference");

export const fileKind = defineBodyKind({
  type: "file",
  schema: z.object({
    type: z.literal("file"),
    file: fileRef,
    caption: z.string().max(MAX_CAPTION_CHARS).optional(),
  }),
  senders: "any",
});
