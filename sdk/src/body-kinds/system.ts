/** `system`: a line in the timeline in the shop's voice ("Alex joined"); only the shop's team sends it. */
import { z } from "zod";
import { defineBodyKind } from "./body-kind.js";

export const systemKind = defineBodyKind({
  type: "system",
  schema: z.object({ type: z.literal("system"), text: z.string() }),
  senders: ["agent", "bot"],
});
