// The tables and notes of a result: the figures table, which is also the
// chart's legend (hover a row to pick out its line, click to hide it); the
// SDK versions grouped by SDK and version with the places they run beneath;
// the words that say what the figures mean. Every figure is the summary's.
import { swatch, type Chart } from "./chart";
import { column, date, exact, h, monthName, pct, seriesName, words } from "./format";
import type { Line, Model } from "./model";
import type { SDKDetail, SeriesSummary, Summary } from "./types";

interface Col {
  id: string;
  name: string;
  num?: (x: SeriesSummary) => number | undefined;
  text?: (x: SeriesSummary) => string;
  derived?: boolean;
  when?: boolean;
}

/** Months shown as columns at most; the earlier ones are named in a note. */
const MONTH_COLS = 3;

function monthHeader(s: Summary, month: string, status?: string): string {
  let name = monthName(month);
  if (s.figure === "monthSum") name = "new " + name;
  if (status === "inProgress") return name + " so far";
  if (status === "partial") return name + " (part)";
  return name;
}

/** The columns that mean something for the kind of point (as tools/text.go), and the months left out. */
function columns(s: Summary, m: Model): { cols: Col[]; leftOut: string[] } {
  const k = m.k;
  const scaled = (f: (x: SeriesSummary) => number | undefined) => (x: SeriesSummary) => {
    const v = f(x);
    return v == null ? v : v * k;
  };
  const hl = s.headline;
  const figName = s.figure === "monthEnd" || s.figure === "monthSum" ? (hl?.month ? monthHeader(s, hl.month, hl.status) : "figure") : s.figure || "figure";
  const figure: Col = { id: "figure", name: figName, num: scaled((x) => x.figure) };
  const max: Col = { id: "max", name: "max", num: scaled((x) => x.max) };
  const on: Col = { id: "on", name: "on", text: (x) => (x.time ? m.tickText(Date.parse(x.time)) : "—"), when: true };
  const mean: Col = { id: "mean", name: "mean", num: scaled((x) => x.mean), derived: s.point !== "average" };
  const last: Col = { id: "last", name: "last", num: scaled((x) => x.last) };
  const change: Col = { id: "change", name: "change", text: (x) => pct(x.changePct) };
  const months = new Map<string, string | undefined>();
  for (const x of s.series ?? []) for (const f of x.months ?? []) months.set(f.month, f.status);
  const sorted = [...months.keys()].sort();
  const monthly = (s.figure === "monthEnd" || s.figure === "monthSum") && months.size > 1;
  const shown = monthly ? sorted.slice(-MONTH_COLS) : [];
  const figs: Col[] = monthly
    ? shown.map((mo, i) => ({
        id: i === shown.length - 1 ? "figure" : "month-" + mo,
        name: monthHeader(s, mo, months.get(mo)),
        num: scaled((x: SeriesSummary) => x.months?.find((f) => f.month === mo)?.value),
      }))
    : [figure];
  // Billed units lead; the measured unit (connection minutes) beside.
  if (k !== 1) figs.push({ id: "measured", name: s.unit || "measured", num: (x) => x.figure });
  const leftOut = monthly ? sorted.slice(0, -MONTH_COLS) : [];
  switch (s.point) {
    case "cumulative":
      return { cols: figs, leftOut };
    case "new":
      return { cols: [...figs, max, on], leftOut };
    case "trailing30d":
      return { cols: [...figs, max, on, change], leftOut };
    case "level":
      return { cols: [...figs, on, mean, last], leftOut };
    case "average":
      return { cols: [...figs, max, on, last], leftOut };
  }
  return { cols: [...figs, mean, max, on], leftOut };
}

