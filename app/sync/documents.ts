/**
 * The Admin GraphQL documents Propel reads a store with (API 2026-10). Fragments keep the
 * backfill, the reconciliation and the webhook re-reads asking for exactly the same fields.
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
      ...PropelCustomer
    }
  }
  ${ORDER_FIELDS}
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
