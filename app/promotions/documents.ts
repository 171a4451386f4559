/**
 * The Admin GraphQL documents (API 2026-10) a promotion needs: creating its discount code aimed
 * at chosen customers, and reading the code's usage back.
 */
export const DISCOUNT_CODE_BASIC_CREATE = `#graphql
  mutation PropelDiscountCodeBasicCreate($basicCodeDiscount: DiscountCodeBasicInput!) {
    discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
      codeDiscountNode {
        id
      }
      userErrors {
        field
        code
        message
      }
    }
  }
`;

export interface DiscountCodeBasicCreateData {
  discountCodeBasicCreate: {
    codeDiscountNode: { id: string } | null;
    userErrors: { field: string[] | null; code: string | null; message: string }[];
  };
}

export const CODE_DISCOUNT_STATUS = `#graphql
  query PropelCodeDiscountStatus($id: ID!) {
    codeDiscountNode(id: $id) {
      id
      codeDiscount {
        ... on DiscountCodeBasic {
          status
          asyncUsageCount
        }
      }
    }
  }
`;

export interface CodeDiscountStatusData {
  codeDiscountNode: {
    id: string;
    codeDiscount: { status?: string; asyncUsageCount?: number };
  } | null;
}
