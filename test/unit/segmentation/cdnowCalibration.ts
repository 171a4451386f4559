/**
 * Exact calibration summaries of the CDNOW 1/10th sample (2,357 customers, 1997-01-01 to
 * 1997-09-30, weeks) computed from CDNOW_sample.txt. The published Pareto/NBD estimates of
 * Fader, Hardie & Lee's MATLAB note are on these unrounded times; the lifetimes summary CSV
 * rounds t_x and T to two decimals, which moves the log-likelihood in its second decimal.
 */
import { readFixture } from "./cdnowFixtures";

export function cdnowCalibrationWeeks(): { x: number[]; tx: number[]; T: number[] } {
  const day = (s: string) =>
    Date.UTC(+s.slice(0, 4), +s.slice(4, 6) - 1, +s.slice(6, 8)) / 86_400_000;
  const end = day("19970930");
  const days = new Map<string, Set<number>>();
  for (const line of readFixture("CDNOW_sample.txt").trim().split("\n")) {
    const [id, , date] = line.trim().split(/\s+/);
    const d = day(date);
    let set = days.get(id);
    if (!set) days.set(id, (set = new Set()));
    if (d <= end) set.add(d);
  }
  const x: number[] = [];
  const tx: number[] = [];
  const T: number[] = [];
  for (const set of days.values()) {
    const sorted = [...set].sort((a, b) => a - b);
    if (sorted.length === 0) continue;
    x.push(sorted.length - 1);
    tx.push((sorted[sorted.length - 1] - sorted[0]) / 7);
    T.push((end - sorted[0]) / 7);
  }
  return { x, tx, T };
}
