// The MCP App of ld-usage-mcp: it receives a usage tool's result from the
// host (the official ext-apps App, over the host's postMessage channel) and
// draws its structuredContent — a chart and a table for a series, a table
// for an SDK list, a dashboard for the overview. It reads structuredContent
// only, never the text, and needs no network.
import "./jitless";
import {
  App,
  applyDocumentTheme,
  applyHostFonts,
  applyHostStyleVariables,
  type McpUiHostContext,
} from "@modelcontextprotocol/ext-apps";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import "./app.css";
import { chart as drawChart, type Chart } from "./chart";
import { exact, h } from "./format";
import { model, type Model } from "./model";
import { overview } from "./overview";
import { answer, groups, notes, sdkView, seriesTable } from "./tables";
import type { Summary } from "./types";

const root = document.getElementById("root")!;
let last: CallToolResult | undefined;
let chart: Chart | undefined;
let scale: boolean | undefined; // the person's choice of log scale, once made
let plotWrap: HTMLElement | undefined;
const plotWidth = () => Math.max(240, plotWrap?.clientWidth ?? 0);
// Follow the width the host gives (a frame later: drawing inside the
// observer's callback would move the observed box again, a loop).
let drawnWidth = 0;
const resized = new ResizeObserver(() =>
  requestAnimationFrame(() => {
    const w = plotWidth();
    if (chart && w !== drawnWidth) chart.draw((drawnWidth = w));
  }),
);

function header(title: string, sub: string, s: Summary, extra?: Node | null): HTMLElement {
  return h(
    "header",
    null,
    h("h2", null, h("span", { "data-role": "chart-title" }, title), s.demo ? h("span", { class: "badge demo", title: "synthetic data from the built-in emulator" }, "demo data") : null),
    extra ?? null,
    sub ? h("p", { class: "sub", "data-role": "subtitle" }, sub) : null,
  );
}

/** "X of Y (n %)": the answer's figure against the plan's entitlement. */
function entitlement(s: Summary, m: Model): HTMLElement | null {
  // Series that overlap (unique counts by SDK) have no total to hold against it.
  if (!m.entitlement || s.headline?.of === "largest series") return null;
  const used = s.headline?.billed ?? s.headline?.value;
  if (used == null) return null;
  const share = used / m.entitlement;
  return h(
    "p",
    { class: "ent" + (share > 1 ? " over" : ""), "data-role": "entitlement", "data-value": String(used), "data-of": String(m.entitlement) },
    `${exact(used)} of ${exact(m.entitlement)} ${m.unit} (${Math.round(share * 100)} %)`,
  );
}

/** A panel that says what happened, in the result's own words. */
function panel(role: string, title: string, ...lines: (string | undefined | null)[]) {
  chart = undefined;
  root.replaceChildren(h("div", { class: "panel " + role, "data-role": role, role: role === "error" ? "alert" : "status" }, h("b", null, title), ...lines.filter(Boolean).map((l) => h("p", null, l!))));
}

/** The Linear | Log switch: two buttons, the chosen one pressed. */
function scaleSwitch(log: boolean, choose: (log: boolean) => void): HTMLElement {
  const b = (name: string, on: boolean) => {
    const el = h("button", { type: "button", "data-role": "scale-" + name.toLowerCase(), "aria-pressed": String(on) }, name);
    el.onclick = () => choose(name === "Log");
    return el;
  };
  return h("div", { class: "switch", role: "group", "aria-label": "y scale" }, b("Linear", !log), b("Log", log));
}

