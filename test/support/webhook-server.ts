import type { Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import express from "express";
import { webhookIntake } from "~/shopify/webhook-intake.server";

export interface WebhookServer {
  url: string;
  /** Sends a request (e.g. from signedWebhookRequest) to the intake over HTTP. */
  post(request: Request): Promise<Response>;
  /**
   * Sends requests so that they all arrive in one turn of the server's event loop: a socket
   * each is opened first, then every request is written at once. Answers each status and JSON
   * body.
   */
  postTogether(requests: Request[]): Promise<{ status: number; body: unknown }[]>;
  close(): Promise<void>;
}

const connectionCount = (server: Server) =>
  new Promise<number>((resolve, reject) =>
    server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );

/** The app's webhook intake on a real port, as server.ts mounts it. */
export async function startWebhookServer(): Promise<WebhookServer> {
  const app = express().use(webhookIntake());
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, "127.0.0.1", () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    async post(request) {
      return fetch(`${url}${new URL(request.url).pathname}`, {
        method: request.method,
        headers: request.headers,
        body: request.method === "GET" ? undefined : await request.text(),
      });
    },
    async postTogether(requests) {
      const { port } = server.address() as AddressInfo;
      const sockets = await Promise.all(
        requests.map(
          () =>
            new Promise<Socket>((resolve, reject) => {
              const socket = connect(port, "127.0.0.1", () => resolve(socket));
              socket.once("error", reject);
            }),
        ),
      );
      // Every connection accepted by the server before anything is written, so that the
      // requests become readable together.
      while ((await connectionCount(server)) < sockets.length)
        await new Promise((resolve) => setImmediate(resolve));
      const texts = await Promise.all(requests.map((request) => request.text()));
      const answers = sockets.map(
        (socket) =>
          new Promise<{ status: number; body: unknown }>((resolve, reject) => {
            let received = "";
            socket.setEncoding("utf8");
            socket.on("data", (chunk) => (received += chunk));
            socket.once("end", () => {
              const [head, body = ""] = received.split("\r\n\r\n");
              try {
                resolve({ status: Number(head.split(" ")[1]), body: JSON.parse(body) });
              } catch {
                reject(new Error(`not a JSON answer: ${received}`));
              }
            });
            socket.once("error", reject);
          }),
      );
      requests.forEach((request, i) => {
        const body = Buffer.from(texts[i]);
        const headers = [...request.headers].map(([name, value]) => `${name}: ${value}\r\n`);
        sockets[i].write(
          Buffer.concat([
            Buffer.from(
              `POST ${new URL(request.url).pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
                `Connection: close\r\nContent-Length: ${body.length}\r\n${headers.join("")}\r\n`,
            ),
            body,
          ]),
        );
      });
      return Promise.all(answers);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
