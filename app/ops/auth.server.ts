import {
  createHash,
  scrypt,
  timingSafeEqual,
  type BinaryLike,
  type ScryptOptions,
} from "node:crypto";
import { config } from "~/config.server";
import { redis } from "~/jobs/producer.server";
import { logger } from "~/logger.server";

function equal(a: string | Buffer, b: string | Buffer): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

// scrypt's cost: ~50 ms a check, far too slow to guess passwords with, fast enough for a login.
export const SCRYPT = { N: 16_384, r: 8, p: 1, keylen: 32 } as const;

function scryptAsync(
  password: BinaryLike,
  salt: BinaryLike,
  keylen: number,
  options: ScryptOptions,
) {
  return new Promise<Buffer>((resolve, reject) =>
    scrypt(password, salt, keylen, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** An OPS_USERS entry for a user and password: `user:scrypt$<salt>$<hash>`, base64. */
export async function hashOpsPassword(
  user: string,
  password: string,
  salt: Buffer,
): Promise<string> {
  const { keylen, ...options } = SCRYPT;
  const key = await scryptAsync(password, salt, keylen, options);
  return `${user}:scrypt$${salt.toString("base64")}$${key.toString("base64")}`;
}

function opsUsers(): Map<string, { salt: Buffer; hash: Buffer }> {
  const users = new Map<string, { salt: Buffer; hash: Buffer }>();
  for (const entry of (config().OPS_USERS ?? "").split(",").filter(Boolean)) {
    const [user, encoded] = [
      entry.slice(0, entry.indexOf(":")),
      entry.slice(entry.indexOf(":") + 1),
    ];
    const [, salt, hash] = encoded.split("$");
    users.set(user, { salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") });
  }
  return users;
}

// A browser sends the credentials with every request: each verified pair is remembered for a
// while (as a hash) so that scrypt runs once per login, not once per request.
const verified = new Map<string, number>();
const VERIFIED_FOR_MS = 10 * 60_000;

async function validCredentials(user: string, password: string): Promise<boolean> {
  const { OPS_USERNAME, OPS_PASSWORD } = config();
  const users = opsUsers();
  const known = users.get(user);
  if (known) {
    const memo = createHash("sha256").update(`${user}\0${password}`).digest("base64");
    if ((verified.get(memo) ?? 0) > Date.now()) return true;
    const { keylen: _keylen, ...options } = SCRYPT;
    const key = await scryptAsync(password, known.salt, known.hash.length, options);
    if (!equal(key, known.hash)) return false;
    verified.set(memo, Date.now() + VERIFIED_FOR_MS);
    return true;
  }
  if (OPS_USERNAME && OPS_PASSWORD && !users.has(OPS_USERNAME))
    return equal(user, OPS_USERNAME) && equal(password, OPS_PASSWORD);
  return false;
}

/**
 * Failed logins are counted per user name in Redis (shared by every web process), and past
 * MAX_FAILURES in FAILURE_WINDOW_S the name is refused, right password or not, until the window
 * ends: guessing gets a handful of tries per quarter hour. Without Redis the count is kept in
 * this process.
 */
export const MAX_FAILURES = 10;
const FAILURE_WINDOW_S = 15 * 60;
const localFailures = new Map<string, { count: number; until: number }>();

const failureKey = (user: string) =>
  `${config().QUEUE_PREFIX}:ops-login-failures:${createHash("sha256").update(user).digest("hex").slice(0, 32)}`;

async function failures(user: string): Promise<number> {
  try {
    return Number((await redis().get(failureKey(user))) ?? 0);
  } catch {
    const local = localFailures.get(user);
    return local && local.until > Date.now() ? local.count : 0;
  }
}

async function recordFailure(user: string): Promise<void> {
  try {
    const key = failureKey(user);
    const count = await redis().incr(key);
    if (count === 1) await redis().expire(key, FAILURE_WINDOW_S);
  } catch {
    const local = localFailures.get(user);
    const fresh = !local || local.until <= Date.now();
    localFailures.set(user, {
      count: fresh ? 1 : local.count + 1,
      until: fresh ? Date.now() + FAILURE_WINDOW_S * 1000 : local.until,
    });
  }
}

const challenge = () =>
  new Response("Authentication required", {
    status: 401,
    headers: { "WWW-Authenticate": 'Basic realm="Propel ops", charset="UTF-8"' },
  });

/**
 * The ops pages are for support staff, not merchants: they sit outside the embedded admin
 * behind their own HTTP Basic credentials, one per person (OPS_USERS, scrypt hashes) or one
 * shared (OPS_USERNAME / OPS_PASSWORD), served over HTTPS in production. Throws a 401 challenge
 * unless the request carries valid ones, and a 429 while the user name is locked out.
 */
export async function requireOpsUser(request: Request): Promise<string> {
  const header = request.headers.get("Authorization") ?? "";
  const [scheme, encoded] = header.split(" ");
  if (scheme !== "Basic" || !encoded) throw challenge();
  const decoded = Buffer.from(encoded, "base64").toString("utf8");
  const separator = decoded.indexOf(":");
  if (separator <= 0) throw challenge();
  const user = decoded.slice(0, separator).slice(0, 100);
  const password = decoded.slice(separator + 1);
  if ((await failures(user)) >= MAX_FAILURES) {
    throw new Response("Too many failed logins; try again later", {
      status: 429,
      headers: { "Retry-After": String(FAILURE_WINDOW_S) },
    });
  }
  if (await validCredentials(user, password)) return user;
  await recordFailure(user);
  logger.warn({ opsUser: user }, "ops login failed");
  throw challenge();
}

const forbidden = () =>
  new Response("Ops actions must be posted from the ops pages", {
    status: 403,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });

/**
 * Browsers attach remembered Basic credentials to any request to this host, so another site
 * could make a signed-in support agent's browser post a form that retries, removes or queues
 * jobs. Browsers say where a post comes from in Sec-Fetch-Site (and Origin): anything but this
 * site is refused. Clients that send neither (curl, scripts) are not browsers and cannot be
 * tricked into posting.
 */
function requireSameOrigin(request: Request): void {
  const site = request.headers.get("Sec-Fetch-Site");
  if (site !== null && site !== "same-origin") throw forbidden();
  const origin = request.headers.get("Origin");
  if (origin === null) return;
  // Behind a TLS-terminating proxy the request URL may say http while the browser said https:
  // the host is what identifies the site.
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw forbidden(); // "null" (sandboxed frames, privacy redirects) or garbage
  }
  if (host !== new URL(request.url).host) throw forbidden();
}

/** Every ops action (a POST that changes something): the ops credentials, from the ops pages. */
export async function requireOpsAction(request: Request): Promise<string> {
  const user = await requireOpsUser(request);
  requireSameOrigin(request);
  return user;
}
