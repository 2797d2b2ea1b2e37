package main

// Hostile input to the built binary over stdio, and secret hygiene of its
// command line: raw lines are written to the server's stdin and its answers
// read line by line, each with a timeout.

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

// rpcReply is one JSON-RPC message the server wrote.
type rpcReply struct {
	ID     json.RawMessage `json:"id"`
	Result *struct {
		IsError bool `json:"isError"`
		Content []struct {
			Text string `json:"text"`
		} `json:"content"`
	} `json:"result"`
	Error *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	line string
}

func (r rpcReply) text() string {
	if r.Result == nil {
		return ""
	}
	var b strings.Builder
	for _, c := range r.Result.Content {
		b.WriteString(c.Text)
	}
	return b.String()
}

// stdioServer is the built binary serving MCP on its stdin/stdout.
type stdioServer struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	lines   chan string
	stderr  *lockedBuffer
	exited  chan error
	byID    map[string]rpcReply // replies by their id's JSON
	nullIDs []rpcReply          // replies with id null (messages that could not be read)
}

func startStdioServer(t *testing.T, args ...string) *stdioServer {
	t.Helper()
	s := &stdioServer{lines: make(chan string, 64), stderr: &lockedBuffer{}, exited: make(chan error, 1), byID: map[string]rpcReply{}}
	s.cmd = exec.Command(testBinary(t), args...)
	s.cmd.Env = cleanEnv()
	s.cmd.Stderr = s.stderr
	var err error
	s.stdin, err = s.cmd.StdinPipe()
	require.NoError(t, err)
	stdout, err := s.cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, s.cmd.Start())
	t.Cleanup(func() { _ = s.cmd.Process.Kill() })
	go func() {
		r := bufio.NewReaderSize(stdout, 1<<16)
		for {
			line, err := r.ReadString('\n')
			if line != "" {
				s.lines <- line
			}
			if err != nil {
				close(s.lines)
				s.exited <- s.cmd.Wait()
				return
			}
		}
	}()
	return s
}

func (s *stdioServer) send(t *testing.T, line []byte) {
	t.Helper()
	_, err := s.stdin.Write(append(bytes.Clone(line), '\n'))
	require.NoError(t, err, "the server reads its stdin; stderr:\n%s", s.stderr.String())
}

// await reads the server's answers until done reports true or d passes.
func (s *stdioServer) await(t *testing.T, d time.Duration, what string, done func() bool) {
	t.Helper()
	timeout := time.After(d)
	for !done() {
		select {
		case line, ok := <-s.lines:
			require.True(t, ok, "the server's stdout closed while waiting for %s; stderr:\n%s", what, s.stderr.String())
			var r rpcReply
			require.NoError(t, json.Unmarshal([]byte(line), &r), "stdout carries only JSON-RPC messages: %.200q", line)
			r.line = line
			if id := string(r.ID); id == "" || id == "null" {
				s.nullIDs = append(s.nullIDs, r)
			} else {
				s.byID[id] = r
			}
		case <-timeout:
			t.Fatalf("no %s within %s; stderr:\n%s", what, d, s.stderr.String())
		}
	}
}

