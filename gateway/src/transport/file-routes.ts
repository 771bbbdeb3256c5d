/**
 * `POST /v1/files` and `GET /v1/files/:id`: encrypted file blobs. Uploads are
 * streamed into the blob store (never buffered whole), capped at the
 * configured size and rate, and allowed only to members of the conversation
 * (and its shop's team), the same rule as reading its messages. Downloads
 * check the conversation the blob was uploaded to and are always served as an
 * opaque attachment. Errors go to the HTTP app's error middleware.
 */
import { pipeline } from "node:stream/promises";
import { BLOB_ID_PATTERN, type FileUploadResult, idSchema } from "@parley/sdk/protocol";
import express, { type NextFunction, type Request, type Response } from "express";
import type { Logger } from "pino";
import { z } from "zod";
import { GatewayError } from "../errors.js";
import type { Quotas } from "../service/quotas.js";
import { quotaExceeded, type ShopStorage } from "../service/storage.js";
import { isTeamMember } from "../service/team.js";
import { type BlobStore, BlobTooLargeError, newBlobId } from "../store/blobs/index.js";
import type { ConversationRecord, PrincipalRecord, Store } from "../store/port.js";
import { parseInput } from "../validation.js";

export interface FileRoutesDeps {
  blobs: BlobStore;
  store: Store;
  /** The principal an API token stands for while its session is live (SessionFamilies.apiPrincipal). */
  apiPrincipal: (apiToken: string) => Promise<string>;
  log: Logger;
  /** Largest upload in bytes; a bigger one gets 413 `too_large`. */
  maxFileBytes: number;
  /** The shared quotas: each upload takes an `upload` point per principal and per client IP. */
  quotas: Quotas;
  /** The per-shop storage quota: an upload that would pass it gets 413 `quota_exceeded`. */
  storage: ShopStorage;
}

const blobIdSchema = z.string().regex(BLOB_ID_PATTERN, "not a file id");
const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{1,4096})$/;

/** Headers of every download: an opaque attachment that no browser will sniff, render or cache. */
const DOWNLOAD_HEADERS = {
  "Content-Type": "application/octet-stream",
  "X-Content-Type-Options": "nosniff",
  "Cache-Control": "private, no-store",
  "Content-Security-Policy": "default-src 'none'; sandbox",
} as const;

export function createFileRoutes(deps: FileRoutesDeps): express.Router {
  const router = express.Router();

  const principal = async (req: Request): Promise<PrincipalRecord> => {
    const match = BEARER.exec(req.get("authorization") ?? "");
    if (!match?.[1]) throw new GatewayError("unauthorized", "missing bearer token");
    const actor = await deps.store.getPrincipal(await deps.apiPrincipal(match[1]));
    if (!actor) throw new GatewayError("unauthorized", "unknown principal");
    return actor;
  };

  /** Members read a conversation's files, and so does its shop's team; anyone else learns nothing (404). */
  const requireAccess = async (actor: PrincipalRecord, convId: string): Promise<ConversationRecord> => {
    const conv = await deps.store.getConversation(convId);
    const allowed =
      conv !== undefined &&
      (isTeamMember(actor, conv.shopId) || (await deps.store.getMember(convId, actor.id)) !== undefined);
    if (!allowed) throw new GatewayError("not_found", "no such conversation");
    return conv;
  };

  router.post("/", (req: Request, res: Response, next: NextFunction) => {
    /** Whether a write that runs out of room ran out of the shop's quota rather than the file size limit. */
    let overQuota = false;
    (async () => {
      const actor = await principal(req);
      const convId = parseInput(idSchema, req.query.convId);
      if (!req.is("application/octet-stream")) {
        throw new GatewayError("bad_request", "send the file's ciphertext as application/octet-stream");
      }
      const declared = Number(req.get("content-length") ?? Number.NaN);
      if (declared > deps.maxFileBytes) throw tooLarge(deps.maxFileBytes);
      await deps.quotas.take(actor, "upload");
      const conv = await requireAccess(actor, convId);
      // Past the shop's storage quota nothing is written: refused up front when the declared length says
      // so, else the write stops at the room left and is discarded whole.
      const room = await deps.storage.room(conv.shopId);
      if (declared > room || room === 0) throw quotaExceeded();
      overQuota = room < deps.maxFileBytes;
      // Not destroyed when the store stops reading early (too large): the 413 must still reach the client.
      const body = req.iterator({ destroyOnReturn: false }) as AsyncIterable<Uint8Array>;
      const info = await deps.blobs.put(body, {
        id: newBlobId(),
        convId,
        uploader: actor.id,
        shopId: conv.shopId,
        maxBytes: Math.min(deps.maxFileBytes, room),
      });
      deps.storage.count(conv.shopId, info.size);
      const result: FileUploadResult = { id: info.id, size: info.size };
      res.status(201).json(result);
    })().catch((error: unknown) => {
      // The client went away mid-body: the blob store has cleaned up, and there is no one to answer.
      if (req.socket.destroyed) return;
      // Whatever of the body is still on its way is not read: close the connection after answering.
      if (!req.complete) res.set("Connection", "close");
      const tooBig = overQuota ? quotaExceeded() : tooLarge(deps.maxFileBytes);
      next(error instanceof BlobTooLargeError ? tooBig : error);
    });
  });

  router.get("/:id", (req: Request, res: Response, next: NextFunction) => {
    (async () => {
      const actor = await principal(req);
      const id = parseInput(blobIdSchema, req.params.id);
      const convId = parseInput(idSchema, req.query.convId);
      const info = await deps.blobs.stat(id);
      // The same answer for an unknown file, a file of another conversation, and a conversation one cannot read.
      if (!info || info.convId !== convId) throw new GatewayError("not_found", "no such file");
      await requireAccess(actor, convId);
      const opened = await deps.blobs.open(id);
      if (!opened) throw new GatewayError("not_found", "no such file");
      res.status(200).set({
        ...DOWNLOAD_HEADERS,
        "Content-Disposition": `attachment; filename="${id}.bin"`,
        "Content-Length": String(opened.info.size),
      });
      try {
        await pipeline(opened.stream, res);
      } catch (error) {
        // Headers are gone: cutting the connection short is the only way left to say the body is incomplete.
        if (!res.destroyed) res.destroy();
        if ((error as NodeJS.ErrnoException).code !== "ERR_STREAM_PREMATURE_CLOSE") {
          deps.log.warn({ err: error, blob: id }, "file download failed mid-stream");
        }
      }
    })().catch(next);
  });

  return router;
}

function tooLarge(max: number): GatewayError {
  return new GatewayError("too_large", `files are limited to ${max} bytes (encrypted)`);
}
