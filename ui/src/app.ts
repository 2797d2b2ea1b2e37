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
import { seriesChart, wantsLog, rows, type Chart } from "./chart";
import { h, when } from "./format";
import { overview } from "./overview";
import { answer, notes, sdkTable, seriesTable } from "./tables";
import type { Summary } from "./types";

const root = document.getElementById("root")!;
let last: CallToolResult | undefined;
let chart: Chart | undefined;
let scale: boolean | undefined; // the person's choice of log scale, once made
let plotWrap: HTMLElement | undefined;
const plotWidth = () => Math.max(240, plotWrap?.clientWidth ?? 0);
// Follow the width the host gives (a frame later: resizing the chart inside
// the observer's callback would move the observed box again, a loop).
let drawnWidth = 0;
const resized = new ResizeObserver(() =>
  requestAnimationFrame(() => {
    const w = plotWidth();
    if (chart && w !== drawnWidth) chart.resize((drawnWidth = w));
  }),
);

function rangeText(s: Summary): string {
  const r = s.range;
  if (!r?.from && !r?.to) return "";
  const f = (t?: string) => (t ? when(Date.parse(t), r.tz, "hourly") : "…");
  return `${f(r.from)} – ${f(r.to)} ${r.tz ?? "UTC"}`;
}

function header(s: Summary): HTMLElement {
  const bits = [rangeText(s), s.granularity, s.aggregationType].filter(Boolean).join(" · ");
  return h(
    "header",
    null,
    h("h2", null, s.asked || "usage", s.demo ? h("span", { class: "badge demo", title: "synthetic data from the built-in emulator" }, "demo data") : null),
    bits ? h("p", { class: "sub" }, bits) : null,
  );
}

function message(text: string) {
  root.replaceChildren(h("p", { class: "sub" }, text));
}

function render(result: CallToolResult) {
  last = result;
  chart?.destroy();
  chart = undefined;
  resized.disconnect();
  const sc = result.structuredContent as { summary?: Summary; raw?: unknown } | undefined;
  const s = sc?.summary;
  if (result.isError || !s) {
    message(result.isError ? "The call failed; the assistant has the reason." : "This result has nothing to draw.");
    return;
  }
  const parts: (Node | null)[] = [header(s)];
  switch (s.kind) {
    case "series": {
      const wrap = h("div", { class: "plot" });
      const table = seriesTable(s);
      const side = h("div", { class: "side" }, table);
      const data = rows(sc.raw);
      const ys = (s.series ?? []).map((x) => data.map((r) => (typeof r[x.key] === "number" ? (r[x.key] as number) : null)));
      const log = scale ?? wantsLog(ys);
      const toggle = h("button", { class: "scale", type: "button", "aria-pressed": String(log) }, log ? "log scale" : "linear scale");
      toggle.onclick = () => {
        scale = !log;
        render(result);
      };
      // Beside the chart when the table is narrow (a figure or two), else below.
      const beside = Number(table.dataset.cols) <= 2;
      parts.push(h("div", { class: beside ? "series beside" : "series" }, h("div", { class: "main" }, toggle, wrap), side), notes(s));
      root.replaceChildren(...parts.filter((p): p is Node => p != null));
      plotWrap = wrap;
      chart = seriesChart(s, sc.raw, (drawnWidth = plotWidth()), log);
      wrap.append(chart.el);
      resized.observe(wrap);
      return;
    }
    case "sdks":
    case "sdkVersions":
    case "sdkVersionDetails":
      parts.push(notes(s), sdkTable(s, sc.raw));
      break;
    case "overview":
      parts.push(h("div", { class: "notes" }, answer(s)), overview(s), notes(s, false));
      break;
    default:
      parts.push(notes(s));
  }
  root.replaceChildren(...parts.filter((p): p is Node => p != null));
}

function applyContext(ctx: McpUiHostContext) {
  const themeChanged = ctx.theme && ctx.theme !== document.documentElement.dataset.theme;
  if (ctx.theme) applyDocumentTheme(ctx.theme);
  if (ctx.styles?.variables) applyHostStyleVariables(ctx.styles.variables);
  if (ctx.styles?.css?.fonts) applyHostFonts(ctx.styles.css.fonts);
  const dims = ctx.containerDimensions as { height?: number; maxHeight?: number } | undefined;
  if (dims?.height) document.documentElement.style.height = "100vh";
  else if (dims?.maxHeight) document.documentElement.style.maxHeight = dims.maxHeight + "px";
  const inset = ctx.safeAreaInsets;
  if (inset) root.style.padding = `${inset.top}px ${inset.right}px ${inset.bottom}px ${inset.left}px`;
  // Canvas colours are read once per drawing: draw again in the new theme.
  if (themeChanged && last) render(last);
}

const app = new App({ name: "ld-usage-mcp", version: "1" });
app.ontoolinput = () => {
  if (!last) message("Waiting for LaunchDarkly…");
};
app.ontoolresult = render;
app.ontoolcancelled = () => message("The call was cancelled.");
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
});
