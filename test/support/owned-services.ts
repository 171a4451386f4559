/**
 * A PostgreSQL cluster and a Redis server of a test's own, on ports of its own, which the test
 * may crash and start again without touching the machine's shared services (or the other test
 * files using them). PostgreSQL is stopped with `pg_ctl stop -m immediate` — no checkpoint, the
 * next start runs crash recovery — and Redis keeps nothing on disk, as in development and CI, so
 * a restart loses every queued job.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Ports derived from the process id, chosen before anything is imported (see vi.hoisted). */
export function ownPorts(pid: number): { postgres: number; redis: number } {
  const base = 30_000 + (pid % 15_000) * 2;
  return { postgres: base, redis: base + 1 };
}

async function waitForPort(port: number, up: boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => (socket.destroy(), resolve(true)));
      socket.once("error", () => resolve(false));
    });
    if (open === up) return;
    if (Date.now() > deadline) throw new Error(`port ${port} still ${open ? "open" : "closed"}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function postgresBinary(name: string): string {
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
    if (version && existsSync(join(root, version, "bin", name)))
      return join(root, version, "bin", name);
  }
  return name;
}

/** initdb refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function run(command: string, args: string[], owner: boolean): void {
  const [file, argv] =
    owner && process.getuid?.() === 0
      ? ["runuser", ["-u", "postgres", "--", command, ...args]]
      : [command, args];
  const result = spawnSync(file, argv, { encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
}

export interface OwnPostgres {
  url: (database: string) => string;
  /** A crash: no shutdown checkpoint; connections are cut at once. */
  crash(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

export async function startOwnPostgres(port: number): Promise<OwnPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "propel-pg-"));
  if (process.getuid?.() === 0) {
    const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim();
    const group = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim();
    chownSync(dir, Number(ids), Number(group));
  }
  const data = join(dir, "data");
  run(postgresBinary("initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8"], true);
  const pgCtl = postgresBinary("pg_ctl");
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`;
  const start = async () => {
    run(pgCtl, ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "start"], true);
    await waitForPort(port, true);
  };
  await start();
  return {
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    async crash() {
      run(pgCtl, ["-D", data, "-m", "immediate", "-w", "stop"], true);
      await waitForPort(port, false);
    },
    start,
    async remove() {
      spawnSync("runuser", ["-u", "postgres", "--", pgCtl, "-D", data, "-m", "immediate", "stop"]);
      spawnSync(pgCtl, ["-D", data, "-m", "immediate", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnRedis {
  url: string;
  /** SIGKILL: with nothing on disk, every key is gone when it starts again. */
  crash(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

export async function startOwnRedis(port: number): Promise<OwnRedis> {
  let server: ChildProcess | undefined;
  const start = async () => {
    server = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: "ignore" },
    );
    await waitForPort(port, true);
  };
  const crash = async () => {
    server?.kill("SIGKILL");
    server = undefined;
    await waitForPort(port, false);
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, crash, start, remove: crash };
}
