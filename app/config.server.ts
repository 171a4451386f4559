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
    // The same for recompute jobs. The segmentation engine runs on the worker's event loop, so
    // BullMQ cannot renew the lock while it fits and scores (seconds at 1M customers, longer on a
    // loaded machine): the lock must outlast that, or the job is taken for stalled and run twice.
    WORKER_RECOMPUTE_LOCK_DURATION_MS: z.coerce.number().int().min(1000).default(300_000),
    // The recovery sweep (app/jobs/recovery.server.ts): how often it runs, and how old a
    // delivery still RECEIVED must be before its job is put back.
    RECOVERY_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
    DELIVERY_GRACE_MS: z.coerce.number().int().min(0).default(60_000),

    // The ops pages' credentials: per-user scrypt hashes (OPS_USERS, `npm run ops:hash-password`)
    // or one shared user (OPS_USERNAME / OPS_PASSWORD).
    OPS_USERS: z
      .string()
      .regex(
        /^[^:,\s]+:scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+(,[^:,\s]+:scrypt\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+)*$/,
        "must be user:scrypt$salt$hash entries separated by commas (npm run ops:hash-password)",
      )
      .optional(),
    OPS_USERNAME: z.string().min(1).optional(),
    OPS_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),

    // AES-256-GCM key for the access and refresh tokens at rest: 32 bytes, base64 or hex.
    // Older keys, comma-separated, still decrypt during a rotation (docs/privacy.md).
    TOKEN_ENCRYPTION_KEY: z
      .string()
      .refine(isKey, "must be 32 bytes as base64 (44 characters) or hex (64 characters)")
      .optional(),
    TOKEN_ENCRYPTION_OLD_KEYS: z
      .string()
      .refine(
        (value) => value.split(",").every((key) => isKey(key.trim())),
        "must be comma-separated 32-byte keys (base64 or hex)",
      )
      .optional(),

    // Local development only: the store simulator that stands in for Shopify.
    SIMULATOR_URL: z.url().optional(),
    APP_BRIDGE_URL: z.url().optional(),
    // Benchmarks only: the production build measured against the simulator (Shopify's own
    // App Bridge and API are not reachable from the benchmark machine). Deliberately long and
    // explicit, so no deployment sets it by accident.
    SIMULATOR_IN_PRODUCTION_FOR_BENCHMARKS: z.literal("yes").optional(),
  })
  .superRefine((config, ctx) => {
    const production = config.NODE_ENV === "production";
    const simulatorRefused = production && config.SIMULATOR_IN_PRODUCTION_FOR_BENCHMARKS !== "yes";
    if (simulatorRefused && config.SIMULATOR_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["SIMULATOR_URL"],
        message: "must not be set in production: Shopify traffic would go to the simulator",
      });
    }
    // Even for a benchmark, only a simulator on this machine: the opt-in must never be a way
    // to load a script from elsewhere into the admin.
    if (production && !simulatorRefused) {
      for (const key of ["SIMULATOR_URL", "APP_BRIDGE_URL"] as const) {
        const value = config[key];
        if (value && !["127.0.0.1", "localhost", "[::1]"].includes(new URL(value).hostname))
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: "must point at this machine (127.0.0.1) when the simulator runs in production",
          });
      }
    }
    if (simulatorRefused && config.APP_BRIDGE_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["APP_BRIDGE_URL"],
        message:
          "must not be set in production: every merchant's admin would load its script instead of Shopify's App Bridge",
      });
    }
    if (!config.OPS_USERS && !(config.OPS_USERNAME && config.OPS_PASSWORD)) {
      ctx.addIssue({
        code: "custom",
        path: [config.OPS_USERNAME ? "OPS_PASSWORD" : "OPS_USERS"],
        message:
          "is required: the ops pages need OPS_USERS (per-user hashes) or OPS_USERNAME and OPS_PASSWORD",
      });
    }
    if (production && config.OPS_PASSWORD && passwordBits(config.OPS_PASSWORD) < 80) {
      ctx.addIssue({
        code: "custom",
        path: ["OPS_PASSWORD"],
        message:
          "is too weak for production (at least 80 bits: e.g. 16 random letters and digits); prefer OPS_USERS",
      });
    }
    if (production && !config.TOKEN_ENCRYPTION_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["TOKEN_ENCRYPTION_KEY"],
        message: "is required in production: access tokens are encrypted at rest with it",
      });
    }
  });

/** A 32-byte key written as base64 or hex. */
function isKey(value: string): boolean {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return true;
  return /^[A-Za-z0-9+/]{43}=?$/.test(value) && Buffer.from(value, "base64").length === 32;
}

/**
 * A rough upper bound of a password's entropy: its length times the bits of the character
 * classes it uses. It refuses what is short or drawn from few characters, nothing more.
 */
export function passwordBits(password: string): number {
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/];
  const sizes = [26, 26, 10, 33];
  const alphabet = classes.reduce((sum, re, i) => sum + (re.test(password) ? sizes[i] : 0), 0);
  const distinct = new Set(password).size;
  return Math.min(password.length, distinct * 2) * Math.log2(Math.max(alphabet, 2));
}

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
