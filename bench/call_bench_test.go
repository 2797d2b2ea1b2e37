// Package bench holds in-process benchmarks of a whole tools/call, for CPU
// profiles with pprof: the JSON-RPC message goes through the MCP server, the
// tool, the client with its resilience transport and the emulator (in
// process, no sockets), and the answer is encoded as the transports encode it.
//
//	go test ./bench -run '^$' -bench ToolsCall -cpuprofile cpu.prof
//	go tool pprof -top bench.test cpu.prof
package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

func benchServer(tb testing.TB, noCache bool) func(msg []byte) []byte {
	tb.Helper()
	rt := client.NewTransport(emulator.New(emulator.Options{}).Transport(), client.ResilienceOptions{NoCache: noCache})
	cl := client.New("http://emulator.invalid", client.Key(emulator.DemoKey), client.WithHTTPClient(&http.Client{Transport: rt}))
	ts, err := tools.New(tools.Config{Client: cl})
	if err != nil {
		tb.Fatal(err)
	}
	srv := ts.MCP()
	ctx := context.Background()
	init := []byte(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`)
	if resp := srv.HandleMessage(ctx, init); resp == nil {
		tb.Fatal("no answer to initialize")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	return func(msg []byte) []byte {
		buf.Reset()
		if err := enc.Encode(srv.HandleMessage(ctx, msg)); err != nil {
			tb.Fatal(err)
		}
		return buf.Bytes()
	}
}

// BenchmarkToolsCall is one tools/call of get_mau_usage grouped by SDK over 30
// days, from the JSON-RPC message to the encoded answer.
func BenchmarkToolsCall(b *testing.B) {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	msg := []byte(fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_mau_usage","arguments":{"groupby":"sdk","from":%q,"to":%q}}}`,
		today.AddDate(0, 0, -30).Format("2006-01-02"), today.Format("2006-01-02")))
	for _, cache := range []string{"off", "on"} {
		b.Run("cache_"+cache, func(b *testing.B) {
			call := benchServer(b, cache == "off")
			out := call(msg)
			if !bytes.Contains(out, []byte(`"result"`)) || bytes.Contains(out, []byte(`"isError":true`)) {
				b.Fatalf("the call failed: %.300s", out)
			}
			b.SetBytes(int64(len(out)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				call(msg)
			}
		})
	}
}

// BenchmarkOverview is one tools/call of get_usage_overview (one request per
// billed measure, at most 4 in flight) from the JSON-RPC message to the
// encoded answer; with the cache off every request reaches the emulator,
// and upstream/op counts them.
func BenchmarkOverview(b *testing.B) {
	msg := []byte(`{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"get_usage_overview","arguments":{}}}`)
	for _, cache := range []string{"off", "on"} {
		b.Run("cache_"+cache, func(b *testing.B) {
			emu := emulator.New(emulator.Options{})
			rt := client.NewTransport(emu.Transport(), client.ResilienceOptions{NoCache: cache == "off"})
			cl := client.New("http://emulator.invalid", client.Key(emulator.DemoKey), client.WithHTTPClient(&http.Client{Transport: rt}))
			ts, err := tools.New(tools.Config{Client: cl, Selection: tools.Selection{Toolsets: []string{tools.OverviewToolset}}})
			if err != nil {
				b.Fatal(err)
			}
			srv := ts.MCP()
			ctx := context.Background()
			srv.HandleMessage(ctx, []byte(`{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}`))
			call := func() []byte {
				out, err := json.Marshal(srv.HandleMessage(ctx, msg))
				if err != nil {
					b.Fatal(err)
				}
				return out
			}
			out := call()
			if !bytes.Contains(out, []byte(`"kind":"overview"`)) || bytes.Contains(out, []byte(`"isError":true`)) {
				b.Fatalf("the call failed: %.300s", out)
			}
			emu.ResetRequests()
			b.SetBytes(int64(len(out)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				call()
			}
			b.ReportMetric(float64(emu.Count())/float64(b.N), "upstream/op")
		})
	}
}
