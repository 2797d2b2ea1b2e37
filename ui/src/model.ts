// What a series result's chart and table show, worked out once from the
// summary and the raw body: the title in words, the lines (the top series and
// "other" when many add up), the unit (billed units first: service
// connections, not minutes), the running month to its end with its estimate,
// the entitlement, the peaks of level charts, the month starts of cumulative
// lines. Only the summary and raw are read; fields a newer server may send
// (summary.entitlement, summary.projectedSeries, headline.estimate) are used
// when present.
import { cap, date, monthEnd, monthName, monthOf, pairs, parts, seriesName, timed, words, zoned } from "./format";
import type { SeriesRow, Summary } from "./types";

export interface Line {
  key: string;
  label: string;
  name: string;
  ys: (number | null)[];
  color: number;
  members?: string[]; // the keys "other" sums
}

export interface Estimate {
  key: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  value: number; // the month's figure it estimates
}

/** LaunchDarkly's projection of a line: its points from the last measured one, and its last value. */
export interface Projection {
  key: string;
  pts: [number, number][];
  value: number;
}

export interface Model {
  title: string;
  sub: string;
  unit: string;
  k: number; // plotted = summary × k (billed units per unit)
  tz: string;
  step: number;
  xs: number[]; // ms
  domain: [number, number];
  lines: Line[];
  log: boolean;
  cumulative: boolean;
  monthStarts: number[];
  inProgress?: number;
  running: boolean;
  estimates: Estimate[];
  estimateHow?: string;
  entitlement?: number;
  projection: Projection[];
  peaks: { key: string; t: number; v: number }[];
  tickText(t: number, long?: boolean): string;
}

/** Above this many series that add up, the chart shows the largest and "other". */
export const MAX_LINES = 8;
/** Estimates are drawn for at most this many lines, from the pace of the last PACE buckets. */
const MAX_ESTIMATES = 6, PACE = 3;
/** Series whose largest values differ by this factor or more get a log scale. */
export const logRatio = 25;

/** The rows of a raw series body, sorted by time; times in ms. */
export function rows(raw: unknown): SeriesRow[] {
  const list = (raw as { series?: unknown })?.series;
  if (!Array.isArray(list)) return [];
  return list
    .filter((r): r is SeriesRow => r != null && typeof r === "object" && typeof (r as SeriesRow).time === "number")
    .map((r) => ({ ...r, time: r.time < 1e11 ? r.time * 1000 : r.time }))
    .sort((a, b) => a.time - b.time);
}

/** Whether the positive series maxima span logRatio or more. */
export function wantsLog(ys: (number | null)[][]): boolean {
  const maxima = ys.map((y) => Math.max(0, ...y.map((v) => v ?? 0))).filter((m) => m > 0);
  return maxima.length > 1 && Math.max(...maxima) / Math.min(...maxima) >= logRatio;
}

const STEPS: Record<string, number> = { minutely: 6e4, hourly: 36e5, daily: 864e5, weekly: 6048e5, monthly: 2592e6 };
const FILTER_SKIP = new Set(["from", "to", "tz", "granularity", "aggregationType", "groupBy"]);

/** The arguments of the call, from summary.asked ("tool k=v k=v"). */
export function asked(s: Summary): [string, string][] {
  return pairs((s.asked ?? "").replace(/^\S+\s?/, ""));
}

/** The billed unit factor: service connections per connection minute. */
export function billedFactor(s: Summary): number {
  const hl = s.headline;
  return hl?.billed != null && hl.billedUnit && hl.value ? hl.billed / hl.value : 1;
}

