import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { loggerOptions } from "~/logger.server";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ ...loggerOptions, level: "info" }, stream), lines };
}

describe("log redaction", () => {
  it("keeps emails, names, addresses, phones and tokens out of log lines", () => {
    const { logger, lines } = capture();
    logger.info(
      {
        shop: "a.myshopify.com",
        email: "top@example.com",
        customer: {
          id: 5,
          email: "ada@example.com",
          firstName: "Ada",
          last_name: "Lovelace",
          phone: "+15550100",
          default_address: { address1: "1 Engine Way" },
        },
        session: { accessToken: "shpat_secret", refreshToken: "shprt_secret" },
        request: { headers: { authorization: "Basic c3VwcG9ydDpwdw==" } },
      },
      "customer synced",
    );
    const line = lines.join("");
    for (const secret of [
      "top@example.com",
      "ada@example.com",
      "Ada",
      "Lovelace",
      "+15550100",
      "1 Engine Way",
      "shpat_secret",
      "shprt_secret",
      "c3VwcG9ydDpwdw==",
    ]) {
      expect(line).not.toContain(secret);
    }
    const parsed = JSON.parse(line) as { shop: string; customer: { id: number; email: string } };
    expect(parsed.shop).toBe("a.myshopify.com");
    expect(parsed.customer).toMatchObject({ id: 5, email: "[redacted]" });
  });
});
