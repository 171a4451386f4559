import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

/**
 * Access and refresh tokens at rest: AES-256-GCM under TOKEN_ENCRYPTION_KEY, with a random
 * 96-bit nonce per value. A stored value reads `enc:v1:<key id>:<nonce>:<ciphertext>:<tag>`
 * (base64url); the key id (a hash prefix of the key) says which key wrote it, so values written
 * under a key listed in TOKEN_ENCRYPTION_OLD_KEYS still decrypt during a rotation, and
 * `npm run tokens:reencrypt` moves them to the current key. A value without the prefix is a
 * token stored before encryption was turned on: it is read as is, and re-encrypted by the
 * script or the next time the session is stored.
 */
const PREFIX = "enc:v1:";

export interface TokenKeys {
  current: Buffer | null;
  old: Buffer[];
}

/** A 32-byte key from its base64 or hex text. */
export function parseKey(text: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text)
    ? Buffer.from(text, "hex")
    : Buffer.from(text, "base64");
  if (key.length !== 32) throw new Error("a token encryption key must be 32 bytes");
  return key;
}

export function keysFrom(env: {
  TOKEN_ENCRYPTION_KEY?: string;
  TOKEN_ENCRYPTION_OLD_KEYS?: string;
}): TokenKeys {
  return {
    current: env.TOKEN_ENCRYPTION_KEY ? parseKey(env.TOKEN_ENCRYPTION_KEY) : null,
    old: (env.TOKEN_ENCRYPTION_OLD_KEYS ?? "")
      .split(",")
      .map((key) => key.trim())
      .filter(Boolean)
      .map(parseKey),
  };
}

const keyId = (key: Buffer) => createHash("sha256").update(key).digest("base64url").slice(0, 8);

export const isEncrypted = (value: string) => value.startsWith(PREFIX);

/** Whether a stored value is written under the current key (or there is none to write under). */
export function isCurrent(value: string, keys: TokenKeys): boolean {
  if (!keys.current) return !isEncrypted(value);
  return value.startsWith(`${PREFIX}${keyId(keys.current)}:`);
}

export function encryptToken(token: string, keys: TokenKeys): string {
  if (!keys.current) return token;
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keys.current, nonce);
  const sealed = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
  const parts = [keyId(keys.current), nonce, sealed, cipher.getAuthTag()].map((part) =>
    typeof part === "string" ? part : part.toString("base64url"),
  );
  return `${PREFIX}${parts.join(":")}`;
}

export function decryptToken(value: string, keys: TokenKeys): string {
  if (!isEncrypted(value)) return value;
  const [id, nonce, sealed, tag] = value.slice(PREFIX.length).split(":");
  const key = [keys.current, ...keys.old].find((candidate) => candidate && keyId(candidate) === id);
  if (!key)
    throw new Error(`token encrypted under an unknown key (${id}): set TOKEN_ENCRYPTION_OLD_KEYS`);
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(nonce, "base64url"));
  decipher.setAuthTag(Buffer.from(tag, "base64url"));
  return Buffer.concat([
    decipher.update(Buffer.from(sealed, "base64url")),
    decipher.final(),
  ]).toString("utf8");
}
