/**
 * Turn graphql-js parse/validation errors into the shape Shopify's graphql-ruby endpoint
 * returns: `{ message, locations, path, extensions: { code, … } }` with its message wording for
 * the common cases.
 */
import type { GraphQLError } from "graphql";

export interface ShopifyGraphQLError {
  message: string;
  locations?: { line: number; column: number }[];
  path?: (string | number)[];
  extensions?: Record<string, unknown>;
}

export function formatSyntaxError(e: GraphQLError): ShopifyGraphQLError {
  return {
    message: e.message.replace(/^Syntax Error: /, "syntax error, "),
    locations: e.locations ? [...e.locations] : undefined,
  };
}

export function formatValidationError(e: GraphQLError): ShopifyGraphQLError {
  const locations = e.locations ? [...e.locations] : undefined;
  const m = e.message;
  let r: RegExpMatchArray | null;
  if ((r = m.match(/^Cannot query field "(.+?)" on type "(.+?)"\./))) {
    return {
      message: `Field '${r[1]}' doesn't exist on type '${r[2]}'`,
      locations,
      extensions: { code: "undefinedField", typeName: r[2], fieldName: r[1] },
    };
  }
  if ((r = m.match(/^Unknown argument "(.+?)" on field "(.+?)\.(.+?)"\./))) {
    return {
      message: `Field '${r[3]}' doesn't accept argument '${r[1]}'`,
      locations,
      extensions: {
        code: "argumentNotAccepted",
        name: r[3],
        typeName: "Field",
        argumentName: r[1],
      },
    };
  }
  if ((r = m.match(/^Field "(.+?)" argument "(.+?)" of type "(.+?)" is required/))) {
    return {
      message: `Field '${r[1]}' is missing required arguments: ${r[2]}`,
      locations,
      extensions: {
        code: "missingRequiredArguments",
        className: "Field",
        name: r[1],
        arguments: r[2],
      },
    };
  }
  if ((r = m.match(/^Unknown type "(.+?)"\./))) {
    return {
      message: `No such type ${r[1]}, so it can't be a fragment condition`,
      locations,
      extensions: { code: "undefinedType", typeName: r[1] },
    };
  }
  if ((r = m.match(/^Field "(.+?)" of type "(.+?)" must have a selection of subfields/))) {
    return {
      message: `Field must have selections (field '${r[1]}' returns ${r[2].replace(/[![\]]/g, "")} but has no selections. Did you mean '${r[1]} { ... }'?)`,
      locations,
      extensions: { code: "selectionMismatch", nodeName: `field '${r[1]}'`, typeName: r[2] },
    };
  }
  if (
    (r = m.match(/^Field "(.+?)" must not have a selection since type "(.+?)" has no subfields/))
  ) {
    return {
      message: `Selections can't be made on scalars (field '${r[1]}' returns ${r[2]} but has selections [...])`,
      locations,
      extensions: { code: "selectionMismatch", nodeName: `field '${r[1]}'`, typeName: r[2] },
    };
  }
  if ((r = m.match(/^Variable "\$(.+?)" is never used/))) {
    return {
      message: `Variable $${r[1]} is declared by anonymous query but not used`,
      locations,
      extensions: { code: "variableNotUsed", variableName: r[1] },
    };
  }
  if ((r = m.match(/^Variable "\$(.+?)" is not defined/))) {
    return {
      message: `Variable $${r[1]} is used but not declared`,
      locations,
      extensions: { code: "variableNotDefined", variableName: r[1] },
    };
  }
  if (/^(Expected value of type|String cannot represent|Int cannot represent|Enum ")/.test(m)) {
    return { message: m, locations, extensions: { code: "argumentLiteralsIncompatible" } };
  }
  return { message: m, locations, extensions: { code: "GRAPHQL_VALIDATION_FAILED" } };
}
