/**
 * Bulk operations. A query runs asynchronously in pages of the root connection and writes
 * JSONL like Shopify: one object per line, nested connection nodes on their own lines with
 * `__parentId`, no `edges`/`node` wrappers. A mutation runs the mutation once per line of the
 * staged JSONL upload and writes `{"data": …, "__lineNumber": n}` lines. Completion (or
 * failure) sends the `bulk_operations/finish` webhook. Files are served from
 * `${SIM}/_sim/files/…`.
 */
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import {
  getNamedType,
  execute,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  parse,
  type ExecutionResult,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type SelectionSetNode,
} from "graphql";
import type { ShopRuntime, Simulator } from "../core.js";
import { adminSchema } from "./schema.js";
import { collectFields, findOperation, isConnectionTypeName } from "./cost.js";
import { buildRoot, fieldResolver, iso, parseGid, type ResolverContext } from "./resolvers.js";

export type BulkStatus =
  "CREATED" | "RUNNING" | "COMPLETED" | "CANCELING" | "CANCELED" | "FAILED" | "EXPIRED";

export interface BulkOperation {
  id: number;
  type: "QUERY" | "MUTATION";
  status: BulkStatus;
  query: string;
  createdAt: number;
  completedAt: number | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number;
  url: string | null;
  partialDataUrl: string | null;
  errorCode: "ACCESS_DENIED" | "INTERNAL_SERVER_ERROR" | "TIMEOUT" | null;
  errorMessage?: string;
  clientIdentifier?: string | null;
}

export function bulkOperationView(op: BulkOperation): Record<string, unknown> {
  return {
    __typename: "BulkOperation",
    id: `gid://shopify/BulkOperation/${op.id}`,
    type: op.type,
    status: op.status,
    query: op.query,
    createdAt: iso(op.createdAt),
    completedAt: op.completedAt === null ? null : iso(op.completedAt),
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: op.fileSize > 0 ? String(op.fileSize) : null,
    url: op.url,
    partialDataUrl: op.partialDataUrl,
    errorCode: op.errorCode,
  };
}

type Row = Record<string, unknown>;

/**
 * Concurrency: before 2026-01 one operation of each type at a time per shop and app; from
 * 2026-01 on up to five of each (the simulator's reading of "depends on the API version").
 */
export function concurrencyLimit(apiVersion: string): number {
  return apiVersion >= "2026-01" || apiVersion === "unstable" ? 5 : 1;
}

function running(ctx: ResolverContext, type: "QUERY" | "MUTATION"): BulkOperation | undefined {
  const active = ctx.rt.bulkOps.filter(
    (b) =>
      b.type === type &&
      (b.status === "CREATED" || b.status === "RUNNING" || b.status === "CANCELING"),
  );
  return active.length >= concurrencyLimit(ctx.apiVersion) ? active[0] : undefined;
}

function newOp(ctx: ResolverContext, type: "QUERY" | "MUTATION", query: string): BulkOperation {
  const op: BulkOperation = {
    id: ctx.rt.store.nextMiscId(),
    type,
    status: "CREATED",
    query,
    createdAt: ctx.sim.clock.now(),
    completedAt: null,
    objectCount: 0,
    rootObjectCount: 0,
    fileSize: 0,
    url: null,
    partialDataUrl: null,
    errorCode: null,
  };
  ctx.rt.bulkOps.push(op);
  return op;
}

function fragmentsOf(doc: DocumentNode): Map<string, FragmentDefinitionNode> {
  const m = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === "FragmentDefinition") m.set(d.name.value, d);
  return m;
}

/** Shopify's static checks on bulk queries: one top-level connection, ≤ 5 connections, depth ≤ 2. */
function checkBulkQuery(doc: DocumentNode): string | null {
  const op = findOperation(doc);
  if (!op || op.operation !== "query")
    return "Bulk queries must contain exactly one query operation.";
  const schema = adminSchema();
  const frags = fragmentsOf(doc);
  const root = collectFields(op.selectionSet, frags);
  const rootType = schema.getQueryType();
  if (root.length !== 1 || !rootType)
    return "Bulk queries must contain exactly one top-level field.";
  let connections = 0;
  let maxDepth = 0;
  const walk = (
    sel: SelectionSetNode | undefined,
    type: GraphQLCompositeType,
    depth: number,
  ): void => {
    if (!sel) return;
    for (const f of collectFields(sel, frags)) {
      if (!(isObjectType(type) || isInterfaceType(type))) continue;
      const def = type.getFields()[f.name.value];
      if (!def) continue;
      const named = getNamedType(def.type);
      if (!isCompositeType(named)) continue;
      if (isConnectionTypeName(named.name)) {
        connections++;
        maxDepth = Math.max(maxDepth, depth + 1);
      }
      walk(f.selectionSet, named, isConnectionTypeName(named.name) ? depth + 1 : depth);
    }
  };
  walk(op.selectionSet, rootType, 0);
  if (connections === 0) return "Bulk queries require a connection field.";
  if (connections > 5) return "Bulk queries cannot contain more than 5 connections.";
  if (maxDepth > 2)
    return "Bulk queries cannot contain connections with a nesting depth greater than 2.";
  return null;
}

