import prisma from "~/db.server";
import { checkHealth } from "~/health.server";
import { queues, redis } from "~/jobs/producer.server";

// Liveness and readiness for load balancers and support: 200 when every dependency answers, 503 otherwise.
export async function loader() {
  const report = await checkHealth({
    prisma,
    redis: redis(),
    queues: Object.values(queues()),
  });
  return Response.json(report, {
    status: report.ok ? 200 : 503,
    headers: { "Cache-Control": "no-store" },
  });
}
