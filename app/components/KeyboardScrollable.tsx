import { useEffect, useRef, type ReactNode } from "react";

const SCROLL_CONTAINER = ".Polaris-DataTable__ScrollContainer";

/**
 * Polaris' DataTable scrolls sideways when its columns do not fit, in a container a keyboard
 * user cannot reach (WCAG 2.1.1, axe "scrollable-region-focusable"). This makes each such
 * container focusable and names it, so arrow keys scroll it. DataTable swaps to its condensed
 * markup after measuring itself, without re-rendering us, so the containers are watched rather
 * than found once.
 */
export function KeyboardScrollable({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const root = ref.current;
    if (!root) return;
    const label_ = () => {
      for (const container of root.querySelectorAll<HTMLElement>(SCROLL_CONTAINER)) {
        if (container.tabIndex === 0) continue;
        container.tabIndex = 0;
        container.setAttribute("role", "region");
        container.setAttribute("aria-label", label);
      }
    };
    label_();
    const observer = new MutationObserver(label_);
    observer.observe(root, { childList: true, subtree: true });
    return () => observer.disconnect();
  }, [label]);
  return <div ref={ref}>{children}</div>;
}
