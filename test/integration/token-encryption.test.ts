import { Session } from "@shopify/shopify-api";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { sessionStorage } from "~/shopify.server";
import { encryptToken, keysFrom } from "~/shopify/token-crypto.server";
import { reencryptTokens } from "~/shopify/token-reencrypt.server";

const keys = keysFrom({
  TOKEN_ENCRYPTION_KEY: process.env.TOKEN_ENCRYPTION_KEY,
  TOKEN_ENCRYPTION_OLD_KEYS: process.env.TOKEN_ENCRYPTION_OLD_KEYS,
});
const shop = "token-encryption.myshopify.com";

describe("tokens at rest", () => {
  it("stores access and refresh tokens encrypted and reads them back", async () => {
    const session = new Session({
      id: `offline_${shop}`,
      shop,
      state: "",
      isOnline: false,
      accessToken: "shpat_plain_secret_1",
      refreshToken: "shprt_plain_secret_1",
    });
    await sessionStorage.storeSession(session);
    const row = await prisma.session.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.accessToken).toMatch(/^enc:v1:/);
    expect(row.accessToken).not.toContain("shpat_plain_secret_1");
    expect(row.refreshToken).not.toContain("shprt_plain_secret_1");
    const loaded = await sessionStorage.loadSession(session.id);
    expect(loaded?.accessToken).toBe("shpat_plain_secret_1");
    expect(loaded?.refreshToken).toBe("shprt_plain_secret_1");
    expect((await sessionStorage.findSessionsByShop(shop))[0].accessToken).toBe(
      "shpat_plain_secret_1",
    );
  });

  it("detects tampering", async () => {
    const sealed = encryptToken("shpat_x", keys);
    const parts = sealed.split(":");
    parts[4] = Buffer.from("other").toString("base64url");
    await prisma.session.create({
      data: { id: `tampered_${shop}`, shop, state: "", accessToken: parts.join(":") },
    });
    await expect(sessionStorage.loadSession(`tampered_${shop}`)).rejects.toThrow();
    await prisma.session.delete({ where: { id: `tampered_${shop}` } });
  });

  it("reads plain-text and old-key tokens, and re-encrypts them under the current key", async () => {
    const oldKeyOnly = { current: keys.old[0], old: [] };
    await prisma.session.createMany({
      data: [
        { id: `legacy_${shop}`, shop, state: "", accessToken: "shpat_legacy" },
        {
          id: `rotated_${shop}`,
          shop,
          state: "",
          accessToken: encryptToken("shpat_rotated", oldKeyOnly),
          refreshToken: encryptToken("shprt_rotated", oldKeyOnly),
        },
      ],
    });
    expect((await sessionStorage.loadSession(`legacy_${shop}`))?.accessToken).toBe("shpat_legacy");
    expect((await sessionStorage.loadSession(`rotated_${shop}`))?.accessToken).toBe(
      "shpat_rotated",
    );

    expect(await reencryptTokens(prisma, keys)).toBeGreaterThanOrEqual(2);
    expect(await reencryptTokens(prisma, keys)).toBe(0);
    // Without the old key, the rotated session still reads: it is under the current one now.
    const currentOnly = { current: keys.current, old: [] };
    const rows = await prisma.session.findMany({ where: { shop } });
    for (const row of rows) {
      expect(row.accessToken).toMatch(/^enc:v1:/);
      expect(encryptToken("x", currentOnly).split(":")[2]).toBe(row.accessToken.split(":")[2]);
    }
  });
});
