/**
 * How the ops pages write times and durations. Times are shown in UTC, the clock support staff
 * share with the logs and BullMQ, and formatted the same on the server and in the browser so the
 * page hydrates without mismatches (toLocaleString would depend on each side's locale and zone).
 */

/** "2026-11-24 18:11:42 UTC" from an ISO string; `empty` when there is no time. */
export function formatTime(iso: string | null | undefined, empty = ""): string {
  return iso ? `${iso.slice(0, 19).replace("T", " ")} UTC` : empty;
}

/** "850 ms", "12.5 s", "3 min 20 s"; `empty` when there is no duration. */
export function formatDuration(ms: number | null | undefined, empty = ""): string {
  if (ms === null || ms === undefined) return empty;
  if (ms < 1_000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  // 119.6 s rounds to "1 min 60 s" otherwise.
  return seconds === 60 ? `${minutes + 1} min 0 s` : `${minutes} min ${seconds} s`;
}

/** Whole days from seconds, for retention settings given in seconds. */
export function formatDays(seconds: number): string {
  const days = Math.round(seconds / 86_400);
  return `${days} ${days === 1 ? "day" : "days"}`;
}

/** A count with thousands separators. */
export function formatCount(count: number): string {
  return count.toLocaleString("en-US");
}
