// What build.mjs takes out of the app's bundle to keep dist/app.html within
// the 200 KB: code of its libraries that the app never runs. The
// test host page (dist/host.html) gets only the Zod import fix (zodImports),
// which the app has too.
//
// Every edit says what it matches and must match when the build runs: a
// library upgrade that moves the code fails the build. parse_test.go runs the app's parse path (ext-apps' App and its
// transport, the SDK's and ext-apps' Zod schemas) in this build, and
// browser_test.go the whole app.
import { readFileSync } from "node:fs";

const extApps = /[\\/]@modelcontextprotocol[\\/]ext-apps[\\/]dist[\\/]src[\\/]app(-bridge)?\.js$/;

// edits is a plugin that rewrites the modules its rules name; each rule
// counts its matches, and check() fails the build for a rule that matched
// nothing.
function edits(name, rules) {
  for (const r of rules) r.n = 0;
  const filter = new RegExp(rules.map((r) => r.file.source).join("|"));
  return {
    plugin: {
      name,
      setup(b) {
        b.onLoad({ filter }, (args) => {
          let src = readFileSync(args.path, "utf8");
          for (const r of rules.filter((r) => r.file.test(args.path))) {
            src = src.replace(r.re, (...m) => {
              r.n++;
              return typeof r.to === "function" ? r.to(...m) : r.to.replace(/\$1/g, m[1]);
            });
          }
          return { contents: src, loader: "js" };
        });
      },
    },
    check() {
      for (const r of rules) if (!r.n) throw new Error(`build.mjs: ${name}: ${r.why}: ${r.re} matched nothing: check the upgrade, then trims.mjs`);
    },
  };
}

// The ext-apps bundle imports Zod as `import { z } from "zod/v4"`, a form
// esbuild cannot tree-shake (zod#6597, ext-apps#649): it would carry all of
// Zod, its 50 locales included (~460 KB). The same import as a namespace
// (`import * as z`) is what Zod recommends and shakes to what is used. The
// one dynamic `import("zod/v4")` converts app-registered tools' Zod schemas to
// JSON Schema, which this app never uses (it registers no tools). Both the
// app and the test host.
const zodImports = () => [
  { why: "Zod as a namespace", file: extApps, re: /import\{z as ([\w$]+)\}from"zod\/v4"/g, to: 'import*as $1 from"zod/v4"' },
  {
    why: "no JSON Schema of app tools",
    file: extApps,
    re: /let\{z:([\w$]+)\}=await import\("zod\/v4"\);return \1\.toJSONSchema\([\w$]+,\{io:[\w$]+\}\)/g,
    to: 'throw Error("ld-usage-mcp: Zod schemas of app tools are not supported in this build")',
  },
];

/** The edits of the test host's bundle. */
export const hostEdits = () => edits("host-edits", zodImports());

/** The edits of the app's bundle. */
export const appEdits = () =>
  edits("app-edits", [
    ...zodImports(),
  ]);
