package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"time"
)

// protocolVersion is the MCP revision the bench speaks: one that both our
// server and LaunchDarkly's (TypeScript SDK) accept with the initialize handshake.
const protocolVersion = "2025-06-18"

// peer is an MCP server spawned as a child process, spoken to over its pipes
// with newline-delimited JSON-RPC, one request at a time.
type peer struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	out     *bufio.Reader
	nextID  int
	timeout time.Duration
	started time.Time
	waitErr chan error
	killed  sync.Once
}

// spawn starts name with args and env; stderr is drained into errSink (which
// may be io.Discard). Every request is bounded by timeout: past it the child
// is killed and the request fails.
func spawn(name string, args, env []string, errSink io.Writer, timeout time.Duration) (*peer, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	cmd.Stderr = errSink
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p := &peer{cmd: cmd, stdin: stdin, out: bufio.NewReaderSize(stdout, 1<<16), timeout: timeout, waitErr: make(chan error, 1)}
	p.started = time.Now()
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() { p.waitErr <- cmd.Wait() }()
	return p, nil
}

// PID is the child's process id.
func (p *peer) PID() int { return p.cmd.Process.Pid }

func (p *peer) kill() { p.killed.Do(func() { _ = p.cmd.Process.Kill() }) }

// close ends the child: stdin is closed (an MCP server exits on EOF), and the
// child is killed if it has not exited within two seconds.
func (p *peer) close() {
	_ = p.stdin.Close()
	select {
	case <-p.waitErr:
	case <-time.After(2 * time.Second):
		p.kill()
		<-p.waitErr
	}
}

// encodeRequest renders a JSON-RPC request; params must already be JSON (or nil).
func encodeRequest(id int, method string, params json.RawMessage) []byte {
	b := make([]byte, 0, 64+len(method)+len(params))
	b = append(b, `{"jsonrpc":"2.0","id":`...)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, `,"method":`...)
	b = strconv.AppendQuote(b, method)
	if params != nil {
		b = append(b, `,"params":`...)
		b = append(b, params...)
	}
	return append(b, "}\n"...)
}

// notify sends a JSON-RPC notification.
func (p *peer) notify(method string, params json.RawMessage) error {
	b := []byte(`{"jsonrpc":"2.0","method":` + strconv.Quote(method))
	if params != nil {
		b = append(append(b, `,"params":`...), params...)
	}
	b = append(b, "}\n"...)
	_, err := p.stdin.Write(b)
	return err
}

// send writes a request and returns its id, without waiting for the answer.
func (p *peer) send(method string, params json.RawMessage) (int, error) {
	p.nextID++
	_, err := p.stdin.Write(encodeRequest(p.nextID, method, params))
	return p.nextID, err
}

// wait reads lines until the response with id arrives and returns that line
// (without its newline). Notifications and server requests are skipped.
func (p *peer) wait(id int) ([]byte, error) {
	t := time.AfterFunc(p.timeout, p.kill)
	defer t.Stop()
	want := strconv.Itoa(id)
	for {
		line, err := p.out.ReadBytes('\n')
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, fmt.Errorf("server closed stdout waiting for response %d (killed after %s?)", id, p.timeout)
			}
			return nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if responseID(line) == want {
			return line, nil
		}
	}
}

// responsePrefix is how mcp-go starts every response; a line that starts so
// has its id read without parsing the (possibly large) rest, so that the
// clock of a timed request stops when the line arrives.
var responsePrefix = []byte(`{"jsonrpc":"2.0","id":`)

// responseID returns the id of a JSON-RPC response line as JSON text, or ""
// for notifications, requests and lines that are not JSON.
func responseID(line []byte) string {
	if rest, ok := bytes.CutPrefix(line, responsePrefix); ok {
		if i := bytes.IndexByte(rest, ','); i > 0 {
			if tail := rest[i:]; bytes.HasPrefix(tail, []byte(`,"result":`)) || bytes.HasPrefix(tail, []byte(`,"error":`)) {
				return string(rest[:i])
			}
		}
	}
	var env struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	if err := json.Unmarshal(line, &env); err != nil || env.Method != "" {
		return ""
	}
	return string(env.ID)
}

