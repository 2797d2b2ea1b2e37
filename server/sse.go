package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sync"
)

// sseStream wraps the GET /sse stream: it learns the session id from the
// endpoint event, counts the answers written (for shutdown), and keeps the
// CORS answer to the allowed origin (the SSE server would say "*").
type sseStream struct {
	http.ResponseWriter
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
	return s.ResponseWriter.Write(p)
}

func (s *sseStream) Flush() {
	s.start()
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		f.Flush()
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
