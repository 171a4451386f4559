import { execSync, spawn, type ChildProcess } from "node:child_process";
import { cpus, totalmem } from "node:os";

/** The machine a benchmark ran on, for docs/benchmarks.md. */
export function machine(): string {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const memory = `${Math.round(totalmem() / 2 ** 30)} GiB`;
  const pg = safe(() => execSync("psql --version", { encoding: "utf8" }).trim());
  const redis = safe(() => execSync("redis-server --version", { encoding: "utf8" }).split(" ")[2]);
  return `${cpus().length} × ${cpu}, ${memory}, Node ${process.version}, ${pg}, Redis ${redis}`;
}

function safe(read: () => string | undefined): string {
  try {
    return read() ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Starts a server in its own process group, so stopping it also stops what npx started. */
export function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child: ChildProcess = spawn(command, args, {
    env,
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  return {
    child,
    stop() {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    },
  };
}

export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}
