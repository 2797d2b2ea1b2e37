// The time chart of a series result: one line per summary series, drawn
// from the raw body's rows (summary.series[].key names the column), with
// uPlot's legend (hover shows each series' value and the time; a click
// toggles a series) and a log scale when the series differ by orders of
// magnitude.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { compact, exact, h, when } from "./format";
import type { SeriesRow, Summary } from "./types";

/** Line colours, distinct from one another on light and dark backgrounds. */
export const palette = [
  "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
  "#b07aa1", "#ff9da7", "#9c755f", "#a0cbe8", "#8cd17d", "#d4a6c8",
];

/** Series whose largest values differ by this factor or more get a log scale. */
export const logRatio = 25;

/** A colour of the theme, resolved (host variables may be light-dark(…)). */
function themeColor(probe: HTMLElement, v: string, fallback: string): string {
  probe.style.color = `var(${v}, ${fallback})`;
  return getComputedStyle(probe).color || fallback;
}

/** The rows of a raw series body, sorted by time; times in seconds. */
export function rows(raw: unknown): SeriesRow[] {
  const list = (raw as { series?: unknown })?.series;
  if (!Array.isArray(list)) return [];
  return list
    .filter((r): r is SeriesRow => r != null && typeof r === "object" && typeof (r as SeriesRow).time === "number")
    .map((r) => ({ ...r, time: r.time >= 1e11 ? r.time / 1000 : r.time }))
    .sort((a, b) => a.time - b.time);
}

export interface Chart {
  el: HTMLElement;
  plot?: uPlot;
  resize(width: number): void;
  destroy(): void;
}

/** Whether the positive series maxima span logRatio or more. */
export function wantsLog(ys: (number | null)[][]): boolean {
  const maxima = ys.map((y) => Math.max(0, ...y.map((v) => v ?? 0))).filter((m) => m > 0);
  return maxima.length > 1 && Math.max(...maxima) / Math.min(...maxima) >= logRatio;
}

export function seriesChart(s: Summary, raw: unknown, width: number, logScale?: boolean): Chart {
  const el = h("div", { class: "chart" });
  const data = rows(raw);
  const series = (s.series ?? []).filter((x) => (x.points ?? 1) > 0);
  if (data.length === 0 || series.length === 0) {
    return { el, resize() {}, destroy() {} };
  }
  const xs = data.map((r) => r.time);
  const ys = series.map((x) => data.map((r) => (typeof r[x.key] === "number" ? (r[x.key] as number) : null)));
  const log = logScale ?? wantsLog(ys);
  const plotted = log ? ys.map((y) => y.map((v) => (v != null && v > 0 ? v : null))) : ys;

  // The last bucket still in progress: shade it, one bucket wide.
  const steps = xs.slice(1).map((x, i) => x - xs[i]).sort((a, b) => a - b);
  const step = steps.length ? steps[steps.length >> 1] : 0;
  const inProgress = s.lastBucketInProgress ? Date.parse(s.lastBucketInProgress) / 1000 : NaN;
  const xMax = Number.isFinite(inProgress) && step ? Math.max(xs[xs.length - 1], inProgress + step) : xs[xs.length - 1];

  const probe = document.body.appendChild(h("span"));
  const text = themeColor(probe, "--color-text-secondary", "#666");
  const grid = themeColor(probe, "--color-border-secondary", "rgba(128,128,128,.25)");
  const band = themeColor(probe, "--color-background-warning", "rgba(237,201,72,.18)");
  probe.remove();

  const tz = s.range?.tz || "UTC";
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
  const opts: uPlot.Options = {
    width,
    height: 280,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), tz),
    scales: {
      x: { time: true, range: (_u, min) => [min, xMax] },
      y: log ? { distr: 3, log: 10 } : { range: (_u, min, max) => uPlot.rangeNum(Math.min(0, min), max, 0.1, true) },
    },
    series: [
      { label: "time", value: (_u, v) => (v == null ? "—" : when(v * 1000, tz, s.granularity)) },
      ...series.map((x, i) => ({
        label: x.label,
        stroke: palette[i % palette.length],
        dash: i < palette.length ? undefined : [6, 3],
        width: 2,
        value: (_u: uPlot, v: number | null) => (v == null ? "—" : exact(v)),
      })),
    ],
    axes: [axis, { ...axis, size: 56, values: (_u, vals) => vals.map((v) => (v == null ? "" : compact(v))) }],
    legend: { live: true },
    hooks: {
      drawClear: [
        (u) => {
          if (!Number.isFinite(inProgress)) return;
          const x0 = u.valToPos(inProgress, "x", true);
          const x1 = u.bbox.left + u.bbox.width;
          if (x1 <= x0) return;
          u.ctx.fillStyle = band;
          u.ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
        },
      ],
    },
  };
  const plot = new uPlot(opts, [xs, ...plotted] as uPlot.AlignedData, el);
  el.dataset.scale = log ? "log" : "linear";
  return {
    el,
    plot,
    resize: (w) => plot.setSize({ width: w, height: 280 }),
    destroy: () => plot.destroy(),
  };
}
