// Free loopback ports for the test servers: the helper the demo uses too (scripts/lib/ports.mjs).
export { freePort, freePorts, isFree } from "../../../scripts/lib/ports.mjs";
