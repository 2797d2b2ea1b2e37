package ui_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestParsePath runs the app's parse path — ext-apps' App and its
// PostMessageTransport, the Zod schemas of ext-apps and of the SDK — in the
// app's own build (dist/probe.html: build.mjs bundles it beside the app with
// the same trims, trims.mjs). The test plays the host: it posts each message
// a host sends to an app, well formed and not, and checks what reached the
// App's handlers, what the App answered and which errors it raised, against
// the messages themselves. It shows that the trims leave the parse path
// whole: no stub is called, no schema is missing, the error messages are
// Zod's; and that what they take out (Zod's JSON Schema generation) throws.
func TestParsePath(t *testing.T) {
	exe := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	page, err := os.ReadFile("dist/probe.html")
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write(page)
	}))
	defer srv.Close()
	bctx, problems := browser(t, ctx, exe)
	require.NoError(t, chromedp.Do(bctx, chromedp.Navigate(srv.URL)))
	waitFor(t, bctx, `window.probe !== undefined`)

	type message = map[string]any
	post := func(m message) {
		t.Helper()
		b, err := json.Marshal(m)
		require.NoError(t, err)
		require.NoError(t, chromedp.Do(bctx, chromedp.Evaluate[chromedp.Void](`window.postMessage(`+string(b)+`, "*")`)))
	}
	sent := func() []message { return eval[[]message](t, bctx, `probe.log.sent`) }
	type got struct {
		On     string         `json:"on"`
		Params map[string]any `json:"params"`
	}

	// The handshake: the App asks, the host answers with its context.
	require.NoError(t, chromedp.Do(bctx, chromedp.Evaluate[chromedp.Void](`probe.connect()`)))
	waitFor(t, bctx, `probe.log.sent.length > 0`)
	init := sent()[0]
	require.Equal(t, "ui/initialize", init["method"])
	initParams := init["params"].(map[string]any)
	assert.Equal(t, "ld-usage-mcp probe", initParams["appInfo"].(map[string]any)["name"])
	hostContext := message{
		"theme": "dark", "platform": "web", "displayMode": "inline", "locale": "en-US", "timeZone": "Europe/Paris",
		"containerDimensions": message{"width": 640.0, "maxHeight": 2400.0},
		"safeAreaInsets":      message{"top": 1.0, "right": 2.0, "bottom": 3.0, "left": 4.0},
		"styles": message{
			"variables": message{"--color-background-primary": "#101014", "--color-text-primary": "light-dark(#111, #eee)"},
			"css":       message{"fonts": "@font-face { font-family: X; src: local(Arial); }"},
		},
	}
	post(message{"jsonrpc": "2.0", "id": init["id"], "result": message{
		"protocolVersion":  initParams["protocolVersion"],
		"hostInfo":         message{"name": "parse test", "version": "1"},
		"hostCapabilities": message{"openLinks": message{}, "serverTools": message{}, "logging": message{}},
		"hostContext":      hostContext,
	}})
	waitFor(t, bctx, `probe.log.connected`)
	assert.Equal(t, "ui/notifications/initialized", sent()[1]["method"])
	assert.Equal(t, hostContext, eval[message](t, bctx, `probe.hostContext()`), "the host context, as the host sent it")

	// Each notification a host sends, well formed: the handler gets its
	// params as sent.
	result := message{
		"content": []any{message{"type": "text", "text": "23,555 MAU so far"}},
		"structuredContent": message{
			"summary": message{"kind": "series", "series": []any{message{"key": "a", "label": "sdkName=Go", "figure": 5309.0}}},
			"raw":     message{"series": []any{message{"time": 1.7e12, "a": 5309.0}}},
		},
		"_meta": message{"io.modelcontextprotocol/related-task": message{"taskId": "t1"}},
	}
	notes := []struct {
		method, on string
		params     message
	}{
		{"ui/notifications/tool-input", "toolinput", message{"arguments": message{"groupBy": "sdkName", "limit": 3.0}}},
		{"ui/notifications/tool-input-partial", "toolinputpartial", message{"arguments": message{"groupBy": "sdk"}}},
		{"ui/notifications/tool-result", "toolresult", result},
		{"ui/notifications/tool-result", "toolresult", message{"content": []any{}, "isError": true}},
		{"ui/notifications/tool-cancelled", "toolcancelled", message{"reason": "the person stopped it"}},
		{"ui/notifications/host-context-changed", "hostcontextchanged", message{"theme": "light", "containerDimensions": message{"height": 500.0}}},
	}
	for _, n := range notes {
		post(message{"jsonrpc": "2.0", "method": n.method, "params": n.params})
	}
	waitFor(t, bctx, `probe.log.got.length >= 6`)
	gots := eval[[]got](t, bctx, `probe.log.got`)
	require.Len(t, gots, len(notes))
	for i, n := range notes {
		assert.Equal(t, n.on, gots[i].On, n.method)
		assert.Equal(t, n.params, gots[i].Params, n.method)
	}
	assert.Equal(t, "light", eval[string](t, bctx, `probe.hostContext().theme`), "the context follows its change")

	// Requests: the App answers each by its id.
	post(message{"jsonrpc": "2.0", "id": 41, "method": "ui/resource-teardown", "params": message{}})
	post(message{"jsonrpc": "2.0", "id": 42, "method": "ping"})
	post(message{"jsonrpc": "2.0", "id": 43, "method": "ui/no-such-method", "params": message{}})
	// Ill-formed: a message that is no JSON-RPC message is reported by the
	// transport and dropped; a notification whose params fail its schema is
	// reported to onerror and never handled.
	post(message{"jsonrpc": "2.0", "id": 44, "method": "ui/resource-teardown", "params": "now"})
	post(message{"jsonrpc": "2.0", "method": "ui/notifications/host-context-changed", "params": message{"theme": "blue"}})
	post(message{"jsonrpc": "2.0", "method": "ui/notifications/tool-result", "params": message{"content": "not a list"}})
	post(message{"jsonrpc": "2.0", "id": 45})
	waitFor(t, bctx, `probe.log.sent.some((m) => m.id === 43) && probe.log.errors.length >= 4`)
	answers := map[float64]message{}
	for _, m := range sent()[2:] {
		if id, ok := m["id"].(float64); ok {
			answers[id] = m
		}
	}
	assert.Equal(t, message{"jsonrpc": "2.0", "id": 41.0, "result": message{}}, answers[41])
	assert.Equal(t, message{"jsonrpc": "2.0", "id": 42.0, "result": message{}}, answers[42])
	require.Contains(t, answers, 43.0)
	assert.Equal(t, message{"code": -32601.0, "message": "Method not found"}, answers[43]["error"])
	assert.Len(t, answers, 3, "nothing answers the ill-formed messages: %v", answers)

	gots = eval[[]got](t, bctx, `probe.log.got`)
	require.Len(t, gots, len(notes)+1, "the teardown, and no ill-formed notification, reached a handler")
	assert.Equal(t, "teardown", gots[len(gots)-1].On)
	assert.Equal(t, message{}, gots[len(gots)-1].Params)
	// The errors, in Zod's words (its English locale) with the paths.
	type issue struct {
		Path    []any  `json:"path"`
		Message string `json:"message"`
		Errors  [][]struct {
			Path    []any  `json:"path"`
			Message string `json:"message"`
		} `json:"errors"`
	}
	errs := eval[[]string](t, bctx, `probe.log.errors`)
	require.Len(t, errs, 4, "%q", errs)
	issues := make([][]issue, len(errs))
	for i, e := range errs {
		assert.NotContains(t, e, "left out of this build", "no stub was called")
		require.NoError(t, json.Unmarshal([]byte(e[strings.Index(e, "["):]), &issues[i]), e)
		require.NotEmpty(t, issues[i], e)
	}
	assert.True(t, strings.HasPrefix(errs[0], "Error: Invalid JSON-RPC message received: "), errs[0])
	assert.Equal(t, []any{"params"}, issues[0][0].Errors[0][0].Path)
	assert.Equal(t, "Invalid input: expected object, received string", issues[0][0].Errors[0][0].Message)
	assert.Equal(t, []any{"params", "theme"}, issues[1][0].Path)
	assert.Equal(t, `Invalid input: expected "light"`, issues[1][0].Errors[0][0].Message)
	assert.Equal(t, `Invalid input: expected "dark"`, issues[1][0].Errors[1][0].Message)
	assert.Equal(t, []any{"params", "content"}, issues[2][0].Path)
	assert.Equal(t, "Invalid input: expected array, received string", issues[2][0].Message)
	assert.True(t, strings.HasPrefix(errs[3], "Error: Invalid JSON-RPC message received: "), errs[3])
	assert.Equal(t, []any{"method"}, issues[3][0].Errors[0][0].Path)
	assert.Equal(t, "Invalid input: expected string, received undefined", issues[3][0].Errors[0][0].Message)

	// What the build left out throws, loudly; what it kept works.
	assert.Contains(t, eval[string](t, bctx, `probe.jsonSchema()`), "threw: ld-usage-mcp: Zod's JSON Schema generation")
	assert.Equal(t, "3", eval[string](t, bctx, `probe.minLength()`))

	assert.Empty(t, eval[[]string](t, bctx, `probe.log.csp`), "no CSP violation (Zod's JIT is off)")
	for _, p := range problems() {
		assert.True(t, strings.Contains(p, "Failed to parse message"), "only the transport's report of the ill-formed message: %s", p)
	}
}