/** The figures table, which is the chart's legend too. */
export function seriesTable(s: Summary, m: Model, chart?: Chart): { table: HTMLTableElement; leftOut: string[] } {
  const series = s.series ?? [];
  const { cols, leftOut } = columns(s, m);
  const cells = cols.map((c) => {
    if (!c.num) return series.map((x) => (x.points === 0 ? "—" : c.text!(x)));
    const vals = series.map((x) => c.num!(x));
    const texts = column(vals.map((v) => v ?? NaN), c.derived);
    return texts.map((t, i) => (series[i].points === 0 || vals[i] == null ? "—" : t));
  });
  const head = h("tr", null, h("th", null, "series"), ...cols.map((c) => h("th", { "data-col": c.id, class: c.num ? "num" : undefined }, c.name)));
  const line = (key: string) => m.lines.find((l) => l.key === key);
  const other = m.lines.find((l) => l.members);
  const row = (x: SeriesSummary, i: number) => {
    const l = line(x.key);
    const member = other?.members?.includes(x.key);
    return h(
      "tr",
      { "data-role": "table-row", "data-series": x.label, "data-key": x.key, class: member ? "member" : undefined },
      h("td", { class: "label" }, l ? swatch(l.color) : h("i", { class: "swatch none" }), seriesName(x.label, series.length === 1)),
      ...cols.map((c, j) => h("td", { "data-col": c.id, class: c.when ? "when" : c.num ? "num" : undefined, "data-value": c.num ? String(c.num(x) ?? "") : undefined }, cells[j][i])),
    );
  };
  const body: HTMLElement[] = [];
  series.forEach((x, i) => {
    if (other?.members?.includes(x.key)) return;
    body.push(row(x, i));
  });
  if (other) {
    const sum = (f: (x: SeriesSummary) => number | undefined) => series.filter((x) => other.members!.includes(x.key)).reduce((a, x) => a + (f(x) ?? 0), 0);
    body.push(
      h(
        "tr",
        { "data-role": "table-row", "data-series": "other", "data-key": "other", class: "other" },
        h("td", { class: "label" }, swatch(other.color), other.name),
        ...cols.map((c) => h("td", { "data-col": c.id, class: c.num ? "num" : undefined }, c.id === "figure" || c.id === "measured" ? exact(sum(c.num!)) : "")),
      ),
    );
    series.forEach((x, i) => other.members!.includes(x.key) && body.push(row(x, i)));
  }
  // Series that add up: their total, the figure the answer gives.
  if (s.addsAcross && series.length > 1) {
    const total = m.lines.find((l) => l.key === "total");
    body.push(
      h(
        "tr",
        { "data-role": "table-row", "data-series": "total", "data-key": "total", class: "total" },
        h("td", { class: "label" }, total ? swatch(total.color) : h("i", { class: "swatch none" }), "total"),
        ...cols.map((c) => {
          const sum = c.num && (c.id === "figure" || c.id === "measured" || c.id.startsWith("month-")) ? series.reduce((a, x) => a + (c.num!(x) ?? 0), 0) : undefined;
          return h("td", { "data-col": c.id, class: c.num ? "num" : undefined, "data-value": sum != null ? String(sum) : undefined }, sum != null ? exact(sum) : "");
        }),
      ),
    );
  }
  const table = h("table", { class: "figures", "data-role": "figures", "data-cols": String(cols.length) }, h("thead", null, head), h("tbody", null, ...body));
  if (chart) legend(table, m.lines, chart);
  return { table, leftOut };
}

/** The table as the legend: hover a row to pick out its line, click (or Enter) to hide or show it. */
function legend(table: HTMLTableElement, lines: Line[], chart: Chart) {
  for (const tr of table.querySelectorAll<HTMLTableRowElement>("tbody tr")) {
    const key = tr.dataset.key!;
    if (!lines.some((l) => l.key === key)) continue;
    tr.tabIndex = 0;
    tr.setAttribute("aria-pressed", "true");
    tr.title = "click to hide or show its line";
    tr.onmouseenter = () => chart.highlight(key);
    tr.onmouseleave = () => chart.highlight(null);
    const toggle = () => {
      const off = tr.classList.toggle("off");
      tr.setAttribute("aria-pressed", String(!off));
      chart.hide(key, off);
    };
    tr.onclick = toggle;
    tr.onkeydown = (e) => (e.key === "Enter" || e.key === " ") && (e.preventDefault(), toggle());
  }
}

