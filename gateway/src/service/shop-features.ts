/**
 * The schemas of a shop's optional features, checked by the admin API and the
 * shops file alike (shop-admin.ts): its map tile server (`mapTiles`) and its
 * audio for listening together (`media`). Whatever passes here ends up in the
 * chat frame's Content-Security-Policy (widget-routes.ts), so every origin is
 * a bare `scheme://host[:port]` and nothing else.
 */
import { displayNameProblem, idSchema, type MapTiles, type ShopMedia } from "@parley/sdk/protocol";
import { z } from "zod";

/** A storefront or media origin: scheme, host and optional port, nothing more. */
export const originSchema = z
  .string()
  .max(200)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
    } catch {
      return false;
    }
  }, "must be an origin such as https://shop.example (scheme, host, optional port; no path)");

/** Plain `http:` is accepted for these hosts only (development on one machine). */
const LOOPBACK = new Set(["localhost", "127.0.0.1"]);

/** Whether a parsed URL is `https:`, or `http:` on a loopback host. */
function secureOrLoopback(url: URL): boolean {
  return url.protocol === "https:" || (url.protocol === "http:" && LOOPBACK.has(url.hostname));
}

/** One line of plain text shown in the chat: no control, bidi or invisible characters. */
const plainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), "must not contain control characters")
    .refine(
      (s) => displayNameProblem(s) === undefined,
      "must not contain bidi controls, zero-width or other invisible characters",
    );

const PLACEHOLDERS = ["{z}", "{x}", "{y}"] as const;

/** What is wrong with a tile URL template, or undefined when nothing is. */
function tileTemplateProblem(template: string): string | undefined {
  for (const p of PLACEHOLDERS) if (!template.includes(p)) return `must contain ${p} (and {x}, {y}, {z})`;
  const filled = template.replaceAll(/\{[xyz]\}/g, "0");
  if (/[{}]/.test(filled)) return "must use no placeholders but {z}, {x} and {y}";
  let url: URL;
  try {
    url = new URL(filled);
  } catch {
    return "must be an absolute URL such as https://tiles.example/{z}/{x}/{y}.png";
  }
  if (!secureOrLoopback(url)) return "must be https: (http: only on localhost or 127.0.0.1)";
  // The placeholders sit in the path or query: the origin the CSP names is the same for every tile.
  if (!template.startsWith(`${url.origin}/`)) {
    return "must start with its origin (lowercase host, no user name or password, placeholders after the host)";
  }
  if (url.hash) return "must not have a #fragment";
  return undefined;
}

/** A shop's map tile server ({@link MapTiles}). */
export const mapTilesSchema = z.strictObject({
  url: z
    .string()
    .max(500)
    .superRefine((value, ctx) => {
      const problem = tileTemplateProblem(value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
  attribution: plainText(200),
  maxZoom: z.number().int().min(1).max(22).optional(),
}) satisfies z.ZodType<MapTiles>;

/** Three hours: the longest track a catalog may list. */
export const MAX_TRACK_MS = 3 * 60 * 60 * 1000;

const trackSchema = z.strictObject({
  id: idSchema,
  title: plainText(200),
  artist: plainText(200).optional(),
  url: z
    .string()
    .max(2000)
    .refine((value) => {
      try {
        const url = new URL(value);
        return secureOrLoopback(url) && !url.username && !url.password;
      } catch {
        return false;
      }
    }, "must be an https: URL (http: only on localhost or 127.0.0.1)"),
  durationMs: z.number().int().min(1).max(MAX_TRACK_MS),
});

/** The origin of a URL, or "" when it does not parse (its own issue says why). */
function originOf(value: string): string {
  try {
    return new URL(value).origin;
  } catch {
    return "";
  }
}

/** A shop's audio ({@link ShopMedia}): each track on one of `origins`, ids unique. */
export const shopMediaSchema = z
  .strictObject({
    origins: z.array(originSchema).max(20),
    catalog: z.array(trackSchema).max(100),
  })
  .superRefine((media, ctx) => {
    const seen = new Set<string>();
    media.catalog.forEach((track, i) => {
      if (seen.has(track.id)) {
        ctx.addIssue({ code: "custom", path: ["catalog", i, "id"], message: `duplicate track id "${track.id}"` });
      }
      seen.add(track.id);
      const origin = originOf(track.url);
      if (origin && !media.origins.includes(origin)) {
        ctx.addIssue({
          code: "custom",
          path: ["catalog", i, "url"],
          message: "must be on one of media.origins",
        });
      }
    });
  }) satisfies z.ZodType<ShopMedia>;
