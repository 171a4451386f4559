import { BlockStack, Card, DataTable, List, Text } from "@shopify/polaris";
import type { ShopifyAgreement as Agreement } from "~/admin/shopify-agreement.server";
import { KeyboardScrollable } from "./KeyboardScrollable";
import { formatCount, formatDateTime, formatShare, humanize } from "./format";

/**
 * Propel's RFM groups against Shopify's own for the same customers: how often they agree, where
 * they part, and why they can. Shopify's groups are read by the sync (Customer.statistics).
 */
export function ShopifyAgreement({ agreement }: { agreement: Agreement }) {
  const { propelGroups, shopifyGroups, counts, compared, agreeing, notRead } = agreement;
  const count = (propel: string | null, shopify: string | null) =>
    counts[propel ?? ""]?.[shopify ?? ""] ?? 0;
  const read = shopifyGroups.some((group) => group !== null);
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          Agreement with Shopify&apos;s RFM groups
        </Text>
        {!read ? (
          <Text as="p" tone="subdued">
            Shopify&apos;s own groups have not been read yet. They arrive with the next import, and
            for customers who change, with their updates.
          </Text>
        ) : (
          <>
            <Text as="p">
              Shopify puts every customer in an RFM group of its own, with the same names as
              Propel&apos;s. Of {formatCount(compared)} customers placed by both,{" "}
              <Text as="span" fontWeight="semibold">
                {formatShare(compared > 0 ? agreeing / compared : Number.NaN)}
              </Text>{" "}
              ({formatCount(agreeing)}) are in the same group.
              {notRead > 0
                ? ` For ${formatCount(notRead)} more, Shopify's group has not been read yet.`
                : ""}{" "}
              Shopify&apos;s groups as read up to {formatDateTime(agreement.lastReadAt)}.
            </Text>
            <KeyboardScrollable label="Propel's groups against Shopify's">
              <DataTable
                columnContentTypes={[
                  "text",
                  ...shopifyGroups.map(() => "numeric" as const),
                  "numeric",
                ]}
                headings={[
                  "Propel ↓ · Shopify →",
                  ...shopifyGroups.map((group) => (group === null ? "Not read" : humanize(group))),
                  "Total",
                ]}
                rows={propelGroups.map((propel) => {
                  const cells = shopifyGroups.map((shopify) => {
                    const n = count(propel, shopify);
                    return propel !== null && propel === shopify ? (
                      <Text as="span" fontWeight="bold" key={shopify}>
                        {formatCount(n)}
                      </Text>
                    ) : (
                      formatCount(n)
                    );
                  });
                  const total = shopifyGroups.reduce(
                    (sum, shopify) => sum + count(propel, shopify),
                    0,
                  );
                  return [
                    propel === null ? "Not scored yet" : humanize(propel),
                    ...cells,
                    formatCount(total),
                  ];
                })}
                totals={[
                  "",
                  ...shopifyGroups.map((shopify) =>
                    formatCount(
                      propelGroups.reduce((sum, propel) => sum + count(propel, shopify), 0),
                    ),
                  ),
                  formatCount(
                    propelGroups.reduce(
                      (sum, propel) =>
                        sum +
                        shopifyGroups.reduce((row, shopify) => row + count(propel, shopify), 0),
                      0,
                    ),
                  ),
                ]}
                totalsName={{ singular: "All customers", plural: "All customers" }}
              />
            </KeyboardScrollable>
          </>
        )}
        <BlockStack gap="200">
          <Text as="h3" variant="headingSm">
            Why the two can differ
          </Text>
          <List>
            <List.Item>
              Money: Propel counts net merchandise (line items after discounts, less what was
              refunded), leaving out shipping and tax. Shopify ranks by amount spent, which includes
              them.
            </List.Item>
            <List.Item>
              Orders: Propel leaves out $0 orders (replacements, exchanges), which buy nothing.
              Shopify may count every order, and may look back over a limited window where Propel
              scores every order it has imported.
            </List.Item>
            <List.Item>
              Ties: Propel gives one-order customers the lowest frequency score and lets equal
              values share a score. Shopify may split equal values between neighbouring scores, so
              alike customers can land in different groups there.
            </List.Item>
            <List.Item>
              The grid: Propel reads each group off the recency × frequency-and-spend grid in
              Settings, which you can change. Shopify uses a mapping of its own.
            </List.Item>
            <List.Item>
              Timing: Shopify updates its groups once a day; Propel rescores as changes arrive.
              Propel reads Shopify&apos;s group at the import and whenever the customer changes, so
              a customer Shopify moved only because time passed shows the older group until the next
              import.
            </List.Item>
          </List>
        </BlockStack>
      </BlockStack>
    </Card>
  );
}
