import { useEffect, useState, type ReactNode } from "react";

/**
 * Renders its children only in the browser, after hydration: polaris-viz measures the DOM and
 * throws on the server. `fallback` is what the server (and the first client render) shows.
 */
export function ClientOnly({
  children,
  fallback,
}: {
  children: () => ReactNode;
  fallback: ReactNode;
}) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  return <>{mounted ? children() : fallback}</>;
}
