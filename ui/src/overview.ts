// The overview (get_usage_overview) as a small dashboard: one card per
// billed measure with its month to date, last month's same point, the
// change, and, when the operator gave entitlements, the share used and the
// month's estimate; the biggest movers marked, the measures that could not
// be read named.
import { exact, h, monthShort, pct } from "./format";
import type { Measure, Summary } from "./types";

function card(m: Measure, mover: boolean, prev: string): HTMLElement {
  const unit = m.unit ? " " + m.unit : "";
  const up = (m.changePct ?? 0) > 0;
  const el = h(
    "section",
    { class: "card" + (m.over ? " over" : "") + (mover ? " mover" : ""), "data-measure": m.name },
    h("h3", null, m.title || m.name, mover ? h("span", { class: "badge" }, "mover") : null),
    h("p", { class: "value", "data-value": m.value != null ? String(m.value) : undefined }, exact(m.value), h("small", null, unit)),
  );
  if (m.billed != null && m.billedUnit) el.append(h("p", { class: "billed" }, `= ${exact(m.billed)} ${m.billedUnit}`));
  if (m.previous != null || m.changePct != null) {
    el.append(
      h(
        "p",
        { class: "prev" },
        `${prev}: ${exact(m.previous)}`,
        m.changePct != null ? h("span", { class: "change " + (up ? "up" : "down") }, ` ${up ? "▲" : "▼"} ${pct(m.changePct)}`) : null,
      ),
    );
  }
  if (m.entitlement != null) {
    // An entitlement counts what is billed: service connections, not minutes.
    const entUnit = m.billedUnit ? " " + m.billedUnit : unit;
    const used = m.billed ?? m.value ?? 0;
    const share = Math.max(0, m.share ?? used / m.entitlement);
    const shown = `${(share * 100).toFixed(1)}% of ${exact(m.entitlement)}${entUnit}`;
    el.append(
      h("div", { class: "bar", title: shown }, h("i", { style: `width:${Math.min(100, share * 100).toFixed(1)}%` })),
      h("p", { class: "share" }, shown),
    );
    if (m.estimate != null) {
      const words = `estimate for the month: ${exact(m.estimate)}${entUnit}` + (m.over ? " — heading past the entitlement" : "");
      el.append(h("p", { class: "estimate", title: m.estimateNote }, words));
    }
  }
  return el;
}

export function overview(s: Summary): HTMLElement {
  const movers = new Set(s.movers ?? []);
  const out = h("div", { class: "overview" });
  const month = s.month ? monthShort(s.month) : "this month";
  const at = (t?: string) => (t ? " " + new Date(t).toUTCString().slice(5, 22) + " UTC" : "");
  const running = s.status !== "complete";
  out.append(h("p", { class: "sub" }, running ? `${month} so far, through${at(s.through)}` : `${month}, complete`));
  const prev = s.previousMonth ? `${monthShort(s.previousMonth)}${running ? " at the same point" : ""}` : "last month";
  out.append(h("div", { class: "cards" }, ...(s.measures ?? []).map((m) => card(m, movers.has(m.name), prev))));
  // How the estimates were made, once for all the measures that have one.
  const how = [...new Set((s.measures ?? []).filter((m) => m.estimate != null && m.estimateNote).map((m) => m.estimateNote!))];
  if (how.length) out.append(h("p", { class: "sub" }, "Estimates: " + how.join("; ") + "."));
  const over = (s.measures ?? []).filter((m) => m.over);
  if (over.length) out.append(h("p", { class: "warn" }, "Heading past the entitlement: " + over.map((m) => m.title || m.name).join(", ") + "."));
  if (s.gaps?.length) {
    out.append(h("div", { class: "gaps" }, h("b", null, "Not read: "), ...s.gaps.map((g) => h("span", { class: "gap", title: g.error }, `${g.name}${g.tool ? ` (${g.tool})` : ""}${g.error ? `: ${g.error}` : ""}`))));
  }
  return out;
}
