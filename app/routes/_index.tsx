import type { LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { login } from "~/shopify.server";

export async function loader({ request }: LoaderFunctionArgs) {
  const url = new URL(request.url);
  // Shopify opens the app URL with a `shop` parameter: go straight into the embedded app.
  if (url.searchParams.get("shop")) throw redirect(`/app?${url.searchParams.toString()}`);
  return { showForm: Boolean(login) };
}

export default function Landing() {
  const { showForm } = useLoaderData<typeof loader>();
  return (
    <main style={{ fontFamily: "system-ui, sans-serif", maxWidth: 560, margin: "4rem auto" }}>
      <h1>Propel</h1>
      <p>
        Customer segments from your order history — RFM, churn risk, lifetime value and who is
        likely to spend more — pushed back to Shopify as customer tags your email flows can use.
      </p>
      {showForm ? (
        <Form method="post" action="/auth/login">
          <label htmlFor="shop">Shop domain</label>{" "}
          <input id="shop" name="shop" type="text" placeholder="my-shop.myshopify.com" />{" "}
          <button type="submit">Log in</button>
        </Form>
      ) : null}
    </main>
  );
}
