// Number and time formatting, the same rules as the text summary
// (tools/text.go) so that the app and the text never disagree on a figure.

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const grouped2 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

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

/** Axis ticks: 1.2k, 35M. */
export function compact(v: number): string {
  const a = Math.abs(v);
  for (const [d, s] of [[1e12, "T"], [1e9, "B"], [1e6, "M"], [1e3, "k"]] as const) {
    if (a >= d) return +(v / d).toFixed(a >= d * 10 ? 0 : 1) + s;
  }
  return String(+v.toFixed(2));
}

/** A change in percent with its sign: +4.1%, -12%. */
export function pct(p: number | undefined): string {
  if (p == null || !Number.isFinite(p)) return "—";
  const sign = p < 0 ? "-" : "+";
  const a = Math.abs(p);
  return sign + (a < 10 ? a.toFixed(1) : grouped.format(Math.round(a))) + "%";
}

/** "2026-11" → "Nov 2026". */
export function monthShort(m: string): string {
  const [y, mo] = m.split("-").map(Number);
  if (!y || !mo) return m;
  return new Date(Date.UTC(y, mo - 1, 1)).toLocaleString("en-US", { month: "short", year: "numeric", timeZone: "UTC" });
}

/** A time in the zone of the answer, at the precision of its buckets. */
export function when(ms: number, tz: string | undefined, granularity: string | undefined): string {
  const opts: Intl.DateTimeFormatOptions = { timeZone: tz || "UTC", month: "short", day: "numeric" };
  if (granularity === "minutely" || granularity === "hourly") {
    Object.assign(opts, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  } else if (granularity === "monthly") {
    delete opts.day;
    opts.year = "numeric";
  } else {
    opts.year = "numeric";
  }
  try {
    return new Date(ms).toLocaleString("en-US", opts);
  } catch {
    return new Date(ms).toISOString();
  }
}

/** A date in a table, as the text summary writes it: Nov 2 (Nov 2 15:04
 * for hourly buckets, Nov 2026 for monthly, 2026-11-02 over a year). */
export function shortDate(ms: number, s: { range?: { from?: string; to?: string; tz?: string }; granularity?: string }): string {
  const tz = s.range?.tz || "UTC";
  const span = Date.parse(s.range?.to ?? "") - Date.parse(s.range?.from ?? "");
  const o: Intl.DateTimeFormatOptions = { timeZone: tz };
  if (s.granularity === "minutely" || s.granularity === "hourly") Object.assign(o, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  else if (s.granularity === "monthly") Object.assign(o, { month: "short", year: "numeric" });
  else if (span > 330 * 864e5) return new Date(ms).toLocaleDateString("en-CA", { timeZone: tz });
  else Object.assign(o, { month: "short", day: "numeric" });
  try {
    return new Date(ms).toLocaleString("en-US", o).replace(",", "");
  } catch {
    return new Date(ms).toISOString().slice(0, 10);
  }
}

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
