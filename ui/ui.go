// Package ui holds the MCP App of ld-usage-mcp: one self-contained HTML file
// (dist/app.html) that hosts supporting MCP Apps show in place of a tool's
// text. It is a small npm project of its own (package.json, src/, build.mjs);
// the built file is committed and embedded here, so that go build and go
// install need no Node. Go knows nothing else of it.
package ui

import _ "embed"

//go:embed dist/app.html
var appHTML string

// HTML is the app: one HTML document with its script and style inlined,
// which loads nothing from the network.
func HTML() string { return appHTML }
