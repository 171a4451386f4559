/**
 * Shopify's query cost, computed statically from the document (requested cost) and from the
 * response (actual cost): scalars and enums 0, objects 1, connections 2 + n × (cost of one
 * node), where n is `first`/`last` (requested) or the number of nodes returned (actual);
 * every top-level mutation field 10.
 */
import {
  GraphQLInt,
  getNamedType,
  isCompositeType,
  isLeafType,
  isObjectType,
  isInterfaceType,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

type Vars = Record<string, unknown>;
type Data = unknown;

interface Ctx {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  variables: Vars;
  actual: boolean;
}

export function findOperation(
  doc: DocumentNode,
  operationName?: string | null,
): OperationDefinitionNode | undefined {
  const ops = doc.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === "OperationDefinition",
  );
  if (operationName) return ops.find((o) => o.name?.value === operationName);
  return ops.length === 1 ? ops[0] : undefined;
}

function fragmentsOf(doc: DocumentNode): Map<string, FragmentDefinitionNode> {
  const m = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === "FragmentDefinition") m.set(d.name.value, d);
  return m;
}

/** Flatten a selection set into field nodes (fragments expanded). */
export function collectFields(
  sel: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  out: FieldNode[] = [],
): FieldNode[] {
  for (const s of sel.selections) {
    if (s.kind === "Field") out.push(s);
    else if (s.kind === "InlineFragment") collectFields(s.selectionSet, fragments, out);
    else {
      const f = fragments.get(s.name.value);
      if (f) collectFields(f.selectionSet, fragments, out);
    }
  }
  return out;
}

function fieldDef(
  type: GraphQLCompositeType,
  name: string,
): GraphQLField<unknown, unknown> | undefined {
  if (isObjectType(type) || isInterfaceType(type)) return type.getFields()[name];
  return undefined;
}

export function isConnectionTypeName(name: string): boolean {
  return name.endsWith("Connection");
}

function intArg(field: FieldNode, name: string, vars: Vars): number | undefined {
  const arg = field.arguments?.find((a) => a.name.value === name);
  if (!arg) return undefined;
  const v: unknown = valueFromAST(arg.value, GraphQLInt, vars);
  return typeof v === "number" ? v : undefined;
}

function selectionCost(
  ctx: Ctx,
  sel: SelectionSetNode | undefined,
  type: GraphQLCompositeType,
  data: Data,
): number {
  if (!sel) return 0;
  let sum = 0;
  for (const f of collectFields(sel, ctx.fragments)) {
    if (f.name.value.startsWith("__")) continue;
    // for abstract types, the field may live on a concrete type: look it up on any that has it
    let def = fieldDef(type, f.name.value);
    if (!def && !isObjectType(type)) {
      for (const t of ctx.schema.getPossibleTypes(type)) {
        def = t.getFields()[f.name.value];
        if (def) break;
      }
    }
    if (!def) continue;
    const key = f.alias?.value ?? f.name.value;
    let value: Data = undefined;
    if (ctx.actual) {
      if (data === null || typeof data !== "object") continue;
      value = (data as Record<string, Data>)[key];
      if (value === undefined || value === null) continue;
    }
    sum += fieldCost(ctx, f, def, value);
  }
  return sum;
}

function fieldCost(
  ctx: Ctx,
  f: FieldNode,
  def: GraphQLField<unknown, unknown>,
  value: Data,
): number {
  const named = getNamedType(def.type);
  if (isLeafType(named) || !isCompositeType(named)) return 0;
  if (isConnectionTypeName(named.name) && isObjectType(named)) {
    return 2 + connectionItemsCost(ctx, f, named, value);
  }
  if (ctx.actual && Array.isArray(value)) {
    let s = 0;
    for (const v of value) s += 1 + selectionCost(ctx, f.selectionSet, named, v);
    return s;
  }
  const times = ctx.actual ? 1 : Math.max(1, intArg(f, "first", ctx.variables) ?? 1);
  return times * (1 + selectionCost(ctx, f.selectionSet, named, value));
}

function connectionItemsCost(
  ctx: Ctx,
  f: FieldNode,
  conn: GraphQLCompositeType,
  value: Data,
): number {
  const n = ctx.actual
    ? 0
    : (intArg(f, "first", ctx.variables) ?? intArg(f, "last", ctx.variables) ?? 0);
  let total = 0;
  for (const inner of collectFields(
    f.selectionSet ?? { kind: "SelectionSet" as never, selections: [] },
    ctx.fragments,
  )) {
    const name = inner.name.value;
    const key = inner.alias?.value ?? name;
    const def = fieldDef(conn, name);
    if (!def) continue;
    const nodeType = getNamedType(def.type);
    if (name === "nodes" && isCompositeType(nodeType)) {
      if (ctx.actual) {
        const arr =
          value && typeof value === "object" ? (value as Record<string, Data>)[key] : undefined;
        if (Array.isArray(arr))
          for (const v of arr) total += 1 + selectionCost(ctx, inner.selectionSet, nodeType, v);
      } else {
        total += n * (1 + selectionCost(ctx, inner.selectionSet, nodeType, undefined));
      }
    } else if (name === "edges" && isObjectType(nodeType)) {
      const nodeDef = nodeType.getFields()["node"];
      const nodeNamed = nodeDef ? getNamedType(nodeDef.type) : undefined;
      if (!nodeNamed || !isCompositeType(nodeNamed)) continue;
      const nodeFields = collectFields(
        inner.selectionSet ?? { kind: "SelectionSet" as never, selections: [] },
        ctx.fragments,
      ).filter((x) => x.name.value === "node");
      for (const nf of nodeFields) {
        const nkey = nf.alias?.value ?? "node";
        if (ctx.actual) {
          const arr =
            value && typeof value === "object" ? (value as Record<string, Data>)[key] : undefined;
          if (Array.isArray(arr)) {
            for (const edge of arr) {
              const node =
                edge && typeof edge === "object" ? (edge as Record<string, Data>)[nkey] : undefined;
              if (node !== undefined && node !== null)
                total += 1 + selectionCost(ctx, nf.selectionSet, nodeNamed, node);
            }
          }
        } else {
          total += n * (1 + selectionCost(ctx, nf.selectionSet, nodeNamed, undefined));
        }
      }
    }
  }
  return total;
}

export function queryCost(
  schema: GraphQLSchema,
  doc: DocumentNode,
  op: OperationDefinitionNode,
  variables: Vars,
  data?: Data,
): number {
  const ctx: Ctx = { schema, fragments: fragmentsOf(doc), variables, actual: data !== undefined };
  if (op.operation === "mutation") {
    const n = collectFields(op.selectionSet, ctx.fragments).filter(
      (f) => !f.name.value.startsWith("__"),
    ).length;
    return 10 * n;
  }
  const root = schema.getQueryType();
  if (!root) return 0;
  return selectionCost(ctx, op.selectionSet, root, data ?? {});
}
