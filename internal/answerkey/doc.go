// Package answerkey holds the answer key's tests: realistic questions about
// the demo account, each with the tool call an assistant would make and the
// figure a correct answer contains, computed from the emulator's model of
// the account (emulator.Account) by code that shares nothing with the
// tools' summaries and does not read client.Meaning. The questions and their
// figures are written to testdata/answerkey/answerkey.json (go test
// ./internal/answerkey -update) and recomputed by the test, and every
// question is asked through MCP: the text's "Answer: " line must carry the
// figure.
package answerkey
