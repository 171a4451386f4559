import { z } from "zod";

/**
 * Every setting Propel reads from the environment, validated once at start-up. `.env.example`
 * documents each one; a missing or invalid variable stops the process with a message naming it.
 */
const configSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    // Interface the web server listens on (production: all; development: loopback).
    HOST: z.string().optional(),
    // Web server processes in production; one per core when unset.
    WEB_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
    // Development: another Vite config file for the dev server (the browser tests use one).
    VITE_CONFIG: z.string().optional(),
    LOG_LEVEL: z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])
      .default("info"),

    SHOPIFY_API_KEY: z.string().min(1, "is required (the app's client id)"),
    SHOPIFY_API_SECRET: z.string().min(1, "is required (the app's client secret)"),
    SHOPIFY_APP_URL: z.url({
      message: "must be the app's public URL, e.g. https://propel.example.com",
    }),
    SCOPES: z
      .string()
      .min(1, "is required, e.g. read_customers,write_customers,read_orders")
      .transform((value) => value.split(",").map((scope) => scope.trim())),

    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// connection URL"),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL"),
    QUEUE_PREFIX: z
      .string()
      .regex(/^[a-zA-Z0-9_-]+$/, "may hold letters, digits, '-' and '_' only")
      .default("propel"),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
    // How long a worker's claim on a job lasts without renewal: a job of a worker that died is
    // handed to another worker after about this long.
    WORKER_LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(30_000),

    OPS_USERNAME: z.string().min(1, "is required (credentials of the support ops pages)"),
    OPS_PASSWORD: z.string().min(12, "must be at least 12 characters"),

    // Local development only: the store simulator that stands in for Shopify.
    SIMULATOR_URL: z.url().optional(),
    APP_BRIDGE_URL: z.url().optional(),
  })
  .superRefine((config, ctx) => {
    if (config.NODE_ENV === "production" && config.SIMULATOR_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["SIMULATOR_URL"],
        message: "must not be set in production: Shopify traffic would go to the simulator",
      });
    }
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Parses an environment; throws a ConfigError naming every bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const blanksRemoved = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = configSchema.safeParse(blanksRemoved);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "environment";
    const missing = issue.code === "invalid_type" && blanksRemoved[name] === undefined;
    return missing ? `${name} is missing` : `${name} ${issue.message}`;
  });
  throw new ConfigError(problems);
}

let cached: Config | undefined;

/** The process's configuration, parsed on first use. */
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
