import { Links, Meta, Outlet, Scripts, ScrollRestoration } from "@remix-run/react";

const SCROLLBAR_CSS =
  "html,html:hover{scrollbar-color:var(--p-color-scrollbar-thumb-bg-hover) var(--p-color-bg)}";

export default function App() {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="preconnect" href="https://cdn.shopify.com/" />
        {/* Without one the browser asks for /favicon.ico, a 404 in the console of every
            page opened outside the admin (the login page). */}
        <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
        <Meta />
        <Links />
        {/* Polaris colours the page's scrollbar thumb only while the pointer is over the page,
            with html:hover. scrollbar-color is inherited, so the pointer entering the frame
            recomputed the style of every element on the page (~100 ms on a slow laptop, in the
            way of the click that follows: INP, test/bench/vitals.bench.ts). The thumb keeps its
            hover colour instead, which is what the body's own scrollbars already do. */}
        <style>{SCROLLBAR_CSS}</style>
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}
