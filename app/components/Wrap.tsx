import type { ReactNode } from "react";

/** Lets a long text cell wrap: Polaris data tables keep cells on one line. */
export function Wrap({ children, minWidth = 240 }: { children: ReactNode; minWidth?: number }) {
  return <div style={{ whiteSpace: "normal", minWidth }}>{children}</div>;
}
