package tools_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// TestDemoSaysWhichKeysAreMadeUp: with --demo, an answer for a project,
// environment or flag the demo account does not have says in one line that
// its data is synthesized; one for the account's own keys does not.
func TestDemoSaysWhichKeysAreMadeUp(t *testing.T) {
	fixed := time.Date(2026, 11, 18, 15, 30, 0, 0, time.UTC)
	emu := emulator.New(emulator.Options{Now: func() time.Time { return fixed }})
	ts, err := tools.New(tools.Config{
		Client: client.New("http://demo.emulator.invalid", emulator.DemoKey, client.WithHTTPClient(&http.Client{Transport: emu.Transport()})),
		Now:    func() time.Time { return fixed }, Demo: true,
	})
	require.NoError(t, err)
	call := func(tool string, args map[string]any) string {
		res := ts.Call(t.Context(), ts.Lookup(tool), args)
		require.False(t, res.IsError, text(res))
		return text(res)
	}
	out := call("get_total_contexts_usage", map[string]any{"projectKey": "nope-project"})
	assert.Contains(t, out, "Demo: project nope-project is not the demo account's (it has projects web-app, mobile-app, payments")
	assert.Contains(t, out, "the data is synthesized from the key.")

	out = call("get_total_contexts_usage", map[string]any{"projectKey": "payments", "environmentKey": "production"})
	assert.NotContains(t, out, "Demo:")

	out = call("get_total_contexts_usage", map[string]any{"projectKey": "payments", "environmentKey": "qa"})
	assert.Contains(t, out, "Demo: environment qa is not the demo account's")

	out = call("get_evaluations_usage", map[string]any{"projectKey": "web-app", "environmentKey": "production", "featureFlagKey": "new-checkout"})
	assert.Contains(t, out, "Demo: flag new-checkout is not the demo account's")
	assert.NotContains(t, out, "project web-app")

	// Without --demo nothing is said (the same call against the emulator).
	plain, err := tools.New(tools.Config{
		Client: client.New("http://demo.emulator.invalid", emulator.DemoKey, client.WithHTTPClient(&http.Client{Transport: emu.Transport()})),
		Now:    func() time.Time { return fixed },
	})
	require.NoError(t, err)
	res := plain.Call(t.Context(), plain.Lookup("get_total_contexts_usage"), map[string]any{"projectKey": "nope-project"})
	assert.NotContains(t, text(res), "Demo:")
}