export function startBulkQuery(ctx: ResolverContext, query: string): Row {
  const existing = running(ctx, "QUERY");
  if (existing) {
    return {
      bulkOperation: null,
      userErrors: [
        {
          field: null,
          message: `A bulk query operation for this app and shop is already in progress: gid://shopify/BulkOperation/${existing.id}.`,
          code: "OPERATION_IN_PROGRESS",
        },
      ],
    };
  }
  let doc: DocumentNode;
  try {
    doc = parse(query);
  } catch (e) {
    return {
      bulkOperation: null,
      userErrors: [
        {
          field: ["query"],
          message: `Invalid bulk query: ${(e as Error).message}`,
          code: "INVALID",
        },
      ],
    };
  }
  const errs = validate(adminSchema(), doc);
  if (errs.length > 0) {
    return {
      bulkOperation: null,
      userErrors: [
        {
          field: ["query"],
          message: `Invalid bulk query: ${errs[0]?.message ?? ""}`,
          code: "INVALID",
        },
      ],
    };
  }
  const problem = checkBulkQuery(doc);
  if (problem)
    return {
      bulkOperation: null,
      userErrors: [{ field: ["query"], message: problem, code: "INVALID" }],
    };
  const op = newOp(ctx, "QUERY", query);
  const view = bulkOperationView(op);
  setImmediate(() => void runBulkQuery(ctx.sim, ctx.rt, op, doc, ctx.apiVersion));
  return { bulkOperation: view, userErrors: [] };
}

function flatten(
  value: unknown,
  sel: SelectionSetNode | undefined,
  type: GraphQLCompositeType,
  frags: Map<string, FragmentDefinitionNode>,
  parentId: string | null,
  out: Row[],
): void {
  if (value === null || typeof value !== "object") return;
  const obj = value as Row;
  const line: Row = {};
  const children: (() => void)[] = [];
  for (const f of sel ? collectFields(sel, frags) : []) {
    const key = f.alias?.value ?? f.name.value;
    if (!(key in obj)) continue;
    const def =
      isObjectType(type) || isInterfaceType(type) ? type.getFields()[f.name.value] : undefined;
    const named = def ? getNamedType(def.type) : undefined;
    if (
      named &&
      isCompositeType(named) &&
      isConnectionTypeName(named.name) &&
      isObjectType(named)
    ) {
      const conn = obj[key] as Row | null;
      const nodes = connectionNodes(conn, f, named, frags);
      const id = typeof obj.id === "string" ? obj.id : null;
      for (const n of nodes) children.push(() => flatten(n.node, n.sel, n.type, frags, id, out));
      continue;
    }
    line[key] = obj[key];
  }
  if (parentId) line.__parentId = parentId;
  out.push(line);
  for (const c of children) c();
}

function connectionNodes(
  conn: Row | null,
  f: FieldNode,
  connType: GraphQLCompositeType,
  frags: Map<string, FragmentDefinitionNode>,
): { node: unknown; sel: SelectionSetNode | undefined; type: GraphQLCompositeType }[] {
  const out: { node: unknown; sel: SelectionSetNode | undefined; type: GraphQLCompositeType }[] =
    [];
  if (!conn || !f.selectionSet || !isObjectType(connType)) return out;
  for (const inner of collectFields(f.selectionSet, frags)) {
    const key = inner.alias?.value ?? inner.name.value;
    const def = connType.getFields()[inner.name.value];
    if (!def) continue;
    if (inner.name.value === "nodes") {
      const t = getNamedType(def.type);
      if (!isCompositeType(t)) continue;
      for (const n of (conn[key] as unknown[] | undefined) ?? [])
        out.push({ node: n, sel: inner.selectionSet, type: t });
    } else if (inner.name.value === "edges") {
      const edgeType = getNamedType(def.type);
      if (!isObjectType(edgeType) || !inner.selectionSet) continue;
      const nodeDef = edgeType.getFields()["node"];
      const nodeType = nodeDef ? getNamedType(nodeDef.type) : undefined;
      if (!nodeType || !isCompositeType(nodeType)) continue;
      for (const nf of collectFields(inner.selectionSet, frags).filter(
        (x) => x.name.value === "node",
      )) {
        const nkey = nf.alias?.value ?? "node";
        for (const e of (conn[key] as Row[] | undefined) ?? [])
          out.push({ node: e[nkey], sel: nf.selectionSet, type: nodeType });
      }
    }
  }
  return out;
}

