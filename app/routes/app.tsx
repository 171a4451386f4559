import type {
  HeadersFunction,
  LinksFunction,
  LoaderFunctionArgs,
  MetaFunction,
} from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisVizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { boundary } from "@shopify/shopify-app-remix/server";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { config } from "~/config.server";
import { authenticate } from "~/shopify.server";

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "stylesheet", href: polarisVizStyles },
];

export const meta: MetaFunction = () => [{ title: "Propel" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await authenticate.admin(request);
  const env = config();
  return { apiKey: env.SHOPIFY_API_KEY, appBridgeUrl: env.APP_BRIDGE_URL };
}

export default function AppLayout() {
  const { apiKey, appBridgeUrl } = useLoaderData<typeof loader>();
  return (
    <AppProvider
      isEmbeddedApp
      apiKey={apiKey}
      {...(appBridgeUrl ? { __APP_BRIDGE_URL: appBridgeUrl } : {})}
    >
      <NavMenu>
        <Link to="/app" rel="home">
          Overview
        </Link>
        <Link to="/app/segments">Segments</Link>
        <Link to="/app/custom-segments">Custom segments</Link>
        <Link to="/app/retention">Retention</Link>
        <Link to="/app/promotions">Promotions</Link>
        <Link to="/app/models">Model trust</Link>
        <Link to="/app/settings">Settings</Link>
      </NavMenu>
      <main>
        <Outlet />
      </main>
    </AppProvider>
  );
}

// Shopify's boundary helpers let auth redirects and headers pass through the embedded frame.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
