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

const here = new URL(".", import.meta.url).pathname;

// SOURCES are the files and folders the build reads. Keep in step with
// sourceRoots in ui.go.
const SOURCES = ["package.json", "package-lock.json", "build.mjs", "tsconfig.json", "src", "host"];

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

// The ext-apps bundle imports Zod as `import { z } from "zod/v4"`, a form
// esbuild cannot tree-shake (zod#6597, ext-apps#649): it would carry all of
// Zod, its 50 locales included (~460 KB). The same import as a namespace
// (`import * as z`) is what Zod recommends and shakes to what is used. The
// one dynamic `import("zod/v4")` converts app-registered tools' Zod schemas to
// JSON Schema, which this app never uses (it registers no tools). Each
// rewrite must match, so an upgrade that changes the code fails here loudly.
const rewrites = [
  { re: /import\{z as ([\w$]+)\}from"zod\/v4"/g, to: 'import*as $1 from"zod/v4"' },
  {
    re: /let\{z:([\w$]+)\}=await import\("zod\/v4"\);return \1\.toJSONSchema\([\w$]+,\{io:[\w$]+\}\)/g,
    to: 'throw Error("ld-usage-mcp: Zod schemas of app tools are not supported in this build")',
  },
];
const seen = new Map();
const zodNamespace = {
  name: "zod-namespace",
  setup(b) {
    b.onLoad({ filter: /[\\/]@modelcontextprotocol[\\/]ext-apps[\\/]dist[\\/].*\.js$/ }, (args) => {
      let src = readFileSync(args.path, "utf8");
      rewrites.forEach((r, i) => {
        src = src.replace(r.re, (...m) => {
          seen.set(i, (seen.get(i) ?? 0) + 1);
          return r.to.replace(/\$1/g, m[1]);
        });
      });
      return { contents: src, loader: "js" };
    });
  },
};

const hash = sourcesHash();
const result = await build({
  absWorkingDir: here,
  entryPoints: { app: "src/app.ts", host: "host/host.ts" },
  bundle: true,
  minify: true,
  format: "iife",
  target: "es2022",
  write: false,
  outdir: "out",
  metafile: true,
  legalComments: "eof",
  plugins: [zodNamespace],
  logLevel: "warning",
});
rewrites.forEach((r, i) => {
  if (!seen.get(i)) throw new Error(`build.mjs: rewrite ${r.re} matched nothing in ext-apps: check the upgrade, then this rewrite`);
});

const out = Object.fromEntries(result.outputFiles.map((f) => [relative(join(here, "out"), f.path), f.text]));
mkdirSync(join(here, "dist"), { recursive: true });
for (const [name, template] of [["app", "src/app.html"], ["host", "host/host.html"]]) {
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
  const ins = result.metafile.outputs["out/app.js"].inputs;
  const by = {};
  for (const [k, v] of Object.entries(ins)) {
    const p = k.replace(/^node_modules\//, "").split("/").slice(0, k.includes("@") ? 2 : 1).join("/");
    by[p] = (by[p] ?? 0) + v.bytesInOutput;
  }
  console.log(Object.entries(by).sort((a, b) => b[1] - a[1]));
}
console.log(`sources sha256:${hash}`);
