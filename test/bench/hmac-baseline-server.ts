import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

// The baseline of the webhook benchmark: a bare Node HTTP server that reads the body, checks
// Shopify's HMAC and answers 200 — the least any webhook endpoint must do.
const secret = process.env.SHOPIFY_API_SECRET ?? "";
const port = Number(process.env.PORT ?? 0);

createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const expected = createHmac("sha256", secret).update(Buffer.concat(chunks)).digest();
    const given = Buffer.from(String(request.headers["x-shopify-hmac-sha256"] ?? ""), "base64");
    const valid = given.length === expected.length && timingSafeEqual(given, expected);
    response.writeHead(valid ? 200 : 401).end();
  });
}).listen(port, "127.0.0.1");
