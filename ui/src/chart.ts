// The time chart of a series result, drawn as SVG so that everything on it
// is in the DOM (axis texts, lines, the entitlement, the estimate, the month
// rules, the peaks) for the browser tests and for assistive technology: one
// line per drawn series, a break and a rule at each month start for
// cumulative (month-to-date) lines, the running month's estimate dotted to
// the month's end, the entitlement dashed, the peak of level charts marked,
// a vertical cursor with a tooltip near it (exact figures).
import { compact, date, exact, h, monthOf, parts, s, zoned } from "./format";
import type { Model } from "./model";

const COLORS = 8;
/** A series' colour (a CSS variable of the theme) and, past the palette, a second cue: its dash. */
export const color = (i: number) => (i < 0 ? "var(--fg)" : `var(--s${i % COLORS})`);
export const DASHES = ["", "6 3", "1.5 3"];
export const dash = (i: number) => (i < 0 ? DASHES[1] : DASHES[Math.floor(i / COLORS) % DASHES.length]);
/** A swatch: the line's colour and its dash, the second cue once colours repeat. */
export function swatch(c: number): HTMLElement {
  const d = dash(c);
  return h("i", { class: "swatch", style: `border-top-color:${color(c)};border-top-style:${d ? (d === DASHES[1] ? "dashed" : "dotted") : "solid"}` });
}

export interface Chart {
  el: HTMLElement;
  draw(width: number): void;
  hide(key: string, off: boolean): void;
  highlight(key: string | null): void;
}

/** Nice linear ticks over [lo, hi]: steps of 1, 2 or 5 × 10^k. */
export function linearTicks(lo: number, hi: number, n: number): number[] {
  const raw = (hi - lo) / Math.max(1, n) || 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  const step = mag * (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10);
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.round(v / step) * step);
  return out;
}

const H = 3.6e6, D = 864e5, M = 2.63e9;
const xUnits: [string, number, number][] = [
  ["h", 1, H], ["h", 3, 3 * H], ["h", 6, 6 * H], ["h", 12, 12 * H], ["d", 1, D], ["d", 2, 2 * D], ["d", 7, 7 * D], ["d", 14, 14 * D],
  ["m", 1, M], ["m", 2, 2 * M], ["m", 3, 3 * M], ["m", 6, 6 * M], ["m", 12, 12 * M],
];

/** Time ticks at calendar steps in the answer's zone, with their texts in the one date style. */
export function timeTicks(x0: number, x1: number, n: number, tz: string, bucket: number): [number, string][] {
  const unit = xUnits.find((u) => u[2] >= bucket * 0.9 && (x1 - x0) / u[2] <= n) ?? xUnits[xUnits.length - 1];
  const [kind, step] = unit;
  const [y, mo, d, hr] = parts(x0, tz);
  const out: [number, string][] = [];
  for (let i = 0; out.length < 60; i++) {
    // Weeks and fortnights start on the 1st of each month (1, 8, 15, 22; 1, 15).
    const days = step === 7 ? [1, 8, 15, 22] : [1, 15];
    const t =
      kind === "h" ? zoned(tz, y, mo, d, Math.floor(hr / step) * step + i * step)
      : kind === "d" && step < 7 ? zoned(tz, y, mo, d + i * step)
      : kind === "d" ? zoned(tz, y, mo + Math.floor(i / days.length), days[i % days.length])
      : zoned(tz, y, Math.floor((mo - 1) / step) * step + 1 + i * step);
    if (t > x1) break;
    if (t < x0) continue;
    const p = parts(t, tz);
    const text = kind === "m" ? date(t, tz).replace(/ \d+,/, "") : kind === "h" && p[3] !== 0 ? `${String(p[3]).padStart(2, "0")}:00` : date(t, tz, false, false);
    out.push([t, text]);
  }
  return out;
}

