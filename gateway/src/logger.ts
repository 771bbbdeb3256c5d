/** Structured JSON logs (pino). Secrets and anything that could hold content are redacted. */
import { type Logger, pino } from "pino";

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: "parley-gateway" },
    redact: {
      paths: [
        "*.token",
        "*.password",
        "*.refreshToken",
        "*.apiToken",
        "*.jwt",
        "*.envelope",
        "*.authorization",
        "*.credential",
        "*.secret",
      ],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
