import type { HeadersFunction, LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, Outlet, useRouteError } from "@remix-run/react";
import { AppProvider, Card, Page, Text } from "@shopify/polaris";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import en from "@shopify/polaris/locales/en.json";
import type { ReactNode } from "react";
import { requireOpsUser } from "~/ops/auth.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: polarisStyles }];

/**
 * A thrown Response is rendered by the nearest error boundary, and the page then carries only
 * the headers a `headers` export gives it: without passing the thrown headers on, a browser
 * would get the 401 without its WWW-Authenticate challenge and never ask for the credentials.
 * The ops pages are never framed, so a click on their buttons cannot be hijacked from a frame.
 */
export const headers: HeadersFunction = ({ errorHeaders }) => {
  const headers = new Headers(errorHeaders);
  headers.set("X-Frame-Options", "DENY");
  headers.set("Content-Security-Policy", "frame-ancestors 'none'");
  headers.set("Cache-Control", "no-store");
  return headers;
};

export async function loader({ request }: LoaderFunctionArgs) {
  await requireOpsUser(request);
  return null;
}

function Frame({ children }: { children: ReactNode }) {
  return <AppProvider i18n={en}>{children}</AppProvider>;
}

export default function OpsLayout() {
  return (
    <Frame>
      <Outlet />
    </Frame>
  );
}

/** Unknown shops, queues and jobs, bad parameters and the 401 challenge, as an ops page. */
export function ErrorBoundary() {
  const error = useRouteError();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const message = isRouteErrorResponse(error)
    ? typeof error.data === "string"
      ? error.data
      : error.statusText
    : "Something went wrong; the server log has the details.";
  return (
    <Frame>
      <Page title={`Error ${status}`} backAction={{ content: "Shops", url: "/ops" }}>
        <Card>
          <Text as="p">{message}</Text>
        </Card>
      </Page>
    </Frame>
  );
}
