/**
 * `@parley/widget/testing`: the widget's browser harness for the other
 * packages' tests (the gateway's demo test, the merchant dashboard's tests):
 * Chromium through playwright-core, a static server, the built widget and the
 * helpers that reach into its frame. Resolved from source only (the `source`
 * export condition, which vitest sets): it is never built or published. ADR 0021.
 */
export { chatFrame, ensureWidgetBuilt, exposeLauncherRoot, launcherState, logIn } from "./embed/fixtures.js";
export {
  artifactPath,
  type BrowserOptions,
  type BrowserSession,
  CHROMIUM_ARGS,
  launchChromium,
  MEDIA_ARGS,
  type StaticRoute,
  type StaticServer,
  serveStatic,
} from "./harness/browser.js";
export { type MediaServer, type MediaTrackSpec, startMediaServer, TRACKS, toneWav } from "./harness/media.js";
