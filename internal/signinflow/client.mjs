// The TypeScript MCP SDK's OAuth client signs in to ld-usage-mcp and calls a
// tool, as a web assistant's connector would. Run by tsclient_test.go:
//
//   node client.mjs <mcp-url> <member-id> <tool> <json-arguments>
//
// The SDK does the protocol: discovery from the 401 (RFC 9728, RFC 8414),
// dynamic client registration (RFC 7591), PKCE S256, the token exchange and
// the bearer token on every request. This file plays only the person's
// browser: it follows the authorization URL, approves the server's consent
// page and picks the member on LaunchDarkly's (emulated) sign-in page, each by
// submitting the page's form as a browser would (cookies kept), until the
// redirect to this client's redirect URI. Then it checks refresh: the SDK
// refreshes on a 401 (the refresh token rotates), and a replay of the old
// refresh token is refused and revokes the newest. It prints one JSON line.

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { randomBytes } from "node:crypto";

const [mcpURL, memberID, tool, argsJSON] = process.argv.slice(2);
if (!mcpURL || !memberID || !tool) {
  console.error("usage: node client.mjs <mcp-url> <member-id> <tool> <json-arguments>");
  process.exit(2);
}
// A native client's loopback redirect URI (RFC 8252): nothing listens
// there, the browser below stops at the redirect.
const REDIRECT = "http://127.0.0.1:9/ts-sdk/callback";

