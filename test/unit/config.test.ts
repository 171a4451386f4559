import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "~/config.server";

const valid = {
  SHOPIFY_API_KEY: "key",
  SHOPIFY_API_SECRET: "secret",
  SHOPIFY_APP_URL: "https://propel.example.com",
  SCOPES: "read_customers, read_orders",
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/propel",
  REDIS_URL: "redis://127.0.0.1:6379",
  OPS_USERNAME: "support",
  OPS_PASSWORD: "correct horse battery",
};

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("configuration", () => {
  it("accepts a complete environment and applies defaults", () => {
    const config = parseConfig(valid);
    expect(config.SCOPES).toEqual(["read_customers", "read_orders"]);
    expect(config.PORT).toBe(3000);
    expect(config.QUEUE_PREFIX).toBe("propel");
    expect(config.NODE_ENV).toBe("development");
  });

  it("names every missing variable", () => {
    const problems = problemsOf({ ...valid, SHOPIFY_API_SECRET: undefined, DATABASE_URL: "" });
    expect(problems).toContain("SHOPIFY_API_SECRET is missing");
    expect(problems).toContain("DATABASE_URL is missing");
    expect(problems).toHaveLength(2);
  });

  it("explains invalid values", () => {
    const problems = problemsOf({
      ...valid,
      REDIS_URL: "localhost:6379",
      PORT: "seventy",
      OPS_PASSWORD: "short",
    });
    expect(problems.find((p) => p.startsWith("REDIS_URL"))).toMatch(/redis:\/\//);
    expect(problems.find((p) => p.startsWith("OPS_PASSWORD"))).toMatch(/12 characters/);
    expect(problems.some((p) => p.startsWith("PORT"))).toBe(true);
  });

  it("refuses the store simulator in production", () => {
    const problems = problemsOf({
      ...valid,
      NODE_ENV: "production",
      TOKEN_ENCRYPTION_KEY: "a".repeat(64),
      SIMULATOR_URL: "http://127.0.0.1:4100",
    });
    expect(problems).toEqual([
      expect.stringMatching(/^SIMULATOR_URL must not be set in production/),
    ]);
  });

  it("lets a benchmark of the production build use the simulator, and nothing else", () => {
    const simulator = {
      ...valid,
      NODE_ENV: "production",
      SIMULATOR_URL: "http://127.0.0.1:4100",
      APP_BRIDGE_URL: "http://127.0.0.1:4100/app-bridge.js",
      SIMULATOR_IN_PRODUCTION_FOR_BENCHMARKS: "yes",
    };
    expect(problemsOf({ ...simulator, TOKEN_ENCRYPTION_KEY: "a".repeat(64) })).toEqual([]);
    // The other production checks still hold.
    expect(problemsOf(simulator)).toEqual([
      expect.stringMatching(/^TOKEN_ENCRYPTION_KEY is required in production/),
    ]);
    expect(
      problemsOf({
        ...simulator,
        TOKEN_ENCRYPTION_KEY: "a".repeat(64),
        APP_BRIDGE_URL: "https://cdn.example.com/app-bridge.js",
      }),
    ).toEqual([expect.stringMatching(/^APP_BRIDGE_URL must point at this machine/)]);
    expect(problemsOf({ ...simulator, SIMULATOR_IN_PRODUCTION_FOR_BENCHMARKS: "true" })).toEqual(
      expect.arrayContaining([expect.stringMatching(/^SIMULATOR_IN_PRODUCTION/)]),
    );
  });

  it("refuses the simulator's App Bridge in production", () => {
    const problems = problemsOf({
      ...valid,
      NODE_ENV: "production",
      TOKEN_ENCRYPTION_KEY: "a".repeat(64),
      APP_BRIDGE_URL: "http://127.0.0.1:4100/app-bridge.js",
    });
    expect(problems).toEqual([
      expect.stringMatching(/^APP_BRIDGE_URL must not be set in production/),
    ]);
  });

  it("requires the token key and a strong ops password in production", () => {
    const problems = problemsOf({
      ...valid,
      NODE_ENV: "production",
      OPS_PASSWORD: "aaaaaaaaaaaaaaaa",
    });
    expect(problems).toEqual([
      expect.stringMatching(/^OPS_PASSWORD is too weak/),
      expect.stringMatching(/^TOKEN_ENCRYPTION_KEY is required in production/),
    ]);
    expect(
      problemsOf({
        ...valid,
        NODE_ENV: "production",
        OPS_PASSWORD: "k3Vq9xT2mW8pL4zR",
        TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString("base64"),
      }),
    ).toEqual([]);
  });

  it("takes per-user ops credentials instead of the shared one", () => {
    const users = "ada:scrypt$c2FsdA==$aGFzaA==,grace:scrypt$c2FsdA==$aGFzaA==";
    const config = parseConfig({
      ...valid,
      OPS_USERNAME: undefined,
      OPS_PASSWORD: undefined,
      OPS_USERS: users,
    });
    expect(config.OPS_USERS).toBe(users);
    expect(problemsOf({ ...valid, OPS_USERNAME: undefined, OPS_PASSWORD: undefined })).toEqual([
      expect.stringMatching(/^OPS_USERS is required/),
    ]);
    expect(problemsOf({ ...valid, OPS_USERS: "ada:plaintext" })).toEqual([
      expect.stringMatching(/^OPS_USERS must be user:scrypt/),
    ]);
  });

  it("puts the variable names in the error message", () => {
    expect(() => parseConfig({})).toThrowError(/SHOPIFY_API_KEY is missing/);
  });
});
