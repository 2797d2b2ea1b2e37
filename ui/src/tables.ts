// The tables and notes of a result: the summary table beside a chart, the
// SDK lists with their end-of-life status, and the words that say what the
// figures mean. Every figure comes from the summary as it is.
import { column, h, monthShort, pct, shortDate, when } from "./format";
import { palette } from "./chart";
import type { SDKDetail, SeriesSummary, Summary } from "./types";

interface Col {
  id: string;
  name: string;
  num?: (x: SeriesSummary) => number | undefined;
  text?: (x: SeriesSummary) => string;
  derived?: boolean;
}

/** The name of the figure column, as the text summary names it. */
export function figureHeader(s: Summary): string {
  const hl = s.headline;
  if (s.figure === "monthEnd" || s.figure === "monthSum") {
    if (!hl?.month) return "figure";
    return monthHeader(s, hl.month, hl.status);
  }
  return s.figure || "figure";
}

function monthHeader(s: Summary, month: string, status?: string): string {
  let name = monthShort(month);
  if (s.figure === "monthSum") name = "new " + name;
  if (status === "inProgress") return name + " so far";
  if (status === "partial") return name + " (part)";
  return name;
}

/** The columns that mean something for the kind of point (as tools/text.go). */
function columns(s: Summary): Col[] {
  const ms = (t?: string) => (t ? Date.parse(t) : NaN);
  const figure: Col = { id: "figure", name: figureHeader(s), num: (x) => x.figure };
  const max: Col = { id: "max", name: "max", num: (x) => x.max };
  const on: Col = { id: "on", name: "on", text: (x) => (x.time ? shortDate(ms(x.time), s) : "—") };
  const mean: Col = { id: "mean", name: "mean", num: (x) => x.mean, derived: s.point !== "average" };
  const last: Col = { id: "last", name: "last", num: (x) => x.last };
  const change: Col = { id: "change", name: "change", text: (x) => pct(x.changePct) };
  // Monthly figures over more than one month: a column per month, the
  // latest (the figure) last.
  const months = new Map<string, string | undefined>();
  for (const x of s.series ?? []) for (const m of x.months ?? []) months.set(m.month, m.status);
  const monthly = (s.figure === "monthEnd" || s.figure === "monthSum") && months.size > 1;
  const figs: Col[] = monthly
    ? [...months.keys()].sort().slice(-4).map((m, i, all) => ({
        id: i === all.length - 1 ? "figure" : "month-" + m,
        name: monthHeader(s, m, months.get(m)),
        num: (x: SeriesSummary) => x.months?.find((f) => f.month === m)?.value,
      }))
    : [figure];
  switch (s.point) {
    case "cumulative":
      return figs;
    case "new":
      return [...figs, max, on];
    case "trailing30d":
      return [...figs, max, on, change];
    case "level":
      return [...figs, on, mean, last];
    case "average":
      return [...figs, max, on, last];
  }
  return [...figs, mean, max, on];
}

/** The summary table: one row per series, its colour as in the chart. */
export function seriesTable(s: Summary): HTMLTableElement {
  const series = s.series ?? [];
  const cols = columns(s);
  const cells = cols.map((c) => {
    if (!c.num) return series.map((x) => (x.points === 0 ? "—" : c.text!(x)));
    const vals = series.map((x) => c.num!(x));
    const texts = column(vals.map((v) => v ?? NaN), c.derived);
    return texts.map((t, i) => (series[i].points === 0 || vals[i] == null ? "—" : t));
  });
  const head = h("tr", null, h("th", null, "series"), ...cols.map((c) => h("th", { "data-col": c.id, class: c.num ? "num" : undefined }, c.name)));
  const body = series.map((x, i) =>
    h(
      "tr",
      { "data-series": x.label },
      h("td", { class: "label" }, h("i", { class: "swatch", style: `background:${palette[i % palette.length]}` }), x.label),
      ...cols.map((c, j) => h("td", { "data-col": c.id, class: c.num ? "num" : undefined, "data-value": c.num ? String(c.num(x) ?? "") : undefined }, cells[j][i])),
    ),
  );
  return h("table", { class: "figures", "data-cols": String(cols.length) }, h("thead", null, head), h("tbody", null, ...body));
}

/** The answer in words: the headline's text. */
export function answer(s: Summary): HTMLElement | null {
  const hl = s.headline;
  if (!hl?.text) return null;
  let text = hl.text;
  if (hl.billed != null && hl.billedUnit && !text.includes(hl.billedUnit)) text += ` (${column([hl.billed])[0]} ${hl.billedUnit} billed)`;
  return h("p", { class: "answer" }, h("b", null, "Answer: "), text);
}