/** "Client-side MAU by SDK · December 2026 so far" and what else was asked. */
export function titles(s: Summary, running: boolean): { title: string; sub: string } {
  const tz = s.range?.tz || "UTC";
  const args = asked(s);
  const by = args.find(([k]) => k === "groupBy")?.[1];
  const measure = cap(s.headline?.billedUnit || s.unit || "usage") + (by ? " by " + by.split(",").map(words).join(" and ") : "");
  const from = Date.parse(s.range?.from ?? ""), to = Date.parse(s.range?.to ?? "");
  let period = "";
  if (Number.isFinite(from) && Number.isFinite(to)) {
    // A date-only `to` is that day: the range ends at the next midnight.
    const [, , , th, tmin] = parts(to, tz);
    const lastDay = !timed(s.granularity) && th === 0 && tmin === 0 ? to - 1 : to;
    const [fy, , fd, fh] = parts(from, tz);
    const startOfMonth = fd === 1 && fh === 0;
    if (startOfMonth && lastDay < monthEnd(from, tz)) period = monthName(monthOf(from, tz), true) + (running ? " so far" : "");
    else if (s.granularity === "monthly" || (startOfMonth && (running || lastDay === monthEnd(lastDay, tz) - 1))) {
      const a = monthName(monthOf(from, tz)), b = monthName(monthOf(lastDay, tz));
      period = (a === b ? monthName(monthOf(from, tz), true) : (fy === parts(lastDay, tz)[0] ? a.slice(0, 3) : a) + " – " + b) + (running ? " so far" : "");
    } else {
      const ty = parts(lastDay, tz)[0];
      period = date(from, tz, timed(s.granularity), fy !== ty) + " – " + (running ? "now" : date(lastDay, tz, timed(s.granularity)));
    }
  }
  const filters = args.filter(([k]) => !FILTER_SKIP.has(k)).map(([k, v]) => `${words(k)} ${v}`);
  const agg = s.aggregationType ? words(s.aggregationType) : "";
  const through = running && Number.isFinite(to) ? "to " + date(to, tz, true) + " " + tz : "";
  return { title: [measure, period].filter(Boolean).join(" · "), sub: [...filters, agg, s.granularity, through].filter(Boolean).join(" · ") };
}

