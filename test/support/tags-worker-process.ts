/**
 * A tags worker in a process of its own, for the test that kills one mid-push:
 *   npx tsx test/support/tags-worker-process.ts <shop domain>
 * It runs the real processor on one job for the shop and exits when done.
 */
import type { Job } from "bullmq";
import prisma from "~/db.server";
import type { TagsJob } from "~/jobs/queues";
import { tagsProcessor } from "../../workers/processors/tags";

const shopDomain = process.argv[2];
if (!shopDomain) throw new Error("usage: tags-worker-process.ts <shop domain>");
const summary = await tagsProcessor(prisma)({ data: { shopDomain } } as Job<TagsJob>);
console.log(JSON.stringify(summary));
await prisma.$disconnect();