/** What the figures mean: the answer (unless shown already), what a point is, the running bucket, notes, hints. */
export function notes(s: Summary, withAnswer = true): HTMLElement {
  const out = h("div", { class: "notes" });
  const a = withAnswer && answer(s);
  if (a) out.append(a);
  if (s.kind === "series" && s.meaning && !s.empty) {
    out.append(h("p", null, `Each point: ${s.unit ?? "units"}, ${s.meaning}.`));
  }
  if (s.lastBucketInProgress) {
    const at = when(Date.parse(s.lastBucketInProgress), s.range?.tz, s.granularity);
    out.append(h("p", { class: "progress" }, `The last bucket (${at}, shaded) is still in progress: its value is partial.`));
  }
  for (const n of s.notes ?? []) out.append(h("p", { class: "note" }, n));
  if (s.hint) out.append(h("p", { class: "hint" }, s.hint));
  return out;
}

/** End-of-life statuses, worst first, with their words. */
const statuses: [string, string, string][] = [
  ["EolPast", "past EOL", "eol-past"],
  ["EolNear", "near EOL", "eol-near"],
  ["MajorVersionAvailable", "major version available", "eol-major"],
  ["EolUnknown", "unknown", ""],
  ["EolAllClear", "all clear", "eol-clear"],
];
const rank = (st?: string) => {
  const i = statuses.findIndex(([k]) => k === st);
  return i < 0 ? statuses.length : i;
};

function statusCell(st: string | undefined, cls = "status"): HTMLTableCellElement {
  const known = statuses.find(([k]) => k === st);
  return h("td", { class: cls, "data-status": st ?? "" }, known ? known[1] : st || "—");
}

/** The SDK lists: names, names and versions, or the versions in use with their EOL status. */
export function sdkTable(s: Summary, raw: unknown): HTMLElement {
  if (s.kind === "sdks") {
    return h("table", { class: "sdks" }, h("thead", null, h("tr", null, h("th", null, "SDK"))), h("tbody", null, ...(s.sdks ?? []).map((n) => h("tr", null, h("td", null, n)))));
  }
  if (s.kind === "sdkVersions") {
    const by = new Map<string, string[]>();
    for (const v of s.sdkVersions ?? []) by.set(v.sdk, [...(by.get(v.sdk) ?? []), v.version]);
    return h(
      "table",
      { class: "sdks" },
      h("thead", null, h("tr", null, h("th", null, "SDK"), h("th", null, "versions"))),
      h("tbody", null, ...[...by].map(([n, vs]) => h("tr", null, h("td", null, n), h("td", null, vs.join(", "))))),
    );
  }
  const rowsIn: SDKDetail[] = Array.isArray(raw) ? raw : [];
  const list = rowsIn
    .map((d, i) => ({ d, i }))
    .sort((a, b) => rank(a.d.eolStatus) - rank(b.d.eolStatus) || a.i - b.i)
    .map(({ d }) => d);
  const chips = h("p", { class: "chips" });
  for (const [k, words, cls] of statuses) {
    const n = s.eolStatus?.[k];
    if (n) chips.append(h("span", { class: "chip " + cls, "data-status": k }, `${n} ${words}`));
  }
  const relay = list.some((d) => d.relayVersion);
  const head = h(
    "tr",
    null,
    ...["SDK", "version", "latest", "status", "project", "environment", "type", ...(relay ? ["Relay", "Relay status"] : [])].map((c) => h("th", null, c)),
  );
  const body = list.map((d) => {
    const cls = statuses.find(([k]) => k === d.eolStatus)?.[2];
    return h(
      "tr",
      { class: cls || undefined },
      h("td", null, d.name ?? "—"),
      h("td", null, d.version ?? "—"),
      h("td", null, d.ldLatestVersion ?? "—"),
      statusCell(d.eolStatus),
      h("td", { title: d.projectName }, d.projectKey ?? d.projectName ?? "—"),
      h("td", { title: d.environmentName }, d.environmentKey ?? d.environmentName ?? "—"),
      h("td", null, [d.type, d.connectionType].filter(Boolean).join(" · ") || "—"),
      ...(relay ? [h("td", null, d.relayVersion ?? "—"), statusCell(d.relayEolStatus, "relay")] : []),
    );
  });
  return h("div", null, chips, h("table", { class: "sdks details" }, h("thead", null, head), h("tbody", null, ...body)));
}
