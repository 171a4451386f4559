/**
 * Propel's web server: the webhook intake and the Remix app behind Express.
 *
 *   production (`npm start`, NODE_ENV=production): the Vite build, one process per core
 *     (WEB_CONCURRENCY), stopped gracefully on SIGTERM;
 *   development (`npm run dev`, the demo, the browser tests): Vite's dev server as middleware,
 *     one process. VITE_CONFIG names another Vite config file.
 *
 * `remix-serve` ran a single process, logged each request synchronously to stdout, and on
 * SIGTERM closed its listener but stayed alive on its PostgreSQL and Redis connections, so each
 * deploy waited for SIGKILL.
 */
import cluster from "node:cluster";
import { createServer, type Server } from "node:http";
import { availableParallelism } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import compression from "compression";
import express, { type RequestHandler } from "express";
import { config } from "~/config.server";
import { logger } from "~/logger.server";
import { webhookIntake } from "~/shopify/webhook-intake.server";

const env = config();
const PRODUCTION = env.NODE_ENV === "production";
const SHUTDOWN_GRACE_MS = 10_000;

function processCount(): number {
  if (!PRODUCTION) return 1;
  return env.WEB_CONCURRENCY ?? availableParallelism();
}

interface RemixApp {
  handler: RequestHandler;
  /** Closes what the handler holds open besides requests (Vite's HMR sockets). */
  close: () => Promise<void>;
}

async function remixHandler(app: express.Express, server: Server): Promise<RemixApp> {
  if (PRODUCTION) {
    const buildPath = path.resolve("build/server/index.js");
    const build = (await import(pathToFileURL(buildPath).href)) as ServerBuild;
    // Vite fingerprints everything under assets/; the rest of build/client may change.
    app.use("/assets", express.static("build/client/assets", { immutable: true, maxAge: "1y" }));
    app.use(express.static("build/client", { maxAge: "1h" }));
    return {
      handler: createRequestHandler({ build, mode: "production" }),
      close: async () => {},
    };
  }
  const vite = await import("vite");
  const devServer = await vite.createServer({
    configFile: env.VITE_CONFIG,
    // HMR's WebSocket on the app's own server and port: in middleware mode Vite otherwise
    // listens on a fixed port (24678), which the first of several dev servers on a machine
    // takes; the others' pages then fail to connect, with errors in their consoles.
    server: { middlewareMode: true, hmr: { server } },
  });
  app.use(devServer.middlewares);
  return {
    handler: createRequestHandler({
      build: () => devServer.ssrLoadModule("virtual:remix/server-build") as Promise<ServerBuild>,
      mode: "development",
    }),
    close: () => devServer.close(),
  };
}

function accessLog(): RequestHandler {
  return (request, response, next) => {
    const started = performance.now();
    response.on("finish", () => {
      const ms = Math.round(performance.now() - started);
      // The path without its query: embedded requests carry session tokens there.
      const path = request.originalUrl.split("?")[0];
      logger.info({ method: request.method, path, status: response.statusCode, ms });
    });
    next();
  };
}

async function serve() {
  const app = express();
  app.disable("x-powered-by");
  // First, and outside the access log: every delivery is recorded in WebhookDelivery, which
  // the ops pages show, and a log line each would cost the intake a write per delivery.
  app.use(webhookIntake());
  app.use(accessLog());
  app.use(compression());
  const server = createServer(app);
  const remix = await remixHandler(app, server);
  app.all("*", remix.handler);

  const port = env.PORT;
  const host = env.HOST ?? (PRODUCTION ? "0.0.0.0" : "127.0.0.1");
  server.listen(port, host, () => {
    logger.info({ url: `http://${host}:${port}`, pid: process.pid }, "web server listening");
  });

  // Finish what is in flight, then exit: the database and Redis connections would otherwise
  // keep the process alive. A request still running after the grace period is cut.
  const stop = (signal: string) => {
    logger.info({ signal }, "web server stopping");
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    void remix.close();
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

function supervise(count: number) {
  let stopping = false;
  for (let i = 0; i < count; i++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    logger.error({ pid: worker.process.pid, code, signal }, "web process died; starting another");
    cluster.fork();
  });
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS + 1_000).unref();
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

const count = processCount();
if (cluster.isPrimary && count > 1) supervise(count);
else await serve();
