import "@shopify/shopify-api/adapters/web-api";
import {
  ApiVersion,
  LogSeverity,
  WebhookValidationErrorReason,
  shopifyApi,
  type WebhookValidation,
} from "@shopify/shopify-api";
import { config } from "~/config.server";

// The library's own webhook validation, without the Remix wrapper's offline-session load: the
// intake route needs the HMAC check and the headers, not a session, and answers many times a
// second. The same API key and secret as shopify.server.
let api: ReturnType<typeof createApi> | undefined;

function createApi() {
  const env = config();
  return shopifyApi({
    apiKey: env.SHOPIFY_API_KEY,
    apiSecretKey: env.SHOPIFY_API_SECRET,
    apiVersion: ApiVersion.October26,
    hostName: new URL(env.SHOPIFY_APP_URL).host,
    isEmbeddedApp: true,
    scopes: env.SCOPES,
    logger: { level: LogSeverity.Error },
  });
}

export type VerifiedDelivery = Extract<WebhookValidation, { valid: true }>;

/** Verifies a delivery's HMAC and headers; the result says why when it is not valid. */
export async function verifyWebhook(
  rawBody: string,
  request: Request,
): Promise<
  { ok: true; delivery: VerifiedDelivery } | { ok: false; status: 400 | 401; reason: string }
> {
  api ??= createApi();
  const check = await api.webhooks.validate({ rawBody, rawRequest: request });
  if (check.valid) return { ok: true, delivery: check };
  if (check.reason === WebhookValidationErrorReason.InvalidHmac) {
    return { ok: false, status: 401, reason: "invalid HMAC signature" };
  }
  const missing = "missingHeaders" in check ? `: ${check.missingHeaders.join(", ")}` : "";
  return { ok: false, status: 400, reason: `${check.reason}${missing}` };
}
