/**
 * A lean executor for the pages of a bulk query. graphql-js's `execute` spends more time on
 * its own bookkeeping per field (argument coercion, field collection, promise checks, error
 * paths) than the simulator's resolvers spend answering; over a million orders that was
 * minutes. This one plans each selection once per document (fields collected, arguments
 * coerced) and then only calls resolvers and serializes leaves.
 *
 * It gives exactly what `execute` gives when every resolver answers synchronously and without
 * error: the same fields in the same order, serialized by the same scalar and enum types.
 * Anything else (an error, a promise, a null in a non-null field, a type it cannot tell) makes
 * it give up and return undefined, and the caller runs graphql-js's `execute`, which then
 * reports the problem the usual way.
 */
import {
  GraphQLIncludeDirective,
  GraphQLNonNull,
  GraphQLSkipDirective,
  GraphQLString,
  getArgumentValues,
  getDirectiveValues,
  isAbstractType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  typeFromAST,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";

/** Thrown inside the executor when it must hand the page over to graphql-js. */
class GiveUp extends Error {}

interface Path {
  readonly prev: Path | undefined;
  readonly key: string | number;
  readonly typename: string | undefined;
}

type Complete = (path: Path, result: unknown) => unknown;

interface FieldPlan {
  key: string;
  fieldName: string;
  fieldNodes: FieldNode[];
  /** null for __typename */
  def: GraphQLField<unknown, unknown> | null;
  returnType: GraphQLOutputType;
  args: Record<string, unknown>;
  /** completeValue for the field's type, built once */
  complete: Complete;
}

export interface LeanExecutor<Context> {
  /** Executes the document's operation; undefined when graphql-js must do it instead. */
  run(rootValue: unknown, contextValue: Context): ExecutionResult | undefined;
}

/**
 * Prepares a document for repeated execution with the same variables (a bulk query runs its
 * one document once per page). Returns null for what it does not handle: an operation other
 * than a query, or one with variables.
 */
export function leanExecutor<Context>(
  schema: GraphQLSchema,
  document: DocumentNode,
  fieldResolver: GraphQLFieldResolver<unknown, Context>,
): LeanExecutor<Context> | null {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === "OperationDefinition",
  );
  const operation = operations.length === 1 ? operations[0] : undefined;
  if (!operation || operation.operation !== "query") return null;
  if ((operation.variableDefinitions ?? []).length > 0) return null;
  const rootType = schema.getQueryType();
  if (!rootType) return null;
  const fragments: Record<string, FragmentDefinitionNode> = Object.create(null) as Record<
    string,
    FragmentDefinitionNode
  >;
  for (const d of document.definitions)
    if (d.kind === "FragmentDefinition") fragments[d.name.value] = d;
  const variableValues: Record<string, unknown> = {};

  const include = (node: SelectionNodeWithDirectives): boolean => {
    if (!node.directives || node.directives.length === 0) return true;
    const skip = getDirectiveValues(GraphQLSkipDirective, node, variableValues);
    if (skip?.if === true) return false;
    const keep = getDirectiveValues(GraphQLIncludeDirective, node, variableValues);
    return keep?.if !== false;
  };

  const conditionMatches = (
    fragment: { typeCondition?: FragmentDefinitionNode["typeCondition"] },
    type: GraphQLObjectType,
  ): boolean => {
    if (!fragment.typeCondition) return true;
    const condition = typeFromAST(schema, fragment.typeCondition);
    if (condition === type) return true;
    if (condition && isAbstractType(condition)) return schema.isSubType(condition, type);
    return false;
  };

  // graphql-js's field collection: response keys in the order first met, fragments expanded
  // where they stand, each named fragment once.
  const collect = (
    type: GraphQLObjectType,
    selectionSet: SelectionSetNode,
    fields: Map<string, FieldNode[]>,
    visited: Set<string>,
  ): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === "Field") {
        if (!include(selection)) continue;
        const key = selection.alias ? selection.alias.value : selection.name.value;
        const list = fields.get(key);
        if (list) list.push(selection);
        else fields.set(key, [selection]);
      } else if (selection.kind === "InlineFragment") {
        if (!include(selection) || !conditionMatches(selection, type)) continue;
        collect(type, selection.selectionSet, fields, visited);
      } else {
        const name = selection.name.value;
        if (visited.has(name) || !include(selection)) continue;
        visited.add(name);
        const fragment = fragments[name];
        if (!fragment || !conditionMatches(fragment, type)) continue;
        collect(type, fragment.selectionSet, fields, visited);
      }
    }
  };

  const plan = (type: GraphQLObjectType, collected: Map<string, FieldNode[]>): FieldPlan[] => {
    const plans: FieldPlan[] = [];
    const defs = type.getFields();
    for (const [key, fieldNodes] of collected) {
      if (key === "__proto__") throw new GiveUp(); // would not be a key of a plain object
      const first = fieldNodes[0] as FieldNode;
      const fieldName = first.name.value;
      if (fieldName === "__typename") {
        plans.push({
          key,
          fieldName,
          fieldNodes,
          def: null,
          returnType: STRING_NON_NULL,
          args: {},
          complete: completer(STRING_NON_NULL, fieldNodes),
        });
        continue;
      }
      if (fieldName.startsWith("__")) throw new GiveUp(); // __schema, __type
      const def = defs[fieldName];
      if (!def) continue; // as graphql-js: a field the type does not have is left out
      if (def.resolve) throw new GiveUp(); // the schema's own resolvers: leave them to graphql-js
      plans.push({
        key,
        fieldName,
        fieldNodes,
        def,
        returnType: def.type,
        args: getArgumentValues(def, first, variableValues),
        complete: completer(def.type, fieldNodes),
      });
    }
    return plans;
  };

  // graphql-js's completeValue, with the type's kind looked at once instead of per value.
  const completer = (type: GraphQLOutputType, fieldNodes: FieldNode[]): Complete => {
    if (isNonNullType(type)) {
      const inner = completer(type.ofType, fieldNodes);
      return (path, result) => {
        const completed = inner(path, result);
        if (completed === null) throw new GiveUp();
        return completed;
      };
    }
    if (isListType(type)) {
      const item = completer(type.ofType, fieldNodes);
      return (path, result) => {
        if (result === null || result === undefined) return null;
        if (typeof result !== "object" || !(Symbol.iterator in result)) throw new GiveUp();
        if (result instanceof Error || isThenable(result)) throw new GiveUp();
        const items: unknown[] = [];
        let index = 0;
        for (const value of result as Iterable<unknown>) {
          items.push(item({ prev: path, key: index++, typename: undefined }, value));
        }
        return items;
      };
    }
    if (isLeafType(type)) {
      return (_path, result) => {
        if (result === null || result === undefined) return null;
        if (result instanceof Error || isThenable(result)) throw new GiveUp();
        const serialized: unknown = type.serialize(result);
        if (serialized === null || serialized === undefined) throw new GiveUp();
        return serialized;
      };
    }
    if (isAbstractType(type)) {
      if (type.resolveType) throw new GiveUp();
      return (path, result) => {
        if (result === null || result === undefined) return null;
        if (result instanceof Error || isThenable(result)) throw new GiveUp();
        const name = (result as { __typename?: unknown }).__typename;
        const runtime = typeof name === "string" ? schema.getType(name) : undefined;
        if (!isObjectType(runtime) || !schema.isSubType(type, runtime) || runtime.isTypeOf) {
          throw new GiveUp();
        }
        return executeFields(runtime, result, path, subfields(runtime, fieldNodes));
      };
    }
    if (isObjectType(type)) {
      if (type.isTypeOf) throw new GiveUp();
      let plans: FieldPlan[] | undefined;
      return (path, result) => {
        if (result === null || result === undefined) return null;
        if (result instanceof Error || isThenable(result)) throw new GiveUp();
        plans ??= subfields(type, fieldNodes);
        return executeFields(type, result, path, plans);
      };
    }
    throw new GiveUp();
  };

  // Plans of the fields under an object-typed field, per runtime type, like graphql-js's
  // memoized collectSubfields.
  const subPlans = new WeakMap<FieldNode[], Map<GraphQLObjectType, FieldPlan[]>>();
  const subfields = (type: GraphQLObjectType, fieldNodes: FieldNode[]): FieldPlan[] => {
    let byType = subPlans.get(fieldNodes);
    if (!byType) subPlans.set(fieldNodes, (byType = new Map()));
    let plans = byType.get(type);
    if (!plans) {
      const collected = new Map<string, FieldNode[]>();
      const visited = new Set<string>();
      for (const node of fieldNodes) {
        if (node.selectionSet) collect(type, node.selectionSet, collected, visited);
      }
      plans = plan(type, collected);
      byType.set(type, plans);
    }
    return plans;
  };

  let rootPlans: FieldPlan[] | undefined;
  let contextValue: Context | undefined;
  let rootValue: unknown;

  const executeFields = (
    type: GraphQLObjectType,
    source: unknown,
    path: Path | undefined,
    plans: FieldPlan[],
  ): Record<string, unknown> => {
    // A plain object, not graphql-js's Object.create(null): V8 keeps those in dictionary mode,
    // which JSON.stringify walks several times slower. Same keys, same order, same JSON.
    const out: Record<string, unknown> = {};
    for (const field of plans) {
      const fieldPath: Path = { prev: path, key: field.key, typename: type.name };
      let result: unknown;
      if (field.def === null) {
        result = type.name;
      } else {
        const info: GraphQLResolveInfo = {
          fieldName: field.fieldName,
          fieldNodes: field.fieldNodes,
          returnType: field.returnType,
          parentType: type,
          path: fieldPath,
          schema,
          fragments,
          rootValue,
          operation,
          variableValues,
        };
        result = fieldResolver(source, field.args, contextValue as Context, info);
      }
      out[field.key] = field.complete(fieldPath, result);
    }
    return out;
  };

  return {
    run(root, context) {
      try {
        rootValue = root;
        contextValue = context;
        if (!rootPlans) {
          const collected = new Map<string, FieldNode[]>();
          collect(rootType, operation.selectionSet, collected, new Set());
          rootPlans = plan(rootType, collected);
        }
        return { data: executeFields(rootType, root, undefined, rootPlans) };
      } catch {
        // GiveUp, or a resolver that threw: graphql-js reports it as a field error.
        return undefined;
      } finally {
        rootValue = undefined;
        contextValue = undefined;
      }
    },
  };
}

type SelectionNodeWithDirectives = Parameters<typeof getDirectiveValues>[1];

const isThenable = (value: unknown): boolean =>
  value !== null &&
  (typeof value === "object" || typeof value === "function") &&
  typeof (value as { then?: unknown }).then === "function";

const STRING_NON_NULL = new GraphQLNonNull(GraphQLString);
