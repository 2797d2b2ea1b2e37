// Numbers, dates and words as the app shows them: exact figures with
// thousands separators in tables and tooltips (the text summary's rules, so
// that the app and the text never disagree on a figure), compact figures of
// three significant digits on axes, one date style everywhere, and the
// API's words (month_to_date, sdkName=) in the words people use.

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const grouped2 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const compact3 = new Intl.NumberFormat("en-US", { notation: "compact", maximumSignificantDigits: 3 });

/** One column's numbers in one format: whole when every value is whole, else
 * two decimals for all; a derived column (means) is whole once it reaches 100. */
export function column(vals: number[], derived = false): string[] {
  let dec = 0;
  let big = false;
  for (const v of vals) {
    const r = Math.round(v * 100) / 100;
    if (Number.isFinite(v) && r !== Math.trunc(r)) dec = 2;
    big ||= Math.abs(v) >= 100;
  }
  if (derived && big) dec = 0;
  return vals.map((v) => num(v, dec));
}

/** A number with thousands separators and dec (0 or 2) decimals. */
export function num(v: number | undefined | null, dec = 0): string {
  if (v == null || !Number.isFinite(v)) return "—";
  return (dec ? grouped2 : grouped).format(Math.round(v * 100) / 100);
}

/** A number as it reads best alone: whole, or two decimals when it has a fraction. */
export function exact(v: number | undefined | null): string {
  if (v == null) return "—";
  return num(v, Math.round(v * 100) / 100 === Math.trunc(v) ? 0 : 2);
}

/** Axis ticks: Intl's compact notation, three significant digits (12.5K, 1.2M). */
export const compact = (v: number): string => compact3.format(v);

/** A change in percent with its sign: +4.1%, -12%. */
export function pct(p: number | undefined): string {
  if (p == null || !Number.isFinite(p)) return "—";
  const sign = p < 0 ? "-" : "+";
  const a = Math.abs(p);
  return sign + (a < 10 ? a.toFixed(1) : grouped.format(Math.round(a))) + "%";
}

// --- Time, in the answer's zone -------------------------------------------

const fmts = new Map<string, Intl.DateTimeFormat>();
function fmt(tz: string, o: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const k = tz + JSON.stringify(o);
  let f = fmts.get(k);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat("en-US", { ...o, timeZone: tz });
    } catch {
      f = new Intl.DateTimeFormat("en-US", { ...o, timeZone: "UTC" });
    }
    fmts.set(k, f);
  }
  return f;
}

/** The calendar fields of a time in a zone: year, month (1–12), day, hour, minute. */
export function parts(ms: number, tz: string): [number, number, number, number, number] {
  const p: Record<string, number> = {};
  for (const x of fmt(tz, { year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", hourCycle: "h23" }).formatToParts(ms)) {
    if (x.type !== "literal") p[x.type] = Number(x.value);
  }
  return [p.year, p.month, p.day, p.hour % 24, p.minute];
}

/** The time of a wall-clock date in a zone (months and days may overflow, as Date.UTC's). */
export function zoned(tz: string, y: number, mo: number, d = 1, hr = 0): number {
  const guess = Date.UTC(y, mo - 1, d, hr);
  const [py, pm, pd, ph, pmin] = parts(guess, tz);
  const off = Date.UTC(py, pm - 1, pd, ph, pmin) - guess;
  return guess - off;
}

/** The start of the month after the one ms falls in. */
export function monthEnd(ms: number, tz: string): number {
  const [y, m] = parts(ms, tz);
  return zoned(tz, y, m + 1);
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

/** The one date style: Oct 28 (with the year unless year is false), Oct 28, 14:00 for times of day. */
export function date(ms: number, tz = "UTC", time = false, year = true): string {
  const [y, m, d, hr, mi] = parts(ms, tz);
  let s = `${MONTHS[m - 1].slice(0, 3)} ${d}` + (year ? `, ${y}` : "");
  if (time) s += `, ${String(hr).padStart(2, "0")}:${String(mi).padStart(2, "0")}`;
  return s;
}

/** "2026-11" → "Nov 2026" (long: "November 2026"). */
export function monthName(m: string, long = false): string {
  const [y, mo] = m.split("-").map(Number);
  if (!y || !mo) return m;
  return (long ? MONTHS[mo - 1] : MONTHS[mo - 1].slice(0, 3)) + " " + y;
}

/** The month ("2026-11") a time falls in. */
export function monthOf(ms: number, tz = "UTC"): string {
  const [y, m] = parts(ms, tz);
  return `${y}-${String(m).padStart(2, "0")}`;
}

/** Whether buckets of this granularity start at a time of day worth showing. */
export const timed = (g?: string) => g === "minutely" || g === "hourly";

// --- Words ------------------------------------------------------------------

const WORDS: Record<string, string> = {
  sdkName: "SDK",
  sdkType: "SDK type",
  sdkVersion: "SDK version",
  sdkAppId: "application",
  contextKind: "context kind",
  projectKey: "project",
  projectId: "project",
  environmentKey: "environment",
  environmentId: "environment",
  featureFlagKey: "flag",
  variationId: "variation",
  connectionType: "connection type",
  month_to_date: "month to date",
  incremental: "per bucket",
  groupBy: "by",
};

/** An API word in words: sdkName → SDK, month_to_date → month to date, relayVersion → relay version. */
export function words(k: string): string {
  return WORDS[k] ?? k.replace(/_/g, " ").replace(/(Key|Id)$/, "").replace(/([a-z])([A-Z])/g, (_, a, b) => a + " " + b.toLowerCase());
}

/** A series label's key=value pairs (tools/labels.go writes "k=v k=v"). */
export function pairs(label: string): [string, string][] {
  const out: [string, string][] = [];
  for (const m of label.matchAll(/(?:^| )([A-Za-z_][\w.]*)=(.*?)(?= [A-Za-z_][\w.]*=|$)/g)) out.push([m[1], m[2]]);
  return out;
}

/** A series label as a person reads it: the values ("JavaScript · 3.2"), "all" for the one series of an ungrouped answer. */
export function seriesName(label: string, only: boolean): string {
  const p = pairs(label);
  // A bare number says little alone: "variation 0", not "0".
  if (p.length) return p.map(([k, v]) => (/^\d+$/.test(v) ? `${words(k)} ${v}` : v)).join(" · ");
  return only || /^\d+$/.test(label) ? (only ? "all" : "series " + label) : label;
}

/** The first letter up: client-side MAU → Client-side MAU. */
export const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A small element builder: h("td", {class: "num"}, "1,234"). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, string | undefined> | null,
  ...kids: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) if (v != null) el.setAttribute(k, v);
  for (const k of kids) if (k != null && k !== false) el.append(k);
  return el;
}

const SVGNS = "http://www.w3.org/2000/svg";
/** An SVG element: s("path", {d: "M0 0"}). */
export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs?: Record<string, string | number | undefined> | null, ...kids: (Node | string | null)[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) if (v != null) el.setAttribute(k, String(v));
  for (const k of kids) if (k != null) el.append(k);
  return el;
}
