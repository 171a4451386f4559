import { Session } from "@shopify/shopify-api";
import type { SessionStorage } from "@shopify/shopify-app-session-storage";
import { decryptToken, encryptToken, type TokenKeys } from "./token-crypto.server";

/**
 * Wraps the library's session storage so that the access and refresh tokens are encrypted
 * before they are written and decrypted after they are read (app/shopify/token-crypto.server).
 * Everything else in the session is stored as the library stores it.
 */
export class EncryptedSessionStorage implements SessionStorage {
  constructor(
    private readonly inner: SessionStorage,
    private readonly keys: TokenKeys,
  ) {}

  private transform(session: Session, apply: (value: string) => string): Session {
    const params = session.toObject();
    if (params.accessToken) params.accessToken = apply(params.accessToken);
    if (params.refreshToken) params.refreshToken = apply(params.refreshToken);
    return new Session(params);
  }

  private sealed = (session: Session) =>
    this.transform(session, (value) => encryptToken(value, this.keys));

  private opened = (session: Session) =>
    this.transform(session, (value) => decryptToken(value, this.keys));

  storeSession(session: Session): Promise<boolean> {
    return this.inner.storeSession(this.sealed(session));
  }

  async loadSession(id: string): Promise<Session | undefined> {
    const session = await this.inner.loadSession(id);
    return session && this.opened(session);
  }

  deleteSession(id: string): Promise<boolean> {
    return this.inner.deleteSession(id);
  }

  deleteSessions(ids: string[]): Promise<boolean> {
    return this.inner.deleteSessions(ids);
  }

  async findSessionsByShop(shop: string): Promise<Session[]> {
    return (await this.inner.findSessionsByShop(shop)).map(this.opened);
  }
}
