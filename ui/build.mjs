// Builds the app (dist/app.html) and the test host page (dist/host.html),
// each ONE self-contained HTML file: the bundled script and style inlined,
// nothing loaded from the network at run time. Run: npm ci && npm run build.
//
// Each file records a hash of the sources it was built from (SOURCES below);
// ui_test.go recomputes it and fails when the committed build is older than
// its sources.
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from "node:fs";
import { join, relative } from "node:path";
import { appEdits, hostEdits, zodNoJSONSchema } from "./trims.mjs";

const here = new URL(".", import.meta.url).pathname;

// SOURCES are the files and folders the build reads. Keep in step with
// sourceRoots in ui.go.
const SOURCES = ["package.json", "package-lock.json", "build.mjs", "trims.mjs", "tsconfig.json", "src", "host", "probe"];

function files(p) {
  return statSync(p).isDirectory() ? readdirSync(p).sort().flatMap((n) => files(join(p, n))) : [p];
}

// sourcesHash: sha256 over each file, in path order, as "path\nsize\n" then its bytes.
export function sourcesHash() {
  const h = createHash("sha256");
  const all = SOURCES.flatMap((s) => files(join(here, s))).map((f) => relative(here, f).split("\\").join("/"));
  for (const f of all.sort()) {
    const b = readFileSync(join(here, f));
    h.update(`${f}\n${b.length}\n`);
    h.update(b);
  }
  return h.digest("hex");
}

const hash = sourcesHash();
// Two builds: the app, with the trims that keep it within budget, and the
// test host, with only the Zod import fix (it is no part of the product).
const options = {
  absWorkingDir: here,
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2022",
  write: false,
  outdir: "out",
  metafile: true,
  legalComments: "eof",
  logLevel: "warning",
};
const trims = [appEdits(), zodNoJSONSchema()];
const hostTrims = [hostEdits()];
const [app, host] = await Promise.all([
  build({ ...options, entryPoints: { app: "src/app.ts", probe: "probe/probe.ts" }, plugins: trims.map((t) => t.plugin) }),
  build({ ...options, entryPoints: { host: "host/host.ts" }, plugins: hostTrims.map((t) => t.plugin) }),
]);
for (const t of [...trims, ...hostTrims]) t.check();

const out = Object.fromEntries([...app.outputFiles, ...host.outputFiles].map((f) => [relative(join(here, "out"), f.path), f.text]));
mkdirSync(join(here, "dist"), { recursive: true });
for (const [name, template] of [["app", "src/app.html"], ["host", "host/host.html"], ["probe", "probe/probe.html"]]) {
  const js = out[name + ".js"] ?? "";
  const css = out[name + ".css"] ?? "";
  if (/<\/script/i.test(js) || /<\/style/i.test(css)) throw new Error(`${name}: a closing tag inside the inlined code`);
  const html = readFileSync(join(here, template), "utf8")
    .replace("<!--SOURCES-->", () => `<meta name="ld-usage-mcp-sources" content="sha256:${hash}">`)
    .replace("<!--STYLE-->", () => css.trim())
    .replace("<!--SCRIPT-->", () => js.trim());
  writeFileSync(join(here, "dist", name + ".html"), html);
  console.log(`dist/${name}.html  ${Buffer.byteLength(html).toLocaleString("en-US")} bytes (script ${Buffer.byteLength(js).toLocaleString("en-US")}, style ${Buffer.byteLength(css).toLocaleString("en-US")})`);
}
if (process.env.ANALYZE) {
  const ins = app.metafile.outputs["out/app.js"].inputs;
  const by = {};
  for (const [k, v] of Object.entries(ins)) {
    const p = k.replace(/^node_modules\//, "").split("/").slice(0, k.includes("@") ? 2 : 1).join("/");
    by[p] = (by[p] ?? 0) + v.bytesInOutput;
  }
  console.log(Object.entries(by).sort((a, b) => b[1] - a[1]));
}
console.log(`sources sha256:${hash}`);
