// Package hosttest runs the MCP App in a host nobody here wrote: the MCP
// Inspector, the MCP project's own tool for trying servers, whose web client
// mounts MCP Apps with ext-apps' AppBridge in its sandbox proxy. The host
// comes from the npm registry at test time, pinned by package.json and
// package-lock.json in this folder; none of its code is in the repository.
//
// Why the Inspector: the issue names ext-apps' examples/basic-host, but that
// example is not published: no npm package ships it (ext-apps' tarballs hold
// dist/ only, and the example's own name, @modelcontextprotocol/ext-apps-basic-host,
// is not on the registry), and the test may reach only the npm registry.
// The Inspector is the published host of the same project built on the same
// AppBridge.
package hosttest
