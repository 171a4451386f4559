import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";

/**
 * An open-loop load generator: requests leave at a constant rate whether or not earlier ones
 * have been answered, the way Shopify's deliveries arrive. Latency is measured from when a
 * request was due, not from when it was sent, so a stalled server (or generator) is charged
 * for the wait it caused (no coordinated omission).
 *
 * autocannon's `overallRate` cannot stand in: each connection sends its whole quota for the
 * second back to back when the second starts, so 500/s arrives as one burst of 500, and its
 * coordinated-omission correction then records one synthetic sample per millisecond of every
 * slow answer.
 */
export interface OpenLoopRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface OpenLoopResult {
  offered: number;
  achieved: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
}

export async function openLoop(options: {
  url: string;
  rate: number;
  seconds: number;
  /** The i-th request; keep it cheap (e.g. reuse pre-signed bodies), it runs on the clock. */
  request: (index: number) => OpenLoopRequest;
}): Promise<OpenLoopResult> {
  const { url, rate, seconds } = options;
  const target = new URL(url);
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let finished = 0;

  const start = performance.now() + 50;
  const done = new Promise<void>((resolve) => {
    let next = 0;
    const send = (index: number) => {
      const due = start + (index * 1000) / rate;
      const spec = options.request(index);
      const outgoing = request(
        {
          host: target.hostname,
          port: target.port,
          method: "POST",
          path: spec.path,
          agent,
          headers: { ...spec.headers, "content-length": Buffer.byteLength(spec.body) },
        },
        (response) => {
          response.resume();
          response.on("end", () => {
            latencies.push(performance.now() - due);
            if ((response.statusCode ?? 0) >= 300) non2xx++;
            if (++finished === total) resolve();
          });
        },
      );
      outgoing.on("error", () => {
        errors++;
        if (++finished === total) resolve();
      });
      outgoing.end(spec.body);
    };
    // Every millisecond, send what has come due; a late tick sends its backlog at once.
    const timer = setInterval(() => {
      const now = performance.now();
      while (next < total && start + (next * 1000) / rate <= now) send(next++);
      if (next === total) clearInterval(timer);
    }, 1);
  });
  await done;
  const elapsed = (performance.now() - start) / 1000;
  agent.destroy();

  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
  return {
    offered: rate,
    achieved: Math.round(latencies.length / elapsed),
    p50: at(0.5),
    p99: at(0.99),
    max: Math.round(latencies.at(-1) ?? 0),
    non2xx,
    errors,
  };
}
