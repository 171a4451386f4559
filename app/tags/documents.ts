/**
 * The Admin GraphQL documents Propel writes a store with (API 2026-10): customer tags, the
 * bulk mutation that carries large tag change sets, Flow triggers, app-owned metafields and
 * Shopify customer segments. The small-change path sends several customers in one request by
 * aliasing the single-customer fields below (see `aliasedMutation`).
 */

/** One customer's tag additions; the bulk mutation runs it once per JSONL line. */
export const TAGS_ADD = `#graphql
  mutation PropelTagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      node {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export const TAGS_REMOVE = `#graphql
  mutation PropelTagsRemove($id: ID!, $tags: [String!]!) {
    tagsRemove(id: $id, tags: $tags) {
      node {
        id
      }
      userErrors {
        field
        message
      }
    }
  }
`;

/** A customer's current tags, read back when a crash left a push unconfirmed. */
export const CUSTOMER_TAGS = `#graphql
  query PropelCustomerTags($ids: [ID!]!) {
    nodes(ids: $ids) {
      ... on Customer {
        id
        tags
      }
    }
  }
`;

/** Every customer's tags through a bulk query: the read-back after a crashed bulk push. */
export const BULK_CUSTOMER_TAGS = `#graphql
  {
    customers {
      edges {
        node {
          id
          tags
        }
      }
    }
  }
`;

export const STAGED_UPLOADS_CREATE = `#graphql
  mutation PropelStagedUpload($input: [StagedUploadInput!]!) {
    stagedUploadsCreate(input: $input) {
      stagedTargets {
        url
        resourceUrl
        parameters {
          name
          value
        }
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export const BULK_RUN_MUTATION = `#graphql
  mutation PropelBulkMutation(
    $mutation: String!
    $stagedUploadPath: String!
    $clientIdentifier: String
  ) {
    bulkOperationRunMutation(
      mutation: $mutation
      stagedUploadPath: $stagedUploadPath
      clientIdentifier: $clientIdentifier
    ) {
      bulkOperation {
        id
        status
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const BULK_OPERATION = `#graphql
  query PropelBulkOperation($id: ID!) {
    bulkOperation(id: $id) {
      id
      status
      errorCode
      objectCount
      url
      partialDataUrl
    }
  }
`;

/** Our bulk mutations still running (a crashed worker may have left one behind). */
export const RUNNING_BULK_MUTATIONS = `#graphql
  query PropelRunningBulkMutations {
    bulkOperations(first: 5, query: "operation_type:MUTATION AND (status:CREATED OR status:RUNNING)") {
      nodes {
        id
        status
      }
    }
  }
`;

export const FLOW_TRIGGER_RECEIVE = `#graphql
  mutation PropelFlowTrigger($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors {
        field
        message
      }
    }
  }
`;

export const METAFIELDS_SET = `#graphql
  mutation PropelMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
    metafieldsSet(metafields: $metafields) {
      metafields {
        key
        namespace
      }
      userErrors {
        field
        message
        code
      }
    }
  }
`;

export const SEGMENT_CREATE = `#graphql
  mutation PropelSegmentCreate($name: String!, $query: String!) {
    segmentCreate(name: $name, query: $query) {
      segment {
        id
        name
        query
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export const SEGMENT_UPDATE = `#graphql
  mutation PropelSegmentUpdate($id: ID!, $query: String!) {
    segmentUpdate(id: $id, query: $query) {
      segment {
        id
        query
      }
      userErrors {
        field
        message
      }
    }
  }
`;

export const SEGMENTS_PAGE = `#graphql
  query PropelSegments($after: String) {
    segments(first: 250, after: $after) {
      nodes {
        id
        name
        query
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export interface UserError {
  field: string[] | null;
  message: string;
  code?: string | null;
}

export interface MutationPayload {
  userErrors: UserError[];
}

/** One field of an aliased request: which single-customer document, with its variables. */
export interface AliasedField {
  document: string;
  variables: Record<string, unknown>;
}

/**
 * Several single-field mutations as one request: each field gets the alias `f<i>` and its
 * variables the suffix `_<i>`, so `f3` answers the fourth field. The field text is taken from
 * the static documents above, which keeps every request built from checked documents.
 */
export function aliasedMutation(fields: readonly AliasedField[]): {
  query: string;
  variables: Record<string, unknown>;
} {
  const declarations: string[] = [];
  const selections: string[] = [];
  const variables: Record<string, unknown> = {};
  fields.forEach((field, i) => {
    const parsed = /mutation\s+\w+\s*\(([^)]*)\)\s*\{([\s\S]*)\}\s*$/.exec(field.document.trim());
    if (!parsed) throw new Error("aliasedMutation needs a named mutation with variables");
    const [, header, body] = parsed;
    const rename = (text: string) => text.replace(/\$(\w+)/g, (_, name: string) => `$${name}_${i}`);
    declarations.push(rename(header.trim()));
    selections.push(`f${i}: ${rename(body.trim())}`);
    for (const [name, value] of Object.entries(field.variables)) variables[`${name}_${i}`] = value;
  });
  return {
    query: `mutation PropelBatch(${declarations.join(", ")}) {\n${selections.join("\n")}\n}`,
    variables,
  };
}
