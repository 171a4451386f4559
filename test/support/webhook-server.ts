import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import { webhookIntake } from "~/shopify/webhook-intake.server";

export interface WebhookServer {
  url: string;
  /** Sends a request (e.g. from signedWebhookRequest) to the intake over HTTP. */
  post(request: Request): Promise<Response>;
  close(): Promise<void>;
}

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
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