/** The answer in words: the headline's text. */
export function answer(s: Summary): HTMLElement | null {
  const hl = s.headline;
  if (!hl?.text) return null;
  // The summary's words, with its API words said as people say them (sdkName=Go → SDK Go).
  return h("p", { class: "answer", "data-role": "answer" }, hl.text.replace(/\b([a-z][A-Za-z]*)=(?=\S)/g, (_, k) => words(k) + " "));
}

/** What the figures mean: the answer (unless shown already), what a point is, the running bucket, the estimate, notes, hints. */
export function notes(s: Summary, m?: Model, leftOut: string[] = [], withAnswer = true): HTMLElement {
  const out = h("div", { class: "notes" });
  const a = withAnswer && answer(s);
  if (a) out.append(a);
  if (s.kind === "series" && s.meaning && !s.empty) out.append(h("p", null, `Each point: ${s.unit ?? "units"}, ${s.meaning}.`));
  if (leftOut.length) {
    out.append(h("p", { "data-role": "left-out" }, `${leftOut.map((x) => monthName(x)).join(", ")}: in the chart, not in the table (it shows the last ${MONTH_COLS} months).`));
  }
  if (s.lastBucketInProgress) {
    out.append(h("p", { class: "progress" }, `The last bucket (${date(Date.parse(s.lastBucketInProgress), s.range?.tz, s.granularity === "hourly")}, shaded) is still in progress: its value is partial.`));
  }
  if (m?.estimates.length) {
    const end = date(m.domain[1], m.tz);
    out.append(
      h("p", { "data-role": "estimate-note" }, `Dotted: an estimate to ${end}, ${m.estimateHow}: `, m.estimates.map((e) => `${m.lines.find((l) => l.key === e.key)?.name} ~${exact(Math.round(e.value))}`).join(", "), "."),
    );
  }
  if (m?.projection.length) {
    out.append(
      h("p", { "data-role": "projection-note" }, "Dashed to the month's end: LaunchDarkly's own projection (projectedSeries), ", m.projection.map((p) => `${m.lines.find((l) => l.key === p.key)?.name} ~${exact(Math.round(p.value * 100) / 100)}`).join(", "), "."),
    );
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
  ["EolUnknown", "unknown", "eol-unknown"],
  ["EolAllClear", "all clear", "eol-clear"],
];
const rank = (st?: string) => {
  const i = statuses.findIndex(([k]) => k === st);
  return i < 0 ? statuses.length : i;
};
const said = (st?: string) => statuses.find(([k]) => k === st)?.[1] ?? (st || "unknown");
const https = (u?: string) => (u && /^https:\/\/[^\s"'<>]+$/.test(u) ? u : undefined);

interface Group {
  name: string;
  version: string;
  status?: string;
  latest?: string;
  url?: string;
  places: Set<string>;
}

/** The SDK versions in use, one entry per SDK and version (the answer's count), its places beneath. */
export function groups(raw: unknown): Group[] {
  const by = new Map<string, Group>();
  for (const d of (Array.isArray(raw) ? raw : []) as SDKDetail[]) {
    if (!d || typeof d !== "object") continue;
    const k = `${d.name}\u0000${d.version}`;
    let g = by.get(k);
    if (!g) by.set(k, (g = { name: d.name ?? "—", version: d.version ?? "—", places: new Set() }));
    if (rank(d.eolStatus) < rank(g.status) || g.status == null) g.status = d.eolStatus;
    g.latest ??= d.ldLatestVersion;
    g.url ??= https(d.latestReleaseUrl);
    const where = [d.projectKey ?? d.projectName, d.environmentKey ?? d.environmentName].filter(Boolean).join("/");
    const relay = d.relayVersion ? ` via Relay ${d.relayVersion}${d.relayEolStatus && d.relayEolStatus !== "EolAllClear" ? ` (${said(d.relayEolStatus)})` : ""}` : "";
    if (where || relay) g.places.add(where + relay);
  }
  return [...by.values()].sort((a, b) => rank(a.status) - rank(b.status) || a.name.localeCompare(b.name) || b.version.localeCompare(a.version, "en", { numeric: true }));
}

function versionEntry(g: Group, open: (url: string) => void): HTMLElement {
  const cls = statuses.find(([k]) => k === g.status)?.[2] ?? "";
  const latest = g.latest && g.latest !== g.version ? g.latest : undefined;
  let link: HTMLElement | null = null;
  if (latest) {
    link = g.url ? h("a", { href: g.url, "data-role": "release-notes", target: "_blank", rel: "noopener" }, latest) : h("span", null, latest);
    if (g.url) link.onclick = (e) => (e.preventDefault(), open(g.url!));
  }
  return h(
    "li",
    { class: "ver", "data-role": "sdk-version", "data-sdk": g.name, "data-version": g.version, "data-status": g.status ?? "" },
    h("div", { class: "vhead" }, h("b", null, `${g.name} ${g.version}`), " ", h("span", { class: "status " + cls, "data-role": "status" }, said(g.status)), link ? h("span", { class: "latest" }, " → ", link) : null),
    g.places.size ? h("p", { class: "places", "data-role": "places", "data-count": String(g.places.size) }, [...g.places].join(" · ")) : null,
  );
}

/** The SDK lists: names, names and versions, or the versions in use with their EOL status. */
export function sdkView(s: Summary, raw: unknown, open: (url: string) => void): HTMLElement {
  if (s.kind === "sdks") {
    return h("ul", { class: "plain", "data-role": "sdk-list" }, ...(s.sdks ?? []).map((n) => h("li", null, n)));
  }
  if (s.kind === "sdkVersions") {
    const by = new Map<string, string[]>();
    for (const v of s.sdkVersions ?? []) by.set(v.sdk, [...(by.get(v.sdk) ?? []), v.version]);
    return h("ul", { class: "plain", "data-role": "sdk-list" }, ...[...by].map(([n, vs]) => h("li", { "data-sdk": n }, h("b", null, n), " ", vs.join(", "))));
  }
  const gs = groups(raw);
  const chips = h("p", { class: "chips" });
  for (const [k, w, cls] of statuses) {
    const mine = gs.filter((g) => g.status === k);
    if (!mine.length) continue;
    // Versions and places (project environments) counted apart, as the
    // answer counts them; the summary's own counts where it has them.
    const sc = s as { eolPastVersions?: number; eolPastPlaces?: number };
    const past = k === "EolPast" && sc.eolPastVersions != null && sc.eolPastPlaces != null;
    const places = { size: past ? sc.eolPastPlaces! : new Set(mine.flatMap((g) => [...g.places].map((p) => p.replace(/ via .*/, "")))).size };
    const versions = past ? sc.eolPastVersions! : mine.length;
    chips.append(
      h(
        "span",
        { class: "chip " + cls, "data-role": "eol-count", "data-status": k, "data-versions": String(versions), "data-places": String(places.size) },
        `${versions} ${versions === 1 ? "version" : "versions"} ${w}` + (k !== "EolAllClear" ? ` · in ${places.size} ${places.size === 1 ? "environment" : "environments"}` : ""),
      ),
    );
  }
  const attention = gs.filter((g) => g.status !== "EolAllClear");
  const clear = gs.filter((g) => g.status === "EolAllClear");
  return h(
    "div",
    { class: "sdkv" },
    chips,
    h("ul", { class: "vers", "data-role": "attention" }, ...attention.map((g) => versionEntry(g, open))),
    clear.length
      ? h("details", { "data-role": "clear" }, h("summary", null, `${clear.length} ${clear.length === 1 ? "version" : "versions"} all clear`), h("ul", { class: "vers" }, ...clear.map((g) => versionEntry(g, open))))
      : null,
  );
}