function render(result: CallToolResult) {
  last = result;
  chart = undefined;
  resized.disconnect();
  const sc = result.structuredContent as { summary?: Summary; raw?: unknown } | undefined;
  const s = sc?.summary;
  if (result.isError) {
    // A failed call carries no structuredContent: its text says why.
    const text = (result.content ?? []).flatMap((c) => (c.type === "text" ? [c.text] : []));
    panel("error", "The call failed", ...(text.length ? text : ["The host did not pass on the reason."]));
    return;
  }
  if (!s) return panel("empty", "Nothing to draw", "This result has no summary.");
  if (s.empty) return panel("empty", "No usage in this range", s.headline?.text, ...(s.notes ?? []), s.hint);
  switch (s.kind) {
    case "series": {
      const m = model(s, sc.raw, scale);
      if (!m.xs.length || !m.lines.length) return panel("empty", "No usage in this range", s.headline?.text, ...(s.notes ?? []), s.hint);
      const wrap = h("div", { class: "plot" });
      const c = drawChart(m);
      const { table, leftOut } = seriesTable(s, m, c);
      const side = h("div", { class: "side" }, table);
      const beside = Number(table.dataset.cols) <= 2;
      root.replaceChildren(
        header(m.title, m.sub, s, entitlement(s, m)),
        h("div", { class: beside ? "series beside" : "series" }, h("div", { class: "main" }, scaleSwitch(m.log, (log) => ((scale = log), render(result))), wrap), side),
        notes(s, m, leftOut),
      );
      plotWrap = wrap;
      chart = c;
      wrap.append(c.el);
      c.draw((drawnWidth = plotWidth()));
      resized.observe(wrap);
      return;
    }
    case "sdks":
    case "sdkVersions":
    case "sdkVersionDetails": {
      const n = s.count;
      const title = s.kind === "sdks" ? "SDKs sending usage" : s.kind === "sdkVersions" ? "SDK versions streaming" : "SDK versions in use";
      const sub =
        s.kind === "sdkVersionDetails" ? `${groups(sc.raw).length} SDK versions, ${n ?? 0} versions in environments` : n != null ? `${n} in the answer` : "";
      root.replaceChildren(header(title, sub, s), h("div", { class: "notes" }, answer(s)), sdkView(s, sc.raw, open), notes(s, undefined, [], false));
      return;
    }
    case "overview":
      root.replaceChildren(header("Usage this month", "", s), h("div", { class: "notes" }, answer(s)), overview(s, sc.raw), notes(s, undefined, [], false));
      return;
  }
  root.replaceChildren(header(s.asked || "usage", "", s), notes(s));
}

/** Links open through the host (the app's frame may not navigate). */
function open(url: string) {
  app.openLink({ url }).catch((e) => report(String(e)));
}

function applyContext(ctx: McpUiHostContext) {
  if (ctx.theme) applyDocumentTheme(ctx.theme);
  if (ctx.styles?.variables) applyHostStyleVariables(ctx.styles.variables);
  if (ctx.styles?.css?.fonts) applyHostFonts(ctx.styles.css.fonts);
  const dims = ctx.containerDimensions as { height?: number; maxHeight?: number } | undefined;
  if (dims?.height) document.documentElement.style.height = "100vh";
  else if (dims?.maxHeight) document.documentElement.style.maxHeight = dims.maxHeight + "px";
  const inset = ctx.safeAreaInsets;
  if (inset) root.style.padding = `${inset.top}px ${inset.right}px ${inset.bottom}px ${inset.left}px`;
  // The chart's colours are CSS variables of the theme: nothing to redraw.
}

// The app reports its height only (autoResize would send window.innerWidth
// too): a host that sizes its frame's width from the reported width, as the
// MCP Inspector does, would otherwise keep the width the app had at mount and
// never let it follow a wider or narrower panel.
const app = new App({ name: "ld-usage-mcp", version: "1" }, {}, { autoResize: false });
let reportedHeight = 0;
let heightQueued = false;
function reportHeight(): void {
  if (heightQueued) return;
  heightQueued = true;
  requestAnimationFrame(() => {
    heightQueued = false;
    const el = document.documentElement;
    const was = el.style.height;
    el.style.height = "max-content";
    const height = Math.ceil(el.getBoundingClientRect().height);
    el.style.height = was;
    if (height !== reportedHeight) {
      reportedHeight = height;
      app.sendSizeChanged({ height }).catch(() => {});
    }
  });
}
app.ontoolinput = () => {
  if (!last) panel("waiting", "Waiting for LaunchDarkly…");
};
app.ontoolresult = render;
app.ontoolcancelled = () => panel("cancelled", "The call was cancelled.");
app.onhostcontextchanged = applyContext;
app.onteardown = async () => ({});
app.onerror = (e) => console.error(e);
// Tell the host (its log) what went wrong here: an error, a blocked load.
const report = (data: string) => app.sendLog({ level: "error", logger: "ld-usage-mcp app", data }).catch(() => {});
addEventListener("error", (e) => report(String(e.message)));
addEventListener("unhandledrejection", (e) => report(String(e.reason)));
document.addEventListener("securitypolicyviolation", (e) => report(`CSP blocked ${e.blockedURI || "inline code"} (${e.violatedDirective})`));
app.connect().then(() => {
  const ctx = app.getHostContext();
  if (ctx) applyContext(ctx);
  reportHeight();
  const sized = new ResizeObserver(reportHeight);
  sized.observe(document.documentElement);
  sized.observe(document.body);
});
