// What build.mjs takes out of the app's bundle to keep dist/app.html within
// the 200 KB: code of its libraries that the app never runs. The
// test host page (dist/host.html) gets only the Zod import fix (zodImports),
// which the app has too.
//
// Every edit says what it matches and must match when the build runs, and
// every stub throws when called: a library upgrade that moves the code fails
// the build, and code that turns out to be needed fails loudly, never
// silently. parse_test.go runs the app's parse path (ext-apps' App and its
// transport, the SDK's and ext-apps' Zod schemas) in this build, and
// browser_test.go the whole app.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const extApps = /[\\/]@modelcontextprotocol[\\/]ext-apps[\\/]dist[\\/]src[\\/]app(-bridge)?\.js$/;
const sdkTypes = /[\\/]@modelcontextprotocol[\\/]sdk[\\/]dist[\\/]esm[\\/]types\.js$/;
const pure = "/*@__PURE__*/";

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
    // ext-apps documents each field of its message schemas with Zod's
    // .describe("…") (so does one of the SDK's): text that only JSON Schema
    // generation reads, ~9 KB with the schema copies .describe() makes. The
    // schemas validate the same without it.
    {
      why: "schema descriptions",
      file: new RegExp(`${extApps.source}|${sdkTypes.source}`),
      re: /\.describe\((?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\$]|\\.|\$(?!\{))*`)\)/g,
      to: "",
    },
    // The SDK's types.js builds a Zod schema for every message of MCP, of
    // which the App uses a part; esbuild keeps them all, as it cannot know
    // that building a Zod schema has no side effect (~6 KB). Marking each
    // schema expression pure lets it drop the unused ones. Only expressions in
    // a value's place (after = ( , [ : ?) are marked, and types.js is plain
    // tsc output whose statements are declarations (and one enum), so no
    // statement can be dropped.
    {
      why: "the SDK's schemas, pure",
      file: sdkTypes,
      re: /(?<=[=(,[:?]\s*)(?=(?:z|[A-Z][\w$]*Schema)\s*\.[\w$]+\()/g,
      to: pure,
    },
  ]);

// Zod's JSON Schema generation, ~15 KB: every classic schema links it
// (schema.toJSONSchema(), ~standard.jsonSchema, _zod.processJSONSchema), so
// esbuild keeps it, though the app never makes JSON Schema: it registers no
// tools, it only parses the host's messages. In the app, each of these
// modules is replaced by stubs that throw when called, one per export of the
// real module (its names read from it, so a Zod upgrade that adds one still
// links, and one that moves a module fails here). `keep` names the exports
// that stay real: aggregateChecks backs the check getters (.minLength,
// .isInt, …), which are not JSON Schema.
export const zodNoJSONSchema = () => {
  const modules = [
    { file: "zod/v4/core/to-json-schema.js", keep: [] },
    { file: "zod/v4/core/json-schema-processors.js", keep: ["aggregateChecks"] },
  ];
  const stubbed = new Set();
  return {
    plugin: {
      name: "zod-no-json-schema",
      setup(b) {
        // The kept exports, from the real module (a distinct module to esbuild).
        b.onResolve({ filter: /\?real$/ }, (args) => ({ path: join(args.resolveDir, args.path.slice(0, -"?real".length)), suffix: "?real" }));
        b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]core[\\/][\w-]+\.js$/ }, async (args) => {
          const m = modules.find((m) => args.path.split("\\").join("/").endsWith("/node_modules/" + m.file));
          if (!m || args.suffix === "?real") return undefined;
          stubbed.add(m.file);
          const names = Object.keys(await import(pathToFileURL(args.path).href));
          for (const k of m.keep) if (!names.includes(k)) throw new Error(`build.mjs: ${m.file} no longer exports ${k}: check the Zod upgrade, then trims.mjs`);
          const base = args.path.split(/[\\/]/).pop();
          const lines = [
            `const no = (n) => () => { throw new Error("ld-usage-mcp: Zod's JSON Schema generation (" + n + ") is left out of this build"); };`,
            ...names.map((n, i) =>
              m.keep.includes(n) ? `export { ${n} } from "./${base}?real";` : `const s${i} = no(${JSON.stringify(n)});\nexport { s${i} as ${JSON.stringify(n)} };`,
            ),
          ];
          return { contents: lines.join("\n"), loader: "js", resolveDir: dirname(args.path) };
        });
      },
    },
    check() {
      for (const m of modules) if (!stubbed.has(m.file)) throw new Error(`build.mjs: ${m.file} was never bundled: check the Zod upgrade, then trims.mjs`);
    },
  };
};
