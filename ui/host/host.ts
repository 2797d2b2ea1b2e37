// A small MCP Apps host for the browser test (ui/browser_test.go) and for a
// person who wants to see the app outside an assistant: it connects an MCP
// client to the server (?mcp=URL, streamable HTTP), reads the app's ui://
// resource named by the tools' _meta.ui.resourceUri, mounts it in a
// sandboxed iframe under the spec's default CSP, and, through ext-apps'
// AppBridge, hands each call's arguments and result to it.
import {
  AppBridge,
  PostMessageTransport,
  RESOURCE_MIME_TYPE,
  getToolUiResourceUri,
} from "@modelcontextprotocol/ext-apps/app-bridge";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

type Theme = "light" | "dark";
interface Call {
  name: string;
  arguments: Record<string, unknown>;
}

/** The CSP a host must apply when a resource declares none (SEP-1865). */
const defaultCSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
  "img-src 'self' data:; media-src 'self' data:; connect-src 'none'; frame-src 'none'; object-src 'none'; base-uri 'self'";

const params = new URLSearchParams(location.search);
let theme: Theme = params.get("theme") === "light" ? "light" : "dark";
const calls: Call[] = JSON.parse(
  params.get("calls") ??
    JSON.stringify([
      { name: "get_total_mau_usage", arguments: { groupBy: "sdkName" } },
      { name: "get_sdk_versions_details", arguments: {} },
    ]),
);

/** What the test reads: the state, each call's result, the errors. */
const state = {
  state: "starting",
  resourceUri: "",
  mimeType: "",
  extensions: {} as Record<string, unknown>,
  results: [] as CallToolResult[],
  logs: [] as unknown[],
  errors: [] as string[],
  bridges: [] as AppBridge[],
  setTheme(t: Theme) {
    theme = t;
    document.documentElement.dataset.theme = t;
    for (const b of state.bridges) b.sendHostContextChange({ theme: t });
  },
};
(window as unknown as { host: typeof state }).host = state;
document.documentElement.dataset.theme = theme;

function fail(e: unknown) {
  state.errors.push(String(e instanceof Error ? e.stack || e.message : e));
  state.state = "failed";
  document.getElementById("status")!.textContent = "failed: " + state.errors.join("; ");
}

async function mount(client: Client, html: string, call: Call, index: number): Promise<void> {
  const panel = document.createElement("section");
  panel.innerHTML = `<h3></h3>`;
  panel.querySelector("h3")!.textContent = `${call.name} ${JSON.stringify(call.arguments)}`;
  const iframe = document.createElement("iframe");
  iframe.name = "app" + index;
  iframe.title = call.name;
  iframe.setAttribute("sandbox", "allow-scripts");
  panel.append(iframe);
  document.getElementById("apps")!.append(panel);

  const bridge = new AppBridge(
    client,
    { name: "ld-usage-mcp test host", version: "1" },
    { openLinks: {}, serverTools: {}, serverResources: {}, logging: {} },
    { hostContext: { theme, platform: "web", displayMode: "inline", containerDimensions: { maxHeight: 2400 } } },
  );
  state.bridges.push(bridge);
  bridge.onsizechange = async ({ height }) => {
    if (height != null) iframe.style.height = `${height}px`;
  };
  bridge.onloggingmessage = (p) => state.logs.push(p);
  const initialized = new Promise<void>((resolve) => (bridge.oninitialized = () => resolve()));
  await bridge.connect(new PostMessageTransport(iframe.contentWindow!, iframe.contentWindow!));

  // The app runs under the spec's default CSP: no network, inline code only.
  const csp = `<meta http-equiv="Content-Security-Policy" content="${defaultCSP}">`;
  iframe.srcdoc = html.replace(/<head>/i, (m) => m + csp);
  await initialized;

  await bridge.sendToolInput({ arguments: call.arguments });
  const result = (await client.callTool({ name: call.name, arguments: call.arguments })) as CallToolResult;
  state.results[index] = result;
  await bridge.sendToolResult(result);
}

async function main() {
  const url = params.get("mcp");
  if (!url) throw new Error("no ?mcp=URL");
  const client = new Client(
    { name: "ld-usage-mcp test host", version: "1" },
    { capabilities: { extensions: { "io.modelcontextprotocol/ui": { mimeTypes: [RESOURCE_MIME_TYPE] } } } as never },
  );
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  state.extensions = (client.getServerCapabilities() as { extensions?: Record<string, unknown> })?.extensions ?? {};
  const { tools } = await client.listTools();
  const uris = new Set(calls.map((c) => getToolUiResourceUri(tools.find((t) => t.name === c.name) ?? {})));
  if (uris.size !== 1 || uris.has(undefined)) throw new Error("the tools do not link one ui:// resource: " + [...uris].join(", "));
  state.resourceUri = [...uris][0]!;
  const res = await client.readResource({ uri: state.resourceUri });
  const content = res.contents[0] as { mimeType?: string; text?: string; blob?: string };
  state.mimeType = content.mimeType ?? "";
  if (content.mimeType !== RESOURCE_MIME_TYPE) throw new Error("unexpected mimeType " + content.mimeType);
  const html = content.text ?? atob(content.blob ?? "");
  await Promise.all(calls.map((c, i) => mount(client, html, c, i)));
  state.state = "ready";
  document.getElementById("status")!.textContent = "";
}

main().catch(fail);
