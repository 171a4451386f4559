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
      SIMULATOR_URL: "http://127.0.0.1:4100",
    });
    expect(problems).toEqual([
      expect.stringMatching(/^SIMULATOR_URL must not be set in production/),
    ]);
  });

  it("puts the variable names in the error message", () => {
    expect(() => parseConfig({})).toThrowError(/SHOPIFY_API_KEY is missing/);
  });
});
