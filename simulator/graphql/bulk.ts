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
import { leanExecutor } from "./lean-execute.js";

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

interface FlatField {
  key: string;
  field: FieldNode;
  /** The connection type when the field is a connection: its nodes get lines of their own. */
  connection: GraphQLCompositeType | null;
}

// What flatten and connectionNodes work out from the document, once per selection and type
// rather than once per object: a bulk result has millions of objects and a handful of shapes.
type ShapeCache<Node extends object, Shape> = WeakMap<Node, Map<GraphQLCompositeType, Shape>>;

function cachedShape<Node extends object, Shape>(
  cache: ShapeCache<Node, Shape>,
  node: Node,
  type: GraphQLCompositeType,
  build: () => Shape,
): Shape {
  let byType = cache.get(node);
  if (!byType) cache.set(node, (byType = new Map()));
  let shape = byType.get(type);
  if (shape === undefined) byType.set(type, (shape = build()));
  return shape;
}

const flatShapes: ShapeCache<SelectionSetNode, FlatField[]> = new WeakMap();

function flatShape(
  sel: SelectionSetNode,
  type: GraphQLCompositeType,
  frags: Map<string, FragmentDefinitionNode>,
): FlatField[] {
  return cachedShape(flatShapes, sel, type, () => buildFlatShape(sel, type, frags));
}

function buildFlatShape(
  sel: SelectionSetNode,
  type: GraphQLCompositeType,
  frags: Map<string, FragmentDefinitionNode>,
): FlatField[] {
  const shape: FlatField[] = [];
  for (const f of collectFields(sel, frags)) {
    const key = f.alias?.value ?? f.name.value;
    const def =
      isObjectType(type) || isInterfaceType(type) ? type.getFields()[f.name.value] : undefined;
    const named = def ? getNamedType(def.type) : undefined;
    const connection =
      named && isCompositeType(named) && isConnectionTypeName(named.name) && isObjectType(named)
        ? named
        : null;
    shape.push({ key, field: f, connection });
  }
  return shape;
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
  let children: ConnectionNode[] | undefined;
  let childParent: string | null = null;
  for (const { key, field, connection } of sel ? flatShape(sel, type, frags) : []) {
    if (!Object.hasOwn(obj, key)) continue;
    if (connection) {
      const conn = obj[key] as Row | null;
      const nodes = connectionNodes(conn, field, connection, frags);
      childParent = typeof obj.id === "string" ? obj.id : null;
      if (nodes.length > 0) (children ??= []).push(...nodes);
      continue;
    }
    line[key] = obj[key];
  }
  if (parentId) line.__parentId = parentId;
  out.push(line);
  for (const n of children ?? []) flatten(n.node, n.sel, n.type, frags, childParent, out);
}

interface ConnectionNode {
  node: unknown;
  sel: SelectionSetNode | undefined;
  type: GraphQLCompositeType;
}

interface ConnectionPart {
  key: string;
  /** `nodes { … }`, or `edges { node { … } }` with the node's response key */
  nodeKey: string | null;
  sel: SelectionSetNode | undefined;
  type: GraphQLCompositeType;
}

const connectionShapes: ShapeCache<FieldNode, ConnectionPart[]> = new WeakMap();

function connectionShape(
  f: FieldNode,
  connType: GraphQLCompositeType,
  frags: Map<string, FragmentDefinitionNode>,
): ConnectionPart[] {
  return cachedShape(connectionShapes, f, connType, () => buildConnectionShape(f, connType, frags));
}

function buildConnectionShape(
  f: FieldNode,
  connType: GraphQLCompositeType,
  frags: Map<string, FragmentDefinitionNode>,
): ConnectionPart[] {
  const parts: ConnectionPart[] = [];
  if (f.selectionSet && isObjectType(connType)) {
    for (const inner of collectFields(f.selectionSet, frags)) {
      const key = inner.alias?.value ?? inner.name.value;
      const def = connType.getFields()[inner.name.value];
      if (!def) continue;
      if (inner.name.value === "nodes") {
        const t = getNamedType(def.type);
        if (!isCompositeType(t)) continue;
        parts.push({ key, nodeKey: null, sel: inner.selectionSet, type: t });
      } else if (inner.name.value === "edges") {
        const edgeType = getNamedType(def.type);
        if (!isObjectType(edgeType) || !inner.selectionSet) continue;
        const nodeDef = edgeType.getFields()["node"];
        const nodeType = nodeDef ? getNamedType(nodeDef.type) : undefined;
        if (!nodeType || !isCompositeType(nodeType)) continue;
        for (const nf of collectFields(inner.selectionSet, frags).filter(
          (x) => x.name.value === "node",
        )) {
          parts.push({
            key,
            nodeKey: nf.alias?.value ?? "node",
            sel: nf.selectionSet,
            type: nodeType,
          });
        }
      }
    }
  }
  return parts;
}

function connectionNodes(
  conn: Row | null,
  f: FieldNode,
  connType: GraphQLCompositeType,
  frags: Map<string, FragmentDefinitionNode>,
): ConnectionNode[] {
  const out: ConnectionNode[] = [];
  if (!conn) return out;
  for (const part of connectionShape(f, connType, frags)) {
    if (part.nodeKey === null) {
      for (const n of (conn[part.key] as unknown[] | undefined) ?? [])
        out.push({ node: n, sel: part.sel, type: part.type });
    } else {
      for (const e of (conn[part.key] as Row[] | undefined) ?? [])
        out.push({ node: e[part.nodeKey], sel: part.sel, type: part.type });
    }
  }
  return out;
}

async function writeLines(stream: WriteStream, lines: Row[]): Promise<number> {
  if (lines.length === 0) return 0;
  let text = "";
  for (const l of lines) text += JSON.stringify(l) + "\n";
  // Encoded once, here; the stream is handed bytes.
  const chunk = Buffer.from(text, "utf8");
  if (!stream.write(chunk)) await new Promise<void>((r) => stream.once("drain", () => r()));
  return chunk.length;
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
  let complete = false;
  const lean = sim.leanBulkExecution ? leanExecutor(schema, doc, fieldResolver) : null;
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
      const pageContext = (): ResolverContext => ({
        sim,
        rt,
        apiVersion,
        bulk: true,
        searchWarnings: [],
        bulkPage: { first: sim.bulkChunkSize, after },
      });
      let ctx = pageContext();
      let res = lean?.run(buildRoot(ctx), ctx);
      if (!res) {
        // Not a page the lean executor answers: graphql-js runs it, from a fresh context.
        ctx = pageContext();
        res = await executeWith(sim, ctx, doc);
      }
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
        complete = true;
        break;
      }
      after = out.endCursor;
      await new Promise<void>((r) => setImmediate(r));
    }
    await closeStream(stream);
    // The url first, then the status: a poll that sees COMPLETED must find the file.
    op.url = op.objectCount > 0 && complete ? `${sim.baseUrl}/_sim/files/${fileName}` : null;
    if (complete) op.status = "COMPLETED";
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
    await closeStream(stream);
    // The url first, then the status: a poll that sees COMPLETED must find the file.
    op.url = `${sim.baseUrl}/_sim/files/${fileName}`;
    if (op.status === "RUNNING") op.status = "COMPLETED";
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
