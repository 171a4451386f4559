/**
 * `npm run tokens:reencrypt`: rewrites every stored access and refresh token under
 * TOKEN_ENCRYPTION_KEY (plain-text ones, and ones under a key in TOKEN_ENCRYPTION_OLD_KEYS).
 * Rotation: set the new key as TOKEN_ENCRYPTION_KEY and the old one in
 * TOKEN_ENCRYPTION_OLD_KEYS, deploy, run this, then drop the old key (docs/privacy.md).
 */
import { config } from "~/config.server";
import prisma from "~/db.server";
import { keysFrom } from "~/shopify/token-crypto.server";
import { reencryptTokens } from "~/shopify/token-reencrypt.server";

const rewritten = await reencryptTokens(prisma, keysFrom(config()));
console.log(`${rewritten} session(s) re-encrypted under the current key`);
await prisma.$disconnect();
