/**
 * What the composer's send takes (the trimmed text, the attachments not yet
 * on their way, and the handle the invite rule invites, if any), and the
 * invite confirmation it waits for then: the panel (`panels/invite-dialog.ts`,
 * with its strings) is loaded on demand, so the chat's first load does not
 * carry it.
 */
import type { InviteInfo } from "@parley/sdk";
import { translator } from "../i18n/index.js";
import type { InviteRequest } from "../panels/invite-dialog.js";
import { sendable } from "./attachment-tray.js";
import type { Attachment } from "./composer-uploads.js";
import { inviteTarget, type Mentionable } from "./invite-target.js";
import { kit } from "./panel-kit.js";

/** One send: its text (trimmed, maybe empty), its files, and whom the invite rule invites first. */
export interface Outgoing {
  text: string;
  files: Attachment[];
  /** The handle (without `@`) to invite before sending, under the invite rule. */
  handle: string | undefined;
}

/** The send for what the composer holds; undefined when there is nothing to send (blank text and no file). */
export function outgoing(
  typed: string,
  attachments: readonly Attachment[],
  mentionable: readonly Mentionable[],
): Outgoing | undefined {
  const text = typed.trim();
  const files = sendable(attachments);
  if (text === "" && files.length === 0) return undefined;
  return { text, files, handle: text ? inviteTarget(text, mentionable) : undefined };
}

/**
 * Looks the handle up and asks for confirmation in the invite panel inside `root`. Resolves with the
 * invite once sent; with an error to show when the lookup failed or the panel's code could not be
 * fetched (said as offline); with neither when the person cancelled.
 */
export async function confirmInvite(
  root: HTMLElement | DocumentFragment,
  request: InviteRequest,
): Promise<{ invite?: InviteInfo; error?: string }> {
  try {
    const panel = await import("../panels/invite-dialog.js");
    return await panel.confirmInvite(kit, root, request);
  } catch {
    return { error: translator(request.locale).t("status.offline") };
  }
}