// request sends a request and waits for its reply.
func (s *stdioServer) request(t *testing.T, id, method string, params any) rpcReply {
	t.Helper()
	msg := map[string]any{"jsonrpc": "2.0", "id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	b, err := json.Marshal(msg)
	require.NoError(t, err)
	s.send(t, b)
	key := fmt.Sprintf("%q", id)
	s.await(t, 10*time.Second, "reply to "+method+" "+id, func() bool { _, ok := s.byID[key]; return ok })
	return s.byID[key]
}

func toolCallLine(id, tool, argsJSON string) []byte {
	return []byte(`{"jsonrpc":"2.0","id":"` + id + `","method":"tools/call","params":{"name":"` + tool + `","arguments":` + argsJSON + `}}`)
}

func nested(depth int) string {
	return strings.Repeat("[", depth) + `"x"` + strings.Repeat("]", depth)
}

// TestHostileStdio writes pathological lines to the built binary (--demo) and
// checks that each gets an error reply — a JSON-RPC parse error (id null)
// where the message could not be read, a JSON-RPC error or a tool error where
// it could — that the server answers a valid request after each, and that
// it never crashes.
func TestHostileStdio(t *testing.T) {
	s := startStdioServer(t, "--demo")
	init := s.request(t, "init", "initialize", map[string]any{
		"protocolVersion": "2025-06-18", "capabilities": map[string]any{},
		"clientInfo": map[string]any{"name": "hostile", "version": "1"},
	})
	require.Nil(t, init.Error, init.line)
	s.send(t, []byte(`{"jsonrpc":"2.0","method":"notifications/initialized"}`))

	mib := strings.Repeat("x", 1<<20)
	manyItems := `["sdk"` + strings.Repeat(`,"sdk"`, 9999) + `]`
	const (
		parse = iota // JSON-RPC parse error, id null
		rpc          // JSON-RPC error with the request's id
		tool         // tool error (result.isError) with the request's id
	)
	cases := []struct {
		name string
		line []byte
		want int
		has  string // in the error message or the tool error's text
	}{
		{"not JSON", []byte(`{not json`), parse, "Parse error"},
		{"truncated message", []byte(`{"jsonrpc":"2.0","id":"h","method":"tools/call","params":{"name":"get_mau_usage"`), parse, "Parse error"},
		{"invalid UTF-8 outside strings", []byte("\xff\xfe{\"jsonrpc\":\"2.0\"}"), parse, "Parse error"},
		{"1 MiB of garbage", []byte(mib), parse, "Parse error"},
		{"unknown method", []byte(`{"jsonrpc":"2.0","id":"h","method":"no/such/method"}`), rpc, "not found"},
		{"params not an object", []byte(`{"jsonrpc":"2.0","id":"h","method":"tools/call","params":"nope"}`), rpc, ""},
		{"tools/call without params", []byte(`{"jsonrpc":"2.0","id":"h","method":"tools/call"}`), rpc, ""},
		{"unknown tool", []byte(`{"jsonrpc":"2.0","id":"h","method":"tools/call","params":{"name":"get_nothing","arguments":{}}}`), rpc, "get_nothing"},
		{"invalid UTF-8 in the tool name", []byte("{\"jsonrpc\":\"2.0\",\"id\":\"h\",\"method\":\"tools/call\",\"params\":{\"name\":\"get_\xffmau\",\"arguments\":{}}}"), rpc, ""},
		{"arguments not an object", toolCallLine("h", "get_mau_usage", `"nope"`), tool, "must be a JSON object"},
		{"invalid UTF-8 in an argument", toolCallLine("h", "get_stream_usage", "{\"source\":\"\xff\xfe\"}"), tool, "`source`"},
		{"1 MiB argument string", toolCallLine("h", "get_stream_usage", `{"source":"`+mib+`"}`), tool, "bytes long"},
		{"1 MiB argument name", toolCallLine("h", "get_mau_usage", `{"`+mib+`":1}`), tool, "unknown argument"},
		{"10,000 array items", toolCallLine("h", "get_mau_usage", `{"groupby":`+manyItems+`}`), tool, "10000 items"},
		{"arguments nested 5,000 deep", toolCallLine("h", "get_mau_usage", `{"sdk":`+nested(5000)+`}`), tool, "nested too deep"},
		// 10,000 levels inside the message's own 4 pass encoding/json's limit
		// of 10,000: the message cannot be read at all.
		{"arguments nested 10,000 deep", toolCallLine("h", "get_mau_usage", `{"sdk":`+nested(10000)+`}`), parse, "Parse error"},
	}
	for i, c := range cases {
		id := fmt.Sprintf("h%d", i)
		line := bytes.Replace(c.line, []byte(`"id":"h"`), []byte(`"id":"`+id+`"`), 1)
		readable := json.Valid(line)
		require.Equal(t, c.want != parse, readable, "%s: the case's expectation matches whether the line is JSON", c.name)
		nulls := len(s.nullIDs)
		s.send(t, line)
		switch c.want {
		case parse:
			// A parse error is written before the next line is read, so it
			// comes before the answer to the ping that follows.
			s.request(t, "after-"+id, "ping", nil)
			require.Len(t, s.nullIDs, nulls+1, "%s: one reply with id null", c.name)
			r := s.nullIDs[nulls]
			require.NotNil(t, r.Error, "%s: %s", c.name, r.line)
			assert.Equal(t, -32700, r.Error.Code, c.name)
			assert.Contains(t, r.Error.Message, c.has, c.name)
		default:
			key := fmt.Sprintf("%q", id)
			s.await(t, 10*time.Second, "reply to "+c.name, func() bool { _, ok := s.byID[key]; return ok })
			r := s.byID[key]
			if c.want == rpc {
				require.NotNil(t, r.Error, "%s: a JSON-RPC error: %.300s", c.name, r.line)
				assert.Contains(t, r.Error.Message, c.has, c.name)
			} else {
				require.Nil(t, r.Error, "%s: a tool error, not a JSON-RPC error: %.300s", c.name, r.line)
				require.NotNil(t, r.Result, c.name)
				assert.True(t, r.Result.IsError, "%s: %.300s", c.name, r.line)
				assert.Contains(t, r.text(), c.has, c.name)
				assert.Less(t, len(r.line), 4096, "%s: the error does not echo the input", c.name)
			}
			// The server keeps serving.
			pong := s.request(t, "after-"+id, "ping", nil)
			require.Nil(t, pong.Error, c.name)
			assert.Len(t, s.nullIDs, nulls, "%s: no parse error for a readable message", c.name)
		}
	}

	// A valid tool call still works, then the server ends cleanly with its input.
	ok := s.request(t, "final", "tools/call", map[string]any{"name": "get_mau_usage", "arguments": map[string]any{"groupby": "sdk"}})
	require.Nil(t, ok.Error, ok.line)
	require.False(t, ok.Result.IsError, ok.text())
	assert.Contains(t, strings.ToLower(ok.text()), "demo")
	require.NoError(t, s.stdin.Close())
	select {
	case err := <-s.exited:
		assert.NoError(t, err, "exit status 0; stderr:\n%s", s.stderr.String())
	case <-time.After(10 * time.Second):
		t.Fatalf("the server did not exit when its stdin closed; stderr:\n%s", s.stderr.String())
	}
	assert.NotContains(t, s.stderr.String(), "panic")
	assert.NotContains(t, s.stderr.String(), "goroutine ")
}

// TestBinaryKeepsTheKeySecret runs the binary's call command with a
// distinctive token at debug level, for a success and a 401 (also from a
// server that echoes the token back), and checks stdout and stderr.
func TestBinaryKeepsTheKeySecret(t *testing.T) {
	const token = "api-SECRET-7f3a9c-do-not-leak"
	parts := []string{token, "SECRET-7f3a9c", "7f3a9c"}
	run := func(t *testing.T, serverURL string, wantCode int, args ...string) string {
		t.Helper()
		stdout, stderr, code := runCLI(t, cleanEnv(), append([]string{"--api-key", token, "--server-url", serverURL, "--log-level", "debug", "--call-timeout", "3s"}, args...)...)
		out := stdout + stderr
		assert.Equal(t, wantCode, code, out)
		for _, p := range parts {
			assert.NotContains(t, out, p)
		}
		return out
	}

	accepting := emulator.New(emulator.Options{Keys: []string{token}})
	srv := httptest.NewServer(accepting)
	defer srv.Close()
	// One 503 first, so that the retry is logged at debug level too.
	accepting.SetFault(emulator.Fault{Kind: emulator.Unavailable, Times: 1})
	out := run(t, srv.URL, 0, "call", "get_mau_usage", "groupby=sdk", "--json")
	assert.Contains(t, out, `"isError": false`)
	assert.Contains(t, out, "level=DEBUG msg=upstream event=retry", "debug logging was on")
	assert.Len(t, accepting.Requests(), 2)
	require.NotEmpty(t, accepting.Requests())
	assert.Equal(t, token, accepting.Requests()[0].Header.Get("Authorization"), "the token was sent")

	refusing := httptest.NewServer(emulator.New(emulator.Options{Keys: []string{"api-someone-else"}}))
	defer refusing.Close()
	out = run(t, refusing.URL, 1, "call", "get_mau_usage")
	assert.Contains(t, out, "401")

	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"code":"unauthorized","message":"token %s is not valid"}`, r.Header.Get("Authorization"))
	}))
	defer echo.Close()
	out = run(t, echo.URL, 1, "call", "get_mau_usage", "--json")
	assert.Contains(t, out, "token [REDACTED] is not valid")
}