export function model(s: Summary, raw: unknown, logChoice?: boolean): Model {
  const tz = s.range?.tz || "UTC";
  const data = rows(raw);
  const xs = data.map((r) => r.time);
  const k = billedFactor(s);
  const unit = (k !== 1 && s.headline?.billedUnit) || s.unit || "";
  const all = (s.series ?? []).filter((x) => (x.points ?? 1) > 0);
  const col = (key: string) => data.map((r) => (typeof r[key] === "number" ? (r[key] as number) * k : null));
  let lines: Line[] = all.map((x, i) => ({ key: x.key, label: x.label, name: seriesName(x.label, all.length === 1), ys: col(x.key), color: i }));
  if (lines.length > MAX_LINES && s.addsAcross) {
    const rest = lines.slice(MAX_LINES - 1);
    lines = lines.slice(0, MAX_LINES - 1);
    lines.push({
      key: "other",
      label: "other",
      name: `other (${rest.length})`,
      ys: xs.map((_, j) => (rest.some((l) => l.ys[j] != null) ? rest.reduce((a, l) => a + (l.ys[j] ?? 0), 0) : null)),
      color: MAX_LINES - 1,
      members: rest.map((l) => l.key),
    });
  }
  // Series that add up, held against an entitlement: their total, which is what the entitlement counts.
  const ent = Number((s as { entitlement?: unknown }).entitlement);
  if (s.addsAcross && all.length > 1 && ent > 0) {
    const parts = lines.map((l) => l.ys);
    lines.push({ key: "total", label: "total", name: "total", color: -1, ys: xs.map((_, j) => (parts.some((y) => y[j] != null) ? parts.reduce((a, y) => a + (y[j] ?? 0), 0) : null)) });
  }
  const diffs = xs.slice(1).map((x, i) => x - xs[i]).sort((a, b) => a - b);
  const step = diffs.length ? diffs[diffs.length >> 1] : STEPS[s.granularity ?? ""] ?? 864e5;
  const last = xs[xs.length - 1];
  const lastMonth = s.headline?.months?.at(-1) ?? all[0]?.months?.at(-1);
  const monthly = s.figure === "monthEnd" || s.figure === "monthSum";
  const running = (s.headline?.status ?? lastMonth?.status) === "inProgress" || (!!s.lastBucketInProgress && !monthly);
  let domain: [number, number] = xs.length > 1 ? [xs[0], last] : [xs[0] - step / 2, xs[0] + step / 2];
  // Month-to-date points start again each month; monthly buckets are the months' figures, a line of their own.
  const cumulative = s.point === "cumulative" && s.granularity !== "monthly";
  const monthStarts = cumulative ? xs.filter((x, j) => j > 0 && monthOf(x, tz) !== monthOf(xs[j - 1], tz)) : [];
  const estimates: Estimate[] = [];
  let estimateHow: string | undefined;
  // The running month, to its end, with the estimate dotted.
  const toEnd = running && monthly && xs.length > 0 && (s.granularity === "daily" || timed(s.granularity));
  if (toEnd) {
    const end = monthEnd(last, tz) - step;
    if (end > last) {
      domain = [domain[0], end];
      const thisMonth = xs.map((x, j) => j).filter((j) => monthOf(xs[j], tz) === monthOf(last, tz));
      const n = thisMonth.length;
      const total = lines.find((l) => l.key === "total");
      if (n >= 1 && (total || lines.length <= MAX_ESTIMATES)) {
        // Last month's shape where the data has last month: its whole
        // figure over its figure at the same day (as the overview
        // estimates); else the pace of the last PACE buckets.
        const [ly, lm, ld] = parts(last, tz);
        const prevAt = xs.findIndex((x) => x === zoned(tz, ly, lm - 1, ld, parts(last, tz)[3]));
        const prevEnd = thisMonth[0] - 1;
        for (const l of total ? [total] : lines) {
          const vs = thisMonth.map((j) => l.ys[j]);
          const y = vs[n - 1];
          if (y == null) continue;
          if (cumulative) {
            const pw = prevEnd >= 0 ? l.ys[prevEnd] : null, pa = prevAt >= 0 ? l.ys[prevAt] : null;
            let v: number;
            if (pw != null && pa && monthOf(xs[prevEnd], tz) === monthOf(xs[prevAt], tz)) {
              v = (y * pw) / pa;
              estimateHow = "so far × last month's whole figure ÷ its figure at the same day (last month's shape)";
            } else {
              const b = thisMonth[Math.max(0, n - 1 - PACE)];
              const slope = n > 1 ? (y - (l.ys[b] ?? 0)) / (last - xs[b]) : y / step;
              v = y + slope * (end - last);
              estimateHow = `at the pace of the last ${n > 1 ? Math.min(n - 1, PACE) : 1} ${s.granularity === "daily" ? "days" : "buckets"}`;
            }
            estimates.push({ key: l.key, x0: last, y0: y, x1: end, y1: v, value: v });
          } else if (s.summable) {
            const nums = vs.filter((v): v is number => v != null);
            const mean = nums.reduce((a, b) => a + b, 0) / nums.length;
            const v = nums.reduce((a, b) => a + b, 0) + mean * Math.round((end - last) / step);
            estimates.push({ key: l.key, x0: last, y0: mean, x1: end, y1: mean, value: v });
            estimateHow = "the month so far plus its mean for each bucket left";
          }
        }
      }
    }
  }
  // LaunchDarkly's own projection (API v24's projectedSeries in the raw
  // body, rows as the series'), from the last measured point on.
  const projection: Projection[] = [];
  const prows = rows({ series: (raw as { projectedSeries?: unknown })?.projectedSeries });
  if (prows.length && xs.length) {
    const lastIdx = xs.length - 1;
    const total = lines.find((l) => l.key === "total");
    for (const l of total ? [total] : lines.filter((l) => !l.members)) {
      const keys = l.key === "total" ? all.map((x) => x.key) : [l.key];
      const pts: [number, number][] = prows
        .filter((r) => r.time >= last && keys.some((k) => typeof r[k] === "number"))
        .map((r) => [r.time, keys.reduce((a, k) => a + ((r[k] as number) ?? 0), 0) * k]);
      if (!pts.length) continue;
      if (pts[0][0] > last && l.ys[lastIdx] != null) pts.unshift([last, l.ys[lastIdx]!]);
      projection.push({ key: l.key, pts, value: pts[pts.length - 1][1] });
    }
    for (const p of projection) domain = [domain[0], Math.max(domain[1], p.pts[p.pts.length - 1][0])];
  }
  // Where LaunchDarkly projects a line, its projection stands instead of this app's estimate.
  const estimated = estimates.filter((e) => !projection.some((p) => p.key === e.key));
  if (!estimated.length) estimateHow = undefined;
  const peaks =
    s.point === "level" && lines.length <= 4
      ? all
          .filter((x) => lines.some((l) => l.key === x.key) && x.time && x.max != null)
          .map((x) => ({ key: x.key, t: Date.parse(x.time!), v: x.max! * k }))
          .filter((p) => Number.isFinite(p.t))
      : [];
  const years = new Set(xs.map((x) => parts(x, tz)[0])).size > 1;
  const { title, sub } = titles(s, running);
  const ip = Date.parse(s.lastBucketInProgress ?? "");
  return {
    title,
    sub,
    unit,
    k,
    tz,
    step,
    xs,
    domain,
    lines,
    log: logChoice ?? wantsLog(lines.map((l) => l.ys)),
    cumulative,
    monthStarts,
    inProgress: Number.isFinite(ip) ? ip : undefined,
    running,
    estimates: estimated,
    estimateHow,
    entitlement: ent > 0 ? ent : undefined,
    projection,
    peaks,
    tickText: (t, long) =>
      s.granularity === "monthly" ? monthName(monthOf(t, tz)) : date(t, tz, timed(s.granularity), !!long || years),
  };
}
