import type { PrismaClient } from "@prisma/client";
import { decryptToken, encryptToken, isCurrent, type TokenKeys } from "./token-crypto.server";

/**
 * Rewrites every stored token under the current key: tokens stored in plain text before
 * encryption was turned on, and tokens written under a key being rotated out. After it has run,
 * the old key can leave TOKEN_ENCRYPTION_OLD_KEYS. Returns how many sessions were rewritten.
 */
export async function reencryptTokens(prisma: PrismaClient, keys: TokenKeys): Promise<number> {
  if (!keys.current) throw new Error("TOKEN_ENCRYPTION_KEY is not set: nothing to encrypt with");
  const sessions = await prisma.session.findMany({
    select: { id: true, accessToken: true, refreshToken: true },
  });
  let rewritten = 0;
  for (const session of sessions) {
    const stale = (value: string | null) =>
      value !== null && value !== "" && !isCurrent(value, keys);
    if (!stale(session.accessToken) && !stale(session.refreshToken)) continue;
    const again = (value: string | null) =>
      value ? encryptToken(decryptToken(value, keys), keys) : value;
    // Only if unchanged meanwhile: a session stored concurrently is already current.
    const { count } = await prisma.session.updateMany({
      where: {
        id: session.id,
        accessToken: session.accessToken,
        refreshToken: session.refreshToken,
      },
      data: { accessToken: again(session.accessToken)!, refreshToken: again(session.refreshToken) },
    });
    rewritten += count;
  }
  return rewritten;
}