class Provider {
  constructor() {
    this.expectedState = randomBytes(16).toString("hex");
  }
  get redirectUrl() { return REDIRECT; }
  get clientMetadata() {
    return {
      client_name: "TypeScript SDK test client",
      redirect_uris: [REDIRECT],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  state() { return this.expectedState; }
  clientInformation() { return this.info; }
  saveClientInformation(info) { this.info = info; }
  tokens() { return this.saved; }
  saveTokens(tokens) { this.saved = tokens; }
  redirectToAuthorization(url) { this.authorizationURL = url; }
  saveCodeVerifier(v) { this.verifier = v; }
  codeVerifier() { return this.verifier; }
}

// ---- the browser: cookies, redirects and form submission -----------------

const jar = new Map(); // origin -> Map(name -> value)

function keepCookies(url, res) {
  const origin = new URL(url).origin;
  const lines = typeof res.headers.getSetCookie === "function"
    ? res.headers.getSetCookie()
    : [res.headers.get("set-cookie")].filter(Boolean);
  for (const line of lines) {
    const [pair] = line.split(";");
    const i = pair.indexOf("=");
    if (i <= 0) continue;
    if (!jar.has(origin)) jar.set(origin, new Map());
    jar.get(origin).set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
  }
}

function cookieHeader(url) {
  const c = jar.get(new URL(url).origin);
  return c ? [...c].map(([k, v]) => `${k}=${v}`).join("; ") : "";
}

function unescapeHTML(s) {
  return s.replace(/&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot|apos);/gi, (_, e) => {
    const named = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[e.toLowerCase()];
    if (named) return named;
    return String.fromCodePoint(e[1].toLowerCase() === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });
}

function attr(tag, name) {
  const m = tag.match(new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, "i"));
  return m ? unescapeHTML(m[2] ?? m[3]) : undefined;
}

// submit posts the page's form as a click on the button named `button`
// (with value `value`, when given) would: hidden inputs plus that button.
function submit(pageURL, html, button, value) {
  const form = html.match(/<form\b[^>]*>/i);
  if (!form) throw new Error(`no form on ${pageURL}: ${html.slice(0, 300)}`);
  if ((attr(form[0], "method") || "get").toLowerCase() !== "post") throw new Error("the form is not a POST form");
  const body = new URLSearchParams();
  for (const [tag] of html.matchAll(/<input\b[^>]*>/gi)) {
    if ((attr(tag, "type") || "").toLowerCase() === "hidden") body.append(attr(tag, "name"), attr(tag, "value") ?? "");
  }
  const buttons = [...html.matchAll(/<button\b[^>]*>/gi)].map(([t]) => t);
  const chosen = buttons.find((t) => attr(t, "name") === button && (value === undefined || attr(t, "value") === value));
  if (!chosen) throw new Error(`no button ${button}=${value ?? "*"} on ${pageURL}`);
  body.append(button, attr(chosen, "value") ?? "");
  return { url: new URL(attr(form[0], "action") || pageURL, pageURL).href, body };
}

const trail = [];

async function request(url, init = {}) {
  const headers = { ...(init.headers || {}) };
  const cookie = cookieHeader(url);
  if (cookie) headers.cookie = cookie;
  const res = await fetch(url, { ...init, headers, redirect: "manual" });
  keepCookies(url, res);
  trail.push(`${init.method || "GET"} ${new URL(url).pathname} -> ${res.status}`);
  return res;
}

// browse goes from the authorization URL to the redirect back to REDIRECT
// and returns that redirect's query.
async function browse(start) {
  let url = start.href;
  let res = await request(url);
  for (let step = 0; step < 20; step++) {
    if (res.status >= 300 && res.status < 400) {
      const next = new URL(res.headers.get("location"), url);
      if (next.href.startsWith(REDIRECT)) return next.searchParams;
      url = next.href;
      res = await request(url);
      continue;
    }
    const html = await res.text();
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}: ${html.slice(0, 300)}`);
    let form;
    if (/name="approve"/.test(html)) {
      form = submit(url, html, "approve"); // the server's own consent page
      trail.push("consent approved");
    } else if (/name="member"/.test(html)) {
      form = submit(url, html, "member", memberID); // LaunchDarkly's sign-in page
      trail.push("signed in at LaunchDarkly");
    } else {
      throw new Error(`unexpected page at ${url}: ${html.slice(0, 300)}`);
    }
    url = form.url;
    res = await request(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.body.toString(),
    });
  }
  throw new Error("too many steps");
}

// ---- the MCP client --------------------------------------------------------

const out = { steps: trail };
const provider = new Provider();
const first = new Client({ name: "ts-sdk-oauth-test", version: "1.0.0" });
try {
  await first.connect(new StreamableHTTPClientTransport(new URL(mcpURL), { authProvider: provider }));
  throw new Error("connected without signing in");
} catch (e) {
  if (!(e instanceof UnauthorizedError)) throw e;
}
out.registeredClientID = provider.info?.client_id;
out.authorizationURL = provider.authorizationURL?.href;
const back = await browse(provider.authorizationURL);
if (back.get("error")) throw new Error(`authorization refused: ${back.get("error")} ${back.get("error_description") ?? ""}`);
if (back.get("state") !== provider.expectedState) throw new Error("the state came back changed");

const transport = new StreamableHTTPClientTransport(new URL(mcpURL), { authProvider: provider });
await transport.finishAuth(back.get("code"));
out.tokenType = provider.saved?.token_type;
out.accessToken = provider.saved?.access_token; // the test checks it never reaches LaunchDarkly
const client = new Client({ name: "ts-sdk-oauth-test", version: "1.0.0" });
await client.connect(transport);
out.tools = (await client.listTools()).tools.map((t) => t.name);
out.result = await client.callTool({ name: tool, arguments: JSON.parse(argsJSON || "{}") });
await client.close();

// Refresh: with an access token the server does not know, the SDK gets a 401
// and refreshes with its refresh token, which rotates.
const before = provider.saved;
provider.saved = { ...before, access_token: "not-a-token-this-server-issued" };
const again = new Client({ name: "ts-sdk-oauth-test", version: "1.0.0" });
await again.connect(new StreamableHTTPClientTransport(new URL(mcpURL), { authProvider: provider }));
out.refreshRotated = !!provider.saved.refresh_token && provider.saved.refresh_token !== before.refresh_token;
out.afterRefresh = (await again.listTools()).tools.length;
await again.close();

// Replaying the first refresh token is refused, and revokes its family: the
// newest tokens stop working too.
const asMeta = await (await fetch(new URL("/.well-known/oauth-authorization-server", mcpURL))).json();
const replay = await fetch(asMeta.token_endpoint, {
  method: "POST",
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: before.refresh_token, client_id: provider.info.client_id }).toString(),
});
out.replay = { status: replay.status, error: (await replay.json()).error };
const revoked = await fetch(mcpURL, {
  method: "POST",
  headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${provider.saved.access_token}` },
  body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
});
out.newestAfterReplay = revoked.status;
console.log(JSON.stringify(out));
