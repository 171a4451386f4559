import { pino } from "pino";

/** One structured logger for web and workers; level from LOG_LEVEL. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: process.env.PROPEL_SERVICE ?? "web" },
});
