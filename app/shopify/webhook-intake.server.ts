import express, { type Router } from "express";
import { logger } from "~/logger.server";
import { verifyWebhook } from "./webhook-verifier.server";
import { acceptWebhook } from "./webhooks.server";

// Shopify caps a webhook body well below this; a larger one is not Shopify.
const MAX_BODY = "5mb";

/**
 * POST /webhooks: every topic in shopify.app.toml arrives here. Verify, record, queue, answer;
 * the work itself happens in the webhooks worker, far from Shopify's 5-second limit.
 *
 * It is an Express route in front of Remix rather than a Remix action: it answers hundreds of
 * times a second, and Remix's per-request routing and Fetch API conversion cost more CPU than
 * the rest of the intake together (see docs/benchmarks.md).
 */
export function webhookIntake(): Router {
  const router = express.Router();
  router.post("/webhooks", express.raw({ type: () => true, limit: MAX_BODY }), (req, res) => {
    const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verified = verifyWebhook(rawBody, (name) => req.get(name));
    if (!verified.ok) {
      res.status(verified.status).json({ error: verified.reason });
      return;
    }
    const { delivery } = verified;
    acceptWebhook({
      shop: delivery.domain,
      topic: delivery.topic,
      webhookId: delivery.webhookId,
      apiVersion: delivery.apiVersion,
      eventId: delivery.eventId,
      triggeredAt: delivery.triggeredAt,
      rawBody: rawBody.toString("utf8"),
    }).then(
      (accepted) => res.status(accepted.status).json(accepted.body),
      (error: unknown) => {
        // Not acknowledged, so Shopify delivers it again later: nothing is lost.
        logger.error({ err: error, shop: delivery.domain }, "webhook not recorded");
        res.status(503).json({ error: "the delivery could not be recorded; retry later" });
      },
    );
  });
  router.all("/webhooks", (_req, res) => {
    res.status(405).set("Allow", "POST").end();
  });
  return router;
}