export function chart(m: Model): Chart {
  const el = h("div", { class: "chart", "data-role": "chart", "data-scale": m.log ? "log" : "linear" });
  const tip = h("div", { class: "tip", "data-role": "tooltip", hidden: "" });
  const off = new Set<string>();
  let focus: string | null = null;
  let width = 0;

  function draw(w: number) {
    width = w;
    const H = w < 480 ? 220 : 280;
    const lines = m.lines.filter((l) => !off.has(l.key));
    // The y domain: every drawn value, the estimates, the entitlement.
    const vals: number[] = [];
    for (const l of lines) for (const v of l.ys) if (v != null && (!m.log || v > 0)) vals.push(v);
    for (const e of m.estimates) if (!off.has(e.key)) vals.push(e.y1);
    for (const p of m.projection) if (!off.has(p.key)) for (const q of p.pts) vals.push(q[1]);
    if (m.entitlement) vals.push(m.entitlement);
    let lo = Math.min(...vals), hi = Math.max(...vals);
    if (!vals.length) (lo = 0), (hi = 1);
    let yt: number[];
    if (m.log) {
      const a = Math.floor(Math.log10(Math.max(lo, 1e-9))), b = Math.max(a + 1, Math.ceil(Math.log10(hi)));
      yt = [];
      for (let k = a; k <= b; k++) for (const f of b - a <= 2 ? [1, 2, 5] : [1]) if (f * 10 ** k <= 10 ** b) yt.push(f * 10 ** k);
      (lo = 10 ** a), (hi = 10 ** b);
    } else {
      lo = Math.min(0, lo);
      if (hi === lo) hi = lo + 1;
      yt = linearTicks(lo, hi, Math.max(3, Math.round(H / 55)));
      // The top tick at or above the highest value: the scale ends on a tick.
      const step = yt.length > 1 ? yt[1] - yt[0] : hi - lo;
      while (yt[yt.length - 1] < hi) yt.push(Math.round((yt[yt.length - 1] + step) / step) * step);
      hi = yt[yt.length - 1];
    }
    const ytext = yt.map(compact);
    const left = 10 + 7 * Math.max(...ytext.map((t) => t.length));
    const top = 24, bottom = 24, right = 12;
    const pw = w - left - right, ph = H - top - bottom;
    const [x0, x1] = m.domain;
    const X = (t: number) => left + (x1 === x0 ? pw / 2 : ((t - x0) / (x1 - x0)) * pw);
    const Y = (v: number) => top + ph - (m.log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : (v - lo) / (hi - lo)) * ph;
    const ok = (v: number | null | undefined): v is number => v != null && Number.isFinite(v) && (!m.log || v > 0);

    const svg = s("svg", { width: w, height: H, viewBox: `0 0 ${w} ${H}`, role: "img", "aria-label": m.title });
    const g = (role: string) => svg.appendChild(s("g", { "data-role": role }));
    // Axes and grid.
    const ya = g("y-axis");
    yt.forEach((v, i) => {
      ya.append(s("line", { class: "grid", x1: left, x2: left + pw, y1: Y(v), y2: Y(v) }));
      ya.append(s("text", { class: "tick", x: left - 6, y: Y(v) + 4, "text-anchor": "end", "data-value": v }, ytext[i]));
    });
    ya.append(s("text", { class: "unit", x: 4, y: 12, "data-role": "y-unit" }, m.unit));
    const xa = g("x-axis");
    xa.append(s("line", { class: "axis", x1: left, x2: left + pw, y1: top + ph, y2: top + ph }));
    const xt = m.xs.length === 1 ? [[m.xs[0], m.tickText(m.xs[0])] as [number, string]] : timeTicks(x0, x1, Math.max(3, Math.floor(pw / 75)), m.tz, m.step);
    for (const [t, text] of xt) {
      xa.append(s("line", { class: "axis", x1: X(t), x2: X(t), y1: top + ph, y2: top + ph + 4 }));
      xa.append(s("text", { class: "tick", x: X(t), y: H - 6, "text-anchor": "middle", "data-time": t }, text));
    }
    // The running bucket, shaded.
    if (m.inProgress != null && m.inProgress <= x1) {
      svg.append(s("rect", { class: "running", "data-role": "in-progress", x: X(m.inProgress), y: top, width: Math.max(2, X(Math.min(x1, m.inProgress + m.step)) - X(m.inProgress)), height: ph }));
    }
    // Month rules: where cumulative lines start again from zero.
    for (const t of m.monthStarts) {
      const r = g("month-rule");
      r.dataset.time = String(t);
      r.append(s("line", { class: "rule", x1: X(t), x2: X(t), y1: top, y2: top + ph }), s("text", { class: "tick", x: X(t) + 4, y: top + 10 }, date(t, m.tz, false, false).replace(/ \d+$/, "")));
    }
    // The entitlement, dashed, with its value.
    if (m.entitlement) {
      const e = g("entitlement-line");
      e.dataset.value = String(m.entitlement);
      e.append(
        s("line", { class: "plan", x1: left, x2: left + pw, y1: Y(m.entitlement), y2: Y(m.entitlement) }),
        s("text", { class: "tick plan", x: left + pw - 2, y: Y(m.entitlement) - 4, "text-anchor": "end" }, `entitlement ${compact(m.entitlement)}`),
      );
    }
    // The lines: a gap where a value is missing and, for cumulative lines, at each month start.
    m.lines.forEach((l) => {
      if (off.has(l.key)) return;
      let d = "";
      const dots: number[] = [];
      for (let j = 0; j < m.xs.length; j++) {
        const v = l.ys[j];
        if (!ok(v)) continue;
        const joined = j > 0 && ok(l.ys[j - 1]) && !(m.cumulative && monthOf(m.xs[j], m.tz) !== monthOf(m.xs[j - 1], m.tz));
        const next = j + 1 < m.xs.length && ok(l.ys[j + 1]) && !(m.cumulative && monthOf(m.xs[j + 1], m.tz) !== monthOf(m.xs[j], m.tz));
        d += (joined ? "L" : "M") + X(m.xs[j]).toFixed(1) + " " + Y(v).toFixed(1);
        if (!joined && !next) dots.push(j);
      }
      const grp = svg.appendChild(s("g", { "data-role": "series", "data-series": l.key, class: focus && focus !== l.key ? "dim" : undefined }));
      grp.append(s("path", { class: "line", d, style: `stroke:${color(l.color)}` + (dash(l.color) ? `;stroke-dasharray:${dash(l.color)}` : "") }));
      for (const j of dots) grp.append(s("circle", { class: "dot", cx: X(m.xs[j]), cy: Y(l.ys[j]!), r: 3.5, style: `fill:${color(l.color)}` }));
    });
    // The running month's estimate, dotted to the month's end, and LaunchDarkly's projection.
    const labelled: number[] = [];
    for (const e of m.estimates) {
      if (off.has(e.key)) continue;
      // A label where it does not run into another's; the notes list them all.
      const ly = Y(e.y1) - 6;
      const room = labelled.every((y) => Math.abs(y - ly) > 13);
      if (room) labelled.push(ly);
      const l = m.lines.find((x) => x.key === e.key)!;
      const grp = g("estimate");
      Object.assign(grp.dataset, { series: e.key, value: String(e.value) });
      grp.append(
        s("path", { class: "est", d: `M${X(e.x0)} ${Y(e.y0)}L${X(e.x1)} ${Y(e.y1)}`, style: `stroke:${color(l.color)}` }),
      );
      if (room) grp.append(s("text", { class: "tick", x: X(e.x1) - 2, y: ly, "text-anchor": "end" }, `est. ${compact(e.value)}`));
    }
    for (const p of m.projection) {
      if (off.has(p.key)) continue;
      const l = m.lines.find((x) => x.key === p.key)!;
      const grp = g("projection");
      Object.assign(grp.dataset, { series: p.key, value: String(p.value) });
      const [tx, ty] = p.pts[p.pts.length - 1];
      const ly = Y(ty) - 6;
      grp.append(s("path", { class: "est proj", d: p.pts.map((q, i) => (i ? "L" : "M") + X(q[0]).toFixed(1) + " " + Y(q[1]).toFixed(1)).join(""), style: `stroke:${color(l.color)}` }));
      if (labelled.every((y) => Math.abs(y - ly) > 13)) {
        labelled.push(ly);
        grp.append(s("text", { class: "tick", x: X(tx) - 2, y: ly, "text-anchor": "end" }, `LaunchDarkly: ${compact(p.value)}`));
      }
    }
    // Peaks of level charts, with their time.
    for (const p of m.peaks) {
      if (off.has(p.key)) continue;
      const l = m.lines.find((x) => x.key === p.key)!;
      const px = X(p.t), py = Y(p.v);
      const grp = g("peak");
      Object.assign(grp.dataset, { series: p.key, value: String(p.v), time: String(p.t) });
      const text = `peak ${exact(p.v)}, ${m.tickText(p.t)}`;
      grp.append(
        s("circle", { class: "peak", cx: px, cy: py, r: 4.5, style: `stroke:${color(l.color)}` }),
        s("text", { class: "tick peak", x: px > left + pw / 2 ? px - 8 : px + 8, y: Math.max(top + 10, py - 8), "text-anchor": px > left + pw / 2 ? "end" : "start" }, text),
      );
    }
    // The cursor: a vertical rule, the values at it, a tooltip near it.
    const cursor = g("cursor");
    const hit = s("rect", { x: left, y: top, width: pw, height: ph, fill: "transparent", "data-role": "hover" });
    svg.append(hit);
    hit.onpointermove = (ev) => {
      const r = hit.getBoundingClientRect();
      const t = x0 + ((ev.clientX - r.left) / r.width) * (x1 - x0);
      let j = 0;
      for (let k = 1; k < m.xs.length; k++) if (Math.abs(m.xs[k] - t) < Math.abs(m.xs[j] - t)) j = k;
      const at = X(m.xs[j]);
      cursor.replaceChildren(s("line", { class: "rule", x1: at, x2: at, y1: top, y2: top + ph }));
      const shown = m.lines.filter((l) => !off.has(l.key) && ok(l.ys[j])).sort((a, b) => b.ys[j]! - a.ys[j]!);
      for (const l of shown) cursor.append(s("circle", { cx: at, cy: Y(l.ys[j]!), r: 3.5, style: `fill:${color(l.color)}` }));
      tip.replaceChildren(
        h("b", { "data-role": "tooltip-time" }, m.tickText(m.xs[j], true)),
        ...shown.map((l) => h("div", { "data-series": l.key }, swatch(l.color), h("span", null, l.name), h("span", { class: "num", "data-value": String(l.ys[j]) }, exact(l.ys[j])))),
      );
      tip.hidden = false;
      const box = el.getBoundingClientRect();
      const cx = ev.clientX - box.left, cy = ev.clientY - box.top;
      const tw = tip.offsetWidth;
      tip.style.left = `${Math.max(0, cx + 14 + tw > width ? cx - 14 - tw : cx + 14)}px`;
      tip.style.top = `${Math.max(0, cy - 10)}px`;
    };
    hit.onpointerleave = () => {
      cursor.replaceChildren();
      tip.hidden = true;
    };
    el.replaceChildren(svg, tip);
  }

  return {
    el,
    draw,
    hide(key, hidden) {
      if (hidden) off.add(key);
      else off.delete(key);
      if (width) draw(width);
    },
    highlight(key) {
      focus = key;
      for (const g of el.querySelectorAll<SVGGElement>('[data-role="series"]')) g.classList.toggle("dim", !!key && g.dataset.series !== key);
    },
  };
}
