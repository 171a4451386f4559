/**
 * `npm run ops:hash-password -- <user>`: reads a password from stdin (or generates one when
 * stdin is a terminal and nothing is typed) and prints the OPS_USERS entry for it. Join the
 * entries of every support person with commas.
 */
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline/promises";
import { hashOpsPassword } from "~/ops/auth.server";

const user = process.argv[2];
if (!user || /[:,\s]/.test(user)) {
  console.error("usage: npm run ops:hash-password -- <user>   (password on stdin)");
  process.exit(2);
}
const lines = createInterface({ input: process.stdin });
let password = "";
for await (const line of lines) {
  password = line;
  break;
}
lines.close();
if (!password) {
  password = randomBytes(18).toString("base64url");
  console.error(`generated password for ${user}: ${password}`);
}
console.log(await hashOpsPassword(user, password, randomBytes(16)));
