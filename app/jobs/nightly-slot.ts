/**
 * When a shop's nightly work runs. With one fixed time every shop's reconcile and full
 * recompute would be queued in the same minute, and a fleet's night would start as one burst
 * that the last shops wait hours behind. Each shop gets its own minute in a four-hour window
 * instead, fixed by a hash of its domain (so a restart or a re-created scheduler keeps it), and
 * its full recompute half an hour after its reconcile, which it should follow.
 */

/** The window opens at 01:00 UTC: night in the Americas, early morning in Europe. */
export const NIGHT_START_MINUTE_UTC = 60;
export const NIGHT_WINDOW_MINUTES = 240;
/** The full recompute follows the reconcile by this much. */
export const RECOMPUTE_AFTER_RECONCILE_MINUTES = 30;

/** FNV-1a, 32 bits: stable across processes and releases, unlike anything seeded. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Minutes after 00:00 UTC at which the shop's nightly reconcile runs. */
export function reconcileMinute(shopDomain: string): number {
  return NIGHT_START_MINUTE_UTC + (hash(shopDomain) % NIGHT_WINDOW_MINUTES);
}

/** A daily cron pattern (minute hour * * *, UTC) for a minute of the day. */
export function dailyPattern(minuteOfDay: number): string {
  const minute = ((minuteOfDay % 1440) + 1440) % 1440;
  return `${minute % 60} ${Math.floor(minute / 60)} * * *`;
}

export function reconcilePattern(shopDomain: string): string {
  return dailyPattern(reconcileMinute(shopDomain));
}

export function fullRecomputePattern(shopDomain: string): string {
  return dailyPattern(reconcileMinute(shopDomain) + RECOMPUTE_AFTER_RECONCILE_MINUTES);
}
