// Package signinflow holds whole-flow tests of sign-in with LaunchDarkly
// (OAuth on --transport http) driven by clients that share no code with the
// server: the TypeScript MCP SDK's OAuth client (client.mjs, a pinned npm
// project here) and Debian's chromium clicking through the consent page and
// LaunchDarkly's (emulated) sign-in page. Each test starts the built binary
// on loopback, with the emulator as LaunchDarkly.
package signinflow