// request sends a request and waits for its answer.
func (p *peer) request(method string, params json.RawMessage) ([]byte, error) {
	id, err := p.send(method, params)
	if err != nil {
		return nil, err
	}
	return p.wait(id)
}

// rpcResponse is a JSON-RPC response.
type rpcResponse struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// toolResult is the part of a tools/call result the bench looks at.
type toolResult struct {
	IsError bool `json:"isError"`
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
}

// parseResult checks a JSON-RPC response line and returns its result.
func parseResult(line []byte) (json.RawMessage, error) {
	var r rpcResponse
	if err := json.Unmarshal(line, &r); err != nil {
		return nil, fmt.Errorf("bad JSON-RPC response: %w", err)
	}
	if r.Error != nil {
		return nil, fmt.Errorf("JSON-RPC error %d: %s", r.Error.Code, r.Error.Message)
	}
	if r.Result == nil {
		return nil, errors.New("JSON-RPC response without result")
	}
	return r.Result, nil
}

// parseToolResult checks a tools/call response line: no JSON-RPC error and no tool error.
func parseToolResult(line []byte) (*toolResult, error) {
	res, err := parseResult(line)
	if err != nil {
		return nil, err
	}
	var tr toolResult
	if err := json.Unmarshal(res, &tr); err != nil {
		return nil, fmt.Errorf("bad tools/call result: %w", err)
	}
	if tr.IsError {
		text := ""
		if len(tr.Content) > 0 {
			text = tr.Content[0].Text
		}
		return &tr, fmt.Errorf("tool error: %.200s", text)
	}
	return &tr, nil
}

var initializeParams = json.RawMessage(`{"protocolVersion":"` + protocolVersion + `","capabilities":{},"clientInfo":{"name":"ldbench","version":"1"}}`)

// handshake initializes the session and lists the tools; it returns the
// tools/list response line.
func (p *peer) handshake() ([]byte, error) {
	line, err := p.request("initialize", initializeParams)
	if err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	if _, err := parseResult(line); err != nil {
		return nil, fmt.Errorf("initialize: %w", err)
	}
	if err := p.notify("notifications/initialized", nil); err != nil {
		return nil, err
	}
	line, err = p.request("tools/list", json.RawMessage(`{}`))
	if err != nil {
		return nil, fmt.Errorf("tools/list: %w", err)
	}
	if _, err := parseResult(line); err != nil {
		return nil, fmt.Errorf("tools/list: %w", err)
	}
	return line, nil
}

// callParams renders the params of a tools/call.
func callParams(tool string, args map[string]any) json.RawMessage {
	b, err := json.Marshal(struct {
		Name      string         `json:"name"`
		Arguments map[string]any `json:"arguments"`
	}{tool, args})
	if err != nil {
		panic(err)
	}
	return b
}

// coldStart spawns the server, initializes and lists the tools, and returns
// the time from spawn to the tools/list answer, the tools/list line and the
// child's resident memory at that point. The child is then ended.
func coldStart(name string, args, env []string, timeout time.Duration) (time.Duration, []byte, int64, error) {
	s, err := coldStartSample(name, args, env, timeout)
	return s.wall, s.line, s.rss, err
}

// startSample is one cold start: wall time spawn → tools/list answered, the
// tools/list line, and the child's resident memory and CPU time (all its
// threads, from /proc/PID/task/*/schedstat) at that point. The CPU time moves
// little with other load on the machine, the wall time a lot.
type startSample struct {
	wall time.Duration
	line []byte
	rss  int64
	cpu  time.Duration
}

func coldStartSample(name string, args, env []string, timeout time.Duration) (startSample, error) {
	t0 := time.Now()
	p, err := spawn(name, args, env, io.Discard, timeout)
	if err != nil {
		return startSample{}, err
	}
	defer p.close()
	line, err := p.handshake()
	elapsed := time.Since(t0)
	if err != nil {
		return startSample{}, err
	}
	rss, err := readRSS(p.PID())
	if err != nil {
		return startSample{}, err
	}
	cpu, _ := threadsCPU(p.PID()) // 0 where the kernel keeps no schedstat
	return startSample{elapsed, line, rss, cpu}, nil
}

// childEnv is the bench's environment without LaunchDarkly settings, plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if bytes.HasPrefix([]byte(kv), []byte("LAUNCHDARKLY_")) {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}
