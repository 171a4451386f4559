import type { PrismaClient } from "@prisma/client";
import { segmentDefinition } from "~/segmentation/catalog";
import type { AdminClient } from "./client.server";
import { FLOW_TRIGGER_RECEIVE, aliasedMutation, type MutationPayload } from "./documents";
import { MUTATION_FIELD_COST } from "./push.server";

/**
 * Shopify Flow triggers from the SegmentEvent outbox the recompute fills: one
 * flowTriggerReceive per customer entering or leaving a segment, for the trigger declared in
 * extensions/customer-segment-trigger. An event is marked sent once Shopify accepted it; a
 * crash between the two sends it again on resume (at least once), and the payload's
 * "Event id" lets a flow tell a repeat apart.
 */
export const FLOW_TRIGGER_HANDLE = "customer-segment-changed";

const EVENTS_PER_REQUEST = 20;

export interface FlowTotals {
  sent: number;
  skipped: number;
  failed: number;
}

/** The trigger's payload; keys match the fields of the extension's TOML. */
export function flowPayload(event: {
  id: bigint;
  customerId: bigint;
  segmentKey: string;
  change: "ENTERED" | "LEFT";
}) {
  const definition = segmentDefinition(event.segmentKey);
  return {
    // A customer_reference field is sent as `customer_id`, the customer's numeric id.
    customer_id: Number(event.customerId),
    "Segment key": event.segmentKey,
    "Segment name": definition?.label ?? event.segmentKey,
    "Segment family": definition?.family ?? "unknown",
    Change: event.change === "ENTERED" ? "entered" : "left",
    "Event id": event.id.toString(),
  };
}

export async function sendFlowTriggers(
  prisma: PrismaClient,
  client: AdminClient,
  shop: { id: number; flowTriggers: boolean },
): Promise<FlowTotals> {
  const totals: FlowTotals = { sent: 0, skipped: 0, failed: 0 };
  const open = { shopId: shop.id, flowSentAt: null, flowSkipped: null };
  if (!shop.flowTriggers) {
    const skipped = await prisma.segmentEvent.updateMany({
      where: open,
      data: { flowSkipped: "flow triggers off" },
    });
    totals.skipped = skipped.count;
    return totals;
  }
  let cursor = 0n;
  for (;;) {
    const events = await prisma.segmentEvent.findMany({
      where: { ...open, id: { gt: cursor } },
      orderBy: { id: "asc" },
      take: EVENTS_PER_REQUEST,
    });
    if (events.length === 0) break;
    cursor = events[events.length - 1].id;
    const { query, variables } = aliasedMutation(
      events.map((event) => ({
        document: FLOW_TRIGGER_RECEIVE,
        variables: { handle: FLOW_TRIGGER_HANDLE, payload: flowPayload(event) },
      })),
    );
    const data = await client.request<Record<string, MutationPayload | null>>(
      query,
      variables,
      events.length * MUTATION_FIELD_COST,
    );
    const sent: bigint[] = [];
    for (const [i, event] of events.entries()) {
      const errors = data[`f${i}`]?.userErrors ?? [{ message: "no answer" }];
      if (errors.length === 0) sent.push(event.id);
      else {
        totals.failed++;
        await prisma.segmentEvent.update({
          where: { id: event.id },
          data: { flowSkipped: `refused: ${errors.map((error) => error.message).join("; ")}` },
        });
      }
    }
    await prisma.segmentEvent.updateMany({
      where: { id: { in: sent } },
      data: { flowSentAt: new Date() },
    });
    totals.sent += sent.length;
  }
  return totals;
}
