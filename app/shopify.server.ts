import "@shopify/shopify-app-remix/adapters/node";
import {
  ApiVersion,
  AppDistribution,
  shopifyApp,
  type Session,
} from "@shopify/shopify-app-remix/server";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";
import { config } from "./config.server";
import prisma from "./db.server";
import { EncryptedSessionStorage } from "./shopify/encrypted-session-storage.server";
import { recordInstall } from "./shopify/install.server";
import { keysFrom } from "./shopify/token-crypto.server";
import { routeShopifyTrafficToSimulator } from "./shopify/simulator-fetch.server";

const env = config();

// Must run before any GraphQL client exists: clients capture the fetch function when built.
if (env.SIMULATOR_URL) routeShopifyTrafficToSimulator(env.SIMULATOR_URL);

export const API_VERSION = ApiVersion.October26;

const shopify = shopifyApp({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecretKey: env.SHOPIFY_API_SECRET,
  apiVersion: API_VERSION,
  scopes: env.SCOPES,
  appUrl: env.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  // Tokens encrypted at rest (AES-256-GCM, TOKEN_ENCRYPTION_KEY): docs/privacy.md.
  sessionStorage: new EncryptedSessionStorage(new PrismaSessionStorage(prisma), keysFrom(env)),
  distribution: AppDistribution.AppStore,
  future: {
    // Shopify-managed install with token exchange: no redirect out of the admin on install.
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
  hooks: {
    afterAuth: async ({ session }: { session: Session }) => {
      await recordInstall(session);
    },
  },
});

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;
