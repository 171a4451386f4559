/**
 * The Admin GraphQL documents Propel reads a store with (API 2026-10). Fragments keep the
 * backfill, the reconciliation and the webhook re-reads asking for exactly the same fields.
 *
 * `statistics` is Shopify's own view of the customer (its RFM group, computed once a day, and
 * predicted spend tier), kept to compare with Propel's groups (app/admin/shopify-agreement).
 * Webhook customer payloads do not carry it; the re-read behind a customers/create or
 * customers/update webhook asks for it with the rest of this fragment, and the nightly
 * reconcile reads it again for every customer that changed. A group that moves in Shopify's
 * daily run without the customer changing is read at the next backfill.
 */
export const CUSTOMER_FIELDS = `#graphql
  fragment PropelCustomer on Customer {
    id
    email
    firstName
    lastName
    tags
    createdAt
    updatedAt
    emailMarketingConsent {
      marketingState
    }
    statistics {
      rfmGroup
      predictedSpendTier
    }
  }
`;

export const ORDER_FIELDS = `#graphql
  fragment PropelOrder on Order {
    id
    name
    createdAt
    updatedAt
    processedAt
    cancelledAt
    test
    currencyCode
    displayFinancialStatus
    sourceName
    discountCodes
    customer {
      id
    }
    totalPriceSet {
      shopMoney {
        amount
      }
    }
    subtotalPriceSet {
      shopMoney {
        amount
      }
    }
    totalDiscountsSet {
      shopMoney {
        amount
      }
    }
    totalRefundedSet {
      shopMoney {
        amount
      }
    }
    taxesIncluded
    currentSubtotalPriceSet {
      shopMoney {
        amount
      }
    }
    totalShippingPriceSet {
      shopMoney {
        amount
      }
    }
    totalTaxSet {
      shopMoney {
        amount
      }
    }
    refunds(first: 5) {
      createdAt
    }
    lineItems(first: 10) {
      nodes {
        id
        name
        quantity
        vendor
        originalUnitPriceSet {
          shopMoney {
            amount
          }
        }
        totalDiscountSet {
          shopMoney {
            amount
          }
        }
        product {
          id
          productType
        }
        variant {
          id
        }
      }
    }
  }
`;

/**
 * The merchandise of each refund, read where it can be: bulk operations refuse a connection
 * inside a list field, and on a page of orders it would multiply the query cost past Shopify's
 * limit, so only the re-read of one order (webhooks) asks for it; elsewhere the merchandise
 * refunded is shared out between the refunds (app/sync/order-money.ts).
 */
export const ORDER_REFUND_LINES = `#graphql
  fragment PropelOrderRefundLines on Order {
    refunds(first: 5) {
      refundLineItems(first: 10) {
        nodes {
          subtotalSet {
            shopMoney {
              amount
            }
          }
        }
      }
    }
  }
`;

export const CUSTOMERS_PAGE = `#graphql
  query PropelCustomersPage($first: Int!, $after: String, $query: String) {
    customers(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {
        ...PropelCustomer
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${CUSTOMER_FIELDS}
`;

export const ORDERS_PAGE = `#graphql
  query PropelOrdersPage($first: Int!, $after: String, $query: String) {
    orders(first: $first, after: $after, query: $query, sortKey: UPDATED_AT) {
      nodes {
        ...PropelOrder
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${ORDER_FIELDS}
`;

export const NODES_BY_ID = `#graphql
  query PropelNodes($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      ...PropelOrder
      ...PropelOrderRefundLines
      ...PropelCustomer
    }
  }
  ${ORDER_FIELDS}
  ${ORDER_REFUND_LINES}
  ${CUSTOMER_FIELDS}
`;

export const SHOP_INFO = `#graphql
  query PropelShop {
    shop {
      name
      email
      currencyCode
      ianaTimezone
      plan {
        displayName
        shopifyPlus
      }
    }
  }
`;

interface Money {
  shopMoney: { amount: string };
}

export interface CustomerNode {
  id: string;
  email: string | null;
  firstName: string | null;
  lastName: string | null;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  emailMarketingConsent: { marketingState: string } | null;
  /** CustomerRfmGroup and CustomerPredictedSpendTier values; null until Shopify computes them. */
  statistics?: { rfmGroup: string | null; predictedSpendTier: string | null } | null;
}

export interface OrderNode {
  id: string;
  name: string;
  createdAt: string;
  updatedAt: string;
  processedAt: string;
  cancelledAt: string | null;
  test: boolean;
  currencyCode: string;
  displayFinancialStatus: string | null;
  sourceName: string | null;
  discountCodes: string[];
  customer: { id: string } | null;
  totalPriceSet: Money;
  subtotalPriceSet: Money | null;
  totalDiscountsSet: Money | null;
  totalRefundedSet: Money | null;
  taxesIncluded?: boolean | null;
  currentSubtotalPriceSet?: Money | null;
  totalShippingPriceSet?: Money | null;
  totalTaxSet?: Money | null;
  refunds?:
    | {
        createdAt: string;
        totalRefundedSet?: Money | null;
        refundLineItems?: { nodes: { subtotalSet: Money | null }[] } | null;
      }[]
    | null;
  lineItems: {
    nodes: {
      id: string;
      name: string;
      quantity: number;
      vendor: string | null;
      originalUnitPriceSet: Money;
      totalDiscountSet: Money | null;
      product: { id: string; productType: string | null } | null;
      variant: { id: string } | null;
    }[];
  };
}

export interface Page<Node> {
  nodes: Node[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
