package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// sseStream wraps the GET /sse stream: it learns the session id from the
// endpoint event, counts the answers written (for shutdown and the cap on
// calls in flight), keeps the CORS answer to the allowed origin (the SSE
// server would say "*"), and bounds each write by a deadline (dl).
type sseStream struct {
	http.ResponseWriter
	dl      *deadlineWriter
	owed    *owedAnswers
	origin  string // Access-Control-Allow-Origin set by the policy, or ""
	session string
	started bool
}

func (s *sseStream) start() {
	if s.started {
		return
	}
	s.started = true
	if s.origin != "" {
		s.Header().Set("Access-Control-Allow-Origin", s.origin)
	} else {
		s.Header().Del("Access-Control-Allow-Origin")
	}
}

func (s *sseStream) WriteHeader(code int) {
	s.start()
	s.ResponseWriter.WriteHeader(code)
}

// Write sees whole events: the SSE server writes each with one call.
func (s *sseStream) Write(p []byte) (int, error) {
	s.start()
	switch {
	case s.session == "" && bytes.HasPrefix(p, []byte("event: endpoint\n")):
		if _, data, ok := bytes.Cut(p, []byte("data:")); ok {
			if u, err := url.Parse(string(bytes.TrimSpace(data))); err == nil {
				s.session = u.Query().Get("sessionId")
			}
		}
	case s.session != "" && bytes.HasPrefix(p, []byte("event: message\n")):
		if _, data, ok := bytes.Cut(p, []byte("data:")); ok {
			var msg struct {
				ID     json.RawMessage `json:"id"`
				Method string          `json:"method"`
			}
			if json.Unmarshal(bytes.TrimSpace(data), &msg) == nil && msg.Method == "" && len(msg.ID) > 0 {
				defer s.owed.add(s.session, -1) // once written
			}
		}
	}
	if !s.dl.before() {
		return 0, errStreamDropped
	}
	n, err := s.ResponseWriter.Write(p)
	s.dl.after(err)
	return n, err
}

// errStreamDropped: the stream's reader stopped reading; it was ended.
var errStreamDropped = errors.New("the SSE stream was dropped: its reader did not read within the write timeout")

func (s *sseStream) Flush() {
	s.start()
	if s.dl.before() {
		s.dl.after(s.dl.rc.Flush())
	}
}

func (s *sseStream) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// finish forgets what the ended stream still owed: nobody reads it any more.
func (s *sseStream) finish() {
	if s.session != "" {
		s.owed.forget(s.session)
	}
}

// owedAnswers counts, per SSE session, the answers accepted but not yet
// written on the session's stream.
type owedAnswers struct {
	mu      sync.Mutex
	n       map[string]int
	changed chan struct{} // closed and replaced on every change
}

func newOwedAnswers() *owedAnswers {
	return &owedAnswers{n: map[string]int{}, changed: make(chan struct{})}
}

func (o *owedAnswers) add(session string, d int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if v := o.n[session] + d; v > 0 {
		o.n[session] = v
	} else {
		delete(o.n, session)
	}
	o.signal()
}

// tryAdd counts one more answer owed to session unless max are owed already.
func (o *owedAnswers) tryAdd(session string, max int) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.n[session] >= max {
		return false
	}
	o.n[session]++
	o.signal()
	return true
}

func (o *owedAnswers) forget(session string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.n, session)
	o.signal()
}

// signal wakes the waiters; o.mu is held.
func (o *owedAnswers) signal() {
	close(o.changed)
	o.changed = make(chan struct{})
}

// wait returns when nothing is owed or ctx is done.
func (o *owedAnswers) wait(ctx context.Context) {
	for {
		o.mu.Lock()
		empty, changed := len(o.n) == 0, o.changed
		o.mu.Unlock()
		if empty {
			return
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return
		}
	}
}

// Bounds of the HTTP transports against slow or greedy clients (HTTPConfig).
const (
	DefaultMaxSessions        = 256
	DefaultMaxSessionCalls    = 16
	DefaultMaxConnections     = 1024
	DefaultBodyTimeout        = 30 * time.Second
	DefaultStreamWriteTimeout = 30 * time.Second
)

// withDefaults fills the zero bounds of h.
func (h HTTPConfig) withDefaults() HTTPConfig {
	if h.MaxSessions <= 0 {
		h.MaxSessions = DefaultMaxSessions
	}
	if h.MaxSessionCalls <= 0 {
		h.MaxSessionCalls = DefaultMaxSessionCalls
	}
	if h.MaxConnections <= 0 {
		h.MaxConnections = DefaultMaxConnections
	}
	if h.BodyTimeout <= 0 {
		h.BodyTimeout = DefaultBodyTimeout
	}
	if h.StreamWriteTimeout <= 0 {
		h.StreamWriteTimeout = DefaultStreamWriteTimeout
	}
	return h
}

// deadlineWriter bounds each write of the stream by a deadline and ends the
// stream (cancel, which the SSE server's loop watches) on the first write
// that fails: a reader that does not read holds no memory past the timeout.
type deadlineWriter struct {
	rc      *http.ResponseController
	timeout time.Duration
	cancel  context.CancelFunc
	failed  bool
}

func (d *deadlineWriter) before() bool {
	if d.failed {
		return false
	}
	_ = d.rc.SetWriteDeadline(time.Now().Add(d.timeout))
	return true
}

func (d *deadlineWriter) after(err error) {
	if err != nil && !d.failed {
		d.failed = true
		d.cancel()
	}
}
