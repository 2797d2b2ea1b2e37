// Package packaging holds the files that ship ld-usage-mcp beyond its source
// (the MCP registry's server.json lives at the repository root; the Claude
// Desktop bundle's manifest and a sample client configuration live here) and
// the tests that hold them to their formats and to the server: the registry's
// JSON schema, the bundle's tool list against the server's, the flags they
// pass against the binary. The scripts in ../scripts build the artefacts.
package packaging
