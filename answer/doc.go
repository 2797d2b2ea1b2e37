// Package answer is the answer of a usage call: from a decoded LaunchDarkly
// response, the endpoint's meaning (client.Endpoint.Meaning) and the range
// asked for, to the Summary (series, per-month figures, the headline that
// answers "how much") and its text. It is pure computation: it imports client
// for the tables only, never mcp-go and never the network.
//
// summary.go holds the types and the SDK lists; figures.go the figures of a
// time series; text.go, format.go, labels.go and lists.go render them as text.
package answer