async function writeLines(stream: WriteStream, lines: Row[]): Promise<number> {
  let bytes = 0;
  let chunk = "";
  for (const l of lines) chunk += JSON.stringify(l) + "\n";
  bytes = Buffer.byteLength(chunk);
  if (!stream.write(chunk)) await new Promise<void>((r) => stream.once("drain", () => r()));
  return bytes;
}

function finish(sim: Simulator, rt: ShopRuntime, op: BulkOperation): void {
  op.completedAt = sim.clock.now();
  sim.emit(rt, "bulk_operations/finish", {
    admin_graphql_api_id: `gid://shopify/BulkOperation/${op.id}`,
    completed_at: iso(op.completedAt),
    created_at: iso(op.createdAt),
    error_code: op.errorCode ? op.errorCode.toLowerCase() : null,
    status: op.status.toLowerCase(),
    type: op.type.toLowerCase(),
  });
}

async function closeStream(stream: WriteStream): Promise<void> {
  await new Promise<void>((resolve) => stream.end(() => resolve()));
}

async function runBulkQuery(
  sim: Simulator,
  rt: ShopRuntime,
  op: BulkOperation,
  doc: DocumentNode,
  apiVersion: string,
): Promise<void> {
  const schema = adminSchema();
  const frags = fragmentsOf(doc);
  const opDef = findOperation(doc);
  const rootType = schema.getQueryType();
  const fileName = `bulk-${op.id}.jsonl`;
  const path = join(sim.filesDir, fileName);
  const stream = createWriteStream(path);
  op.status = "RUNNING";
  let after: string | null = null;
  try {
    if (!opDef || !rootType) throw new Error("no operation");
    const rootField = collectFields(opDef.selectionSet, frags)[0];
    if (!rootField) throw new Error("no root field");
    const rootDef = rootType.getFields()[rootField.name.value];
    const rootNamed = rootDef ? getNamedType(rootDef.type) : undefined;
    if (!rootNamed || !isCompositeType(rootNamed))
      throw new Error("root field is not a connection");
    for (;;) {
      if ((op.status as BulkStatus) === "CANCELING") {
        op.status = "CANCELED";
        break;
      }
      const ctx: ResolverContext = {
        sim,
        rt,
        apiVersion,
        bulk: true,
        searchWarnings: [],
        bulkPage: { first: sim.bulkChunkSize, after },
      };
      const res = await executeWith(sim, ctx, doc);
      if (res.errors && res.errors.length > 0) throw new Error(res.errors[0]?.message ?? "error");
      const data = (res.data ?? {}) as Row;
      const key = rootField.alias?.value ?? rootField.name.value;
      const lines: Row[] = [];
      const nodes = connectionNodes(data[key] as Row | null, rootField, rootNamed, frags);
      for (const n of nodes) flatten(n.node, n.sel, n.type, frags, null, lines);
      op.rootObjectCount += nodes.length;
      op.objectCount += lines.length;
      op.fileSize += await writeLines(stream, lines);
      const out = ctx.bulkPageOut;
      if (!out || !out.hasNextPage || !out.endCursor) {
        op.status = "COMPLETED";
        break;
      }
      after = out.endCursor;
      await new Promise<void>((r) => setImmediate(r));
    }
    await closeStream(stream);
    op.url =
      op.objectCount > 0 && op.status === "COMPLETED"
        ? `${sim.baseUrl}/_sim/files/${fileName}`
        : null;
    if (op.status === "CANCELED" && op.objectCount > 0)
      op.partialDataUrl = `${sim.baseUrl}/_sim/files/${fileName}`;
  } catch (e) {
    await closeStream(stream);
    op.status = "FAILED";
    op.errorCode = "INTERNAL_SERVER_ERROR";
    op.errorMessage = e instanceof Error ? e.message : String(e);
    if (op.objectCount > 0) op.partialDataUrl = `${sim.baseUrl}/_sim/files/${fileName}`;
  }
  finish(sim, rt, op);
}

async function executeWith(
  _sim: Simulator,
  ctx: ResolverContext,
  doc: DocumentNode,
  variables: Record<string, unknown> = {},
): Promise<ExecutionResult> {
  return execute({
    schema: adminSchema(),
    document: doc,
    rootValue: buildRoot(ctx),
    contextValue: ctx,
    variableValues: variables,
    fieldResolver,
  });
}

