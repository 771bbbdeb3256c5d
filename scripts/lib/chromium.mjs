// Finds or installs the Chromium the browser tests drive (through playwright-core).
//
// Order: $CHROMIUM_BIN; /usr/bin/chromium; else Debian's `chromium` package via
// apt-get (the CI machine is fresh each run and has apt but no browser). No
// browser is downloaded from anywhere else: Debian's build is the one the design
// names, and playwright's own download hosts are not reachable here.
import { ensureDebianTool } from "./debian-tool.mjs";

/** Resolves `{bin, version}`; installs Debian's chromium when none is found and apt is usable. */
export function ensureChromium(options = {}) {
  return ensureDebianTool(
    {
      name: "Chromium",
      envVar: "CHROMIUM_BIN",
      bin: "/usr/bin/chromium",
      packages: ["chromium", "fonts-dejavu-core"],
      version: /(\d+\.\d+\.\d+\.\d+)/,
      purpose: "the browser tests",
    },
    options,
  );
}
