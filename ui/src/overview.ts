// The overview (get_usage_overview) as a small dashboard: one card per
// billed measure with its month to date and its unit on one line (billed
// units first), a sparkline of the month so far beside last month's (from
// the raw bodies the overview read), last month's same point and the change
// (under 10% is neutral), and, with entitlements, "X of Y (n %)" with a bar
// that marks the month's estimate.
import { date, exact, h, monthName, monthOf, parts, pct, s as svgEl } from "./format";
import { rows } from "./model";
import type { Measure, Summary } from "./types";

/** Changes smaller than this (in percent, either way) are shown as neutral. */
export const MOVE_PCT = 10;

/** The measure's month so far (and last month, faint) by day of month, as a small line. */
function sparkline(s: Summary, m: Measure, raw: unknown): SVGSVGElement | null {
  const body = m.tool ? (raw as Record<string, unknown> | undefined)?.[m.tool] : undefined;
  const data = rows(body);
  if (!data.length || !s.month) return null;
  const tz = "UTC";
  const col = (month?: string) => data.filter((r) => monthOf(r.time, tz) === month && typeof r["0"] === "number").map((r) => [parts(r.time, tz)[2], r["0"] as number] as const);
  const now = col(s.month), before = col(s.previousMonth);
  if (!now.length) return null;
  const W = 120, H = 28;
  const hi = Math.max(1, ...now.map((p) => p[1]), ...before.map((p) => p[1]));
  const path = (pts: readonly (readonly [number, number])[]) => pts.map(([d, v], i) => `${i ? "L" : "M"}${(((d - 1) / 30) * W).toFixed(1)} ${(H - 2 - (v / hi) * (H - 4)).toFixed(1)}`).join("");
  return svgEl(
    "svg",
    { class: "spark", "data-role": "sparkline", "data-points": now.length, width: "100%", height: H, viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none", "aria-label": `${m.title ?? m.name}, day by day` },
    before.length ? svgEl("path", { class: "before", d: path(before) }) : null,
    svgEl("path", { class: "now", d: path(now) }),
  );
}

function card(s: Summary, m: Measure, mover: boolean, prev: string, raw: unknown): HTMLElement {
  const billed = m.billed != null && !!m.billedUnit;
  const lead = billed ? m.billed : m.value;
  const unit = (billed ? m.billedUnit : m.unit) ?? "";
  const el = h(
    "section",
    { class: "card" + (m.over ? " over" : "") + (mover ? " mover" : ""), "data-measure": m.name },
    h("h3", null, m.title || m.name, mover ? h("span", { class: "badge" }, "mover") : null),
    h("p", { class: "value", "data-value": lead != null ? String(lead) : undefined }, exact(lead), " ", h("span", { class: "unit" }, unit)),
  );
  if (billed) el.append(h("p", { class: "measured", "data-value": String(m.value) }, `${exact(m.value)} ${m.unit}`));
  const line = sparkline(s, m, raw);
  if (line) el.append(line);
  if (m.previous != null || m.changePct != null) {
    const p = m.changePct ?? 0;
    const dir = Math.abs(p) < MOVE_PCT ? "flat" : p > 0 ? "up" : "down";
    const prevShown = billed && m.value ? ((m.previous ?? 0) * m.billed!) / m.value : m.previous;
    el.append(
      h(
        "p",
        { class: "prev" },
        `${prev}: ${exact(prevShown)} `,
        m.changePct != null ? h("span", { class: "change " + dir, "data-role": "change", "data-dir": dir }, `${dir === "up" ? "▲ " : dir === "down" ? "▼ " : ""}${pct(m.changePct)}`) : null,
      ),
    );
  }
  if (m.entitlement != null) {
    const used = (billed ? m.billed : m.value) ?? 0;
    const share = Math.max(0, m.share ?? used / m.entitlement);
    const bar = h("div", { class: "bar", title: `${Math.round(share * 100)}% of the entitlement` }, h("i", { style: `width:${Math.min(100, share * 100).toFixed(1)}%` }));
    if (m.estimate != null) {
      const at = Math.min(100, (m.estimate / m.entitlement) * 100);
      bar.append(h("b", { class: "mark", "data-role": "estimate-marker", "data-value": String(m.estimate), style: `left:${at.toFixed(1)}%`, title: `estimate ${exact(m.estimate)}` }));
    }
    el.append(
      bar,
      h("p", { class: "share", "data-role": "entitlement" }, `${exact(used)} of ${exact(m.entitlement)} ${unit} (${Math.round(share * 100)} %)`),
    );
    if (m.estimate != null) {
      const words = `estimate for the month: ${exact(m.estimate)} ${unit}` + (m.over ? " — heading past the entitlement" : "");
      el.append(h("p", { class: "estimate", title: m.estimateNote }, words));
    }
  }
  return el;
}

export function overview(s: Summary, raw: unknown): HTMLElement {
  const movers = new Set(s.movers ?? []);
  const out = h("div", { class: "overview" });
  const month = s.month ? monthName(s.month, true) : "this month";
  const running = s.status !== "complete";
  const through = Date.parse(s.through ?? "");
  out.append(h("p", { class: "sub", "data-role": "subtitle" }, running ? `${month} so far` + (Number.isFinite(through) ? `, to ${date(through, "UTC", true)} UTC` : "") : `${month}, complete`));
  const prev = s.previousMonth ? `${monthName(s.previousMonth)}${running ? " same point" : ""}` : "last month";
  out.append(h("div", { class: "cards" }, ...(s.measures ?? []).map((m) => card(s, m, movers.has(m.name), prev, raw))));
  const how = [...new Set((s.measures ?? []).filter((m) => m.estimate != null && m.estimateNote).map((m) => m.estimateNote!))];
  if (how.length) out.append(h("p", { class: "sub" }, "Estimates: " + how.join("; ") + ". The bar's mark is the estimate."));
  const over = (s.measures ?? []).filter((m) => m.over);
  if (over.length) out.append(h("p", { class: "warn" }, "Heading past the entitlement: " + over.map((m) => m.title || m.name).join(", ") + "."));
  if (s.gaps?.length) {
    out.append(h("div", { class: "gaps" }, h("b", null, "Not read: "), ...s.gaps.map((g) => h("span", { class: "gap", title: g.error }, `${g.name}${g.tool ? ` (${g.tool})` : ""}${g.error ? `: ${g.error}` : ""}`))));
  }
  return out;
}
