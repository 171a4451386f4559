import { pino, type LoggerOptions } from "pino";

// Personal data and secrets never reach a log line, whatever object is logged: a customer, an
// order, a webhook body, a session or request headers. Matched at the top level and one or two
// levels down (pino's paths take one wildcard per segment).
const SENSITIVE = [
  "email",
  "phone",
  "firstName",
  "lastName",
  "first_name",
  "last_name",
  "address",
  "address1",
  "address2",
  "addresses",
  "default_address",
  "billing_address",
  "shipping_address",
  "contact_email",
  "customer_email",
  "accessToken",
  "refreshToken",
  "access_token",
  "refresh_token",
  "token",
  "password",
  "authorization",
  "Authorization",
  "cookie",
  "payload",
];

/** The logger's options, exported so tests can check what a line would hold. */
export const loggerOptions: LoggerOptions = {
  level: process.env.LOG_LEVEL ?? "info",
  base: { service: process.env.PROPEL_SERVICE ?? "web" },
  redact: {
    paths: SENSITIVE.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
    censor: "[redacted]",
  },
};

/** One structured logger for web and workers; level from LOG_LEVEL. */
export const logger = pino(loggerOptions);