export function startBulkMutation(
  ctx: ResolverContext,
  mutation: string,
  stagedUploadPath: string,
  clientIdentifier: string | null,
): Row {
  const existing = running(ctx, "MUTATION");
  if (existing) {
    return {
      bulkOperation: null,
      userErrors: [
        {
          field: null,
          message: `A bulk mutation operation for this app and shop is already in progress: gid://shopify/BulkOperation/${existing.id}.`,
          code: "OPERATION_IN_PROGRESS",
        },
      ],
    };
  }
  let doc: DocumentNode;
  try {
    doc = parse(mutation);
  } catch (e) {
    return {
      bulkOperation: null,
      userErrors: [
        {
          field: ["mutation"],
          message: `Invalid mutation: ${(e as Error).message}`,
          code: "INVALID_MUTATION",
        },
      ],
    };
  }
  const errs = validate(adminSchema(), doc);
  const op0 = findOperation(doc);
  if (
    errs.length > 0 ||
    !op0 ||
    op0.operation !== "mutation" ||
    op0.selectionSet.selections.length !== 1
  ) {
    return {
      bulkOperation: null,
      userErrors: [
        {
          field: ["mutation"],
          message: errs[0]?.message ?? "Bulk mutations must contain exactly one mutation field.",
          code: "INVALID_MUTATION",
        },
      ],
    };
  }
  const upload = ctx.sim.uploads.get(stagedUploadPath);
  if (!upload) {
    return {
      bulkOperation: null,
      userErrors: [
        {
          field: ["stagedUploadPath"],
          message:
            "The JSONL file could not be found. Try uploading the file again, and check that you've entered the URL correctly for the stagedUploadPath mutation argument.",
          code: "NO_SUCH_FILE",
        },
      ],
    };
  }
  const op = newOp(ctx, "MUTATION", mutation);
  op.clientIdentifier = clientIdentifier;
  const view = bulkOperationView(op);
  setImmediate(
    () => void runBulkMutation(ctx.sim, ctx.rt, op, doc, upload.toString("utf8"), ctx.apiVersion),
  );
  return { bulkOperation: view, userErrors: [] };
}

async function runBulkMutation(
  sim: Simulator,
  rt: ShopRuntime,
  op: BulkOperation,
  doc: DocumentNode,
  jsonl: string,
  apiVersion: string,
): Promise<void> {
  const fileName = `bulk-${op.id}.jsonl`;
  const stream = createWriteStream(join(sim.filesDir, fileName));
  op.status = "RUNNING";
  const lines = jsonl.split(/\r?\n/).filter((l) => l.trim().length > 0);
  try {
    const batch: Row[] = [];
    for (let i = 0; i < lines.length; i++) {
      if ((op.status as BulkStatus) === "CANCELING") {
        op.status = "CANCELED";
        break;
      }
      let vars: Record<string, unknown>;
      try {
        vars = JSON.parse(lines[i] ?? "{}") as Record<string, unknown>;
      } catch {
        batch.push({ errors: [{ message: "Invalid JSON on this line" }], __lineNumber: i });
        continue;
      }
      const ctx: ResolverContext = { sim, rt, apiVersion, bulk: false, searchWarnings: [] };
      const res = await executeWith(sim, ctx, doc, vars);
      const row: Row = { data: res.data ?? null, __lineNumber: i };
      if (res.errors && res.errors.length > 0)
        row.errors = res.errors.map((e) => ({ message: e.message, path: e.path }));
      batch.push(row);
      op.rootObjectCount++;
      op.objectCount++;
      if (batch.length >= sim.bulkChunkSize) {
        op.fileSize += await writeLines(stream, batch.splice(0));
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    op.fileSize += await writeLines(stream, batch);
    if (op.status === "RUNNING") op.status = "COMPLETED";
    await closeStream(stream);
    op.url = `${sim.baseUrl}/_sim/files/${fileName}`;
  } catch (e) {
    await closeStream(stream);
    op.status = "FAILED";
    op.errorCode = "INTERNAL_SERVER_ERROR";
    op.errorMessage = e instanceof Error ? e.message : String(e);
  }
  finish(sim, rt, op);
}

export function cancelBulkOperation(ctx: ResolverContext, id: unknown): Row {
  const g = parseGid(id);
  const op = g ? ctx.rt.bulkOps.find((b) => b.id === g.id) : undefined;
  if (!op)
    return {
      bulkOperation: null,
      userErrors: [{ field: ["id"], message: "Bulk operation does not exist" }],
    };
  if (op.status !== "CREATED" && op.status !== "RUNNING") {
    return {
      bulkOperation: bulkOperationView(op),
      userErrors: [
        {
          field: null,
          message: `A bulk operation cannot be canceled when it is ${op.status.toLowerCase()}`,
        },
      ],
    };
  }
  op.status = "CANCELING";
  return { bulkOperation: bulkOperationView(op), userErrors: [] };
}
