// The app's parse path alone, for parse_test.go: ext-apps' App over its
// PostMessageTransport, in a page that build.mjs bundles beside the app with
// the app's own trims (the same plugins, in the same build). The test plays
// the host: it posts JSON-RPC messages into the page, as a host's window
// does, and reads back what the App sent, what its handlers received and the
// errors it raised. Its page carries the spec's default CSP (no eval).
import "../src/jitless";
import { App, PostMessageTransport } from "@modelcontextprotocol/ext-apps";
import * as z from "zod/v4";

const log = {
  sent: [] as unknown[], // what the App sent to the host
  got: [] as { on: string; params: unknown }[], // what its handlers received
  errors: [] as string[], // app.onerror
  csp: [] as string[], // CSP violations
  connected: false,
};
// The host's end: the App posts to it; the test's messages come from the
// page's own window (window.postMessage), the transport's eventSource.
const host = { postMessage: (m: unknown) => void log.sent.push(JSON.parse(JSON.stringify(m))) } as unknown as Window;

const app = new App({ name: "ld-usage-mcp probe", version: "1" });
const on =
  (name: string) =>
  (params: unknown): void =>
    void log.got.push({ on: name, params });
app.ontoolinput = on("toolinput");
app.ontoolinputpartial = on("toolinputpartial");
app.ontoolresult = on("toolresult");
app.ontoolcancelled = on("toolcancelled");
app.onhostcontextchanged = on("hostcontextchanged");
app.onteardown = async (params) => {
  on("teardown")(params);
  return {};
};
app.onerror = (e) => void log.errors.push(String(e));
document.addEventListener("securitypolicyviolation", (e) => void log.csp.push(e.violatedDirective));

/** f's value as JSON, or "threw: " and its message. */
function attempt(f: () => unknown): string {
  try {
    return JSON.stringify(f());
  } catch (e) {
    return "threw: " + (e instanceof Error ? e.message : String(e));
  }
}

Object.assign(window, {
  probe: {
    log,
    connect() {
      app.connect(new PostMessageTransport(host, window)).then(
        () => void (log.connected = true),
        (e) => void log.errors.push("connect: " + String(e)),
      );
    },
    hostContext: () => app.getHostContext(),
    // What the build leaves out of Zod: JSON Schema generation, which throws.
    jsonSchema: () => attempt(() => z.toJSONSchema(z.object({ a: z.string() }))),
    // What it keeps: the checks' getters.
    minLength: () => attempt(() => z.string().min(3).minLength),
  },
});
