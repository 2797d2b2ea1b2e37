package emulator

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// FaultKind is a way for the emulator to misbehave.
type FaultKind int

const (
	// None clears the fault.
	None FaultKind = iota
	// RateLimited answers 429 rate_limited with X-Ratelimit-Reset (and Retry-After when set).
	RateLimited
	// Unavailable answers 503 service_unavailable (with Retry-After when set).
	Unavailable
	// BadGateway answers 502.
	BadGateway
	// GatewayTimeout answers 504.
	GatewayTimeout
	// Slow waits Delay (or until the request's context ends), then answers normally.
	Slow
	// Truncated answers normally but sends only the first half of the body.
	Truncated
	// NonJSON answers an HTML error page with Status (default 502).
	NonJSON
	// Oversized answers 200 with a body of Size bytes that starts like a usage response.
	Oversized
	// Drop closes the connection without answering (through Transport: a
	// connection-reset error). Note that Go's HTTP client silently retries a
	// GET once when a reused keep-alive connection closes before any answer,
	// so with Times 1 such a client may see only the retry's success.
	Drop
)

func (k FaultKind) String() string {
	names := [...]string{"None", "RateLimited", "Unavailable", "BadGateway", "GatewayTimeout", "Slow", "Truncated", "NonJSON", "Oversized", "Drop"}
	if k >= 0 && int(k) < len(names) {
		return names[k]
	}
	return "FaultKind(" + strconv.Itoa(int(k)) + ")"
}

// Fault describes a misbehaviour and the requests it applies to.
type Fault struct {
	Kind       FaultKind
	Times      int           // how many matching requests it applies to; 0 = until cleared
	Path       string        // optional path prefix the fault is limited to
	RetryAfter time.Duration // for 429/503: Retry-After in seconds (0 = omit); 429 also sets X-Ratelimit-Reset
	Delay      time.Duration // Slow: delay before answering
	Size       int64         // Oversized: body size in bytes (default 64 MiB)
	Status     int           // NonJSON: status of the HTML page (default 502)
}

// SetFault replaces the current fault; a Fault with Kind None clears it.
func (e *Emulator) SetFault(f Fault) {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	if f.Kind == None || f.Times < 0 {
		f = Fault{}
	}
	e.fault = f
}

// takeFault returns the fault that applies to a request for path, counting
// it down.
func (e *Emulator) takeFault(path string) (Fault, bool) {
	e.faultMu.Lock()
	defer e.faultMu.Unlock()
	f := e.fault
	if f.Kind == None || (f.Path != "" && !strings.HasPrefix(path, f.Path)) {
		return Fault{}, false
	}
	if f.Times > 0 {
		e.fault.Times--
		if e.fault.Times == 0 {
			e.fault = Fault{}
		}
	}
	return f, true
}

// applyFault acts out f. It reports false when the request should then be
// answered normally (Slow).
func (e *Emulator) applyFault(f Fault, w http.ResponseWriter, r *http.Request) bool {
	h := w.Header()
	switch f.Kind {
	case RateLimited:
		wait := f.RetryAfter
		if wait <= 0 {
			wait = e.window
		}
		if f.RetryAfter > 0 {
			h.Set("Retry-After", retryAfter(f.RetryAfter))
		}
		h.Set("X-Ratelimit-Global-Remaining", "0")
		h.Set("X-Ratelimit-Route-Remaining", "0")
		h.Set("X-Ratelimit-Reset", strconv.FormatInt(e.now().Add(wait).UnixMilli(), 10))
		writeError(w, http.StatusTooManyRequests, "rate_limited", "You've exceeded the API rate limit. Try again later.")
	case Unavailable:
		if f.RetryAfter > 0 {
			h.Set("Retry-After", retryAfter(f.RetryAfter))
		}
		writeError(w, http.StatusServiceUnavailable, "service_unavailable", "Requested service unavailable")
	case BadGateway:
		writeError(w, http.StatusBadGateway, "bad_gateway", "Bad gateway")
	case GatewayTimeout:
		writeError(w, http.StatusGatewayTimeout, "gateway_timeout", "Gateway timeout")
	case Slow:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
			return false
		case <-r.Context().Done():
			return true
		}
	case Truncated:
		var rec bufferWriter
		rec.header = http.Header{}
		e.serve(&rec, r)
		body := rec.buf.Bytes()
		body = body[:len(body)/2]
		for k, v := range rec.header {
			h[k] = v
		}
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.status)
		_, _ = w.Write(body)
	case NonJSON:
		status := f.Status
		if status == 0 {
			status = http.StatusBadGateway
		}
		text := fmt.Sprintf("%d %s", status, http.StatusText(status))
		page := "<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" + text +
			"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
		h.Set("Content-Type", "text/html")
		h.Set("Content-Length", strconv.Itoa(len(page)))
		w.WriteHeader(status)
		_, _ = w.Write([]byte(page))
	case Oversized:
		writeOversized(w, r, f.Size)
	case Drop:
		drop(w)
	default:
		return false
	}
	return true
}

func retryAfter(d time.Duration) string {
	s := int64((d + time.Second - 1) / time.Second)
	return strconv.FormatInt(max(s, 1), 10)
}

// oversizedChunk is a run of plausible series rows, built on first use (not
// at start-up: every start of the server links this package).
var oversizedChunk = sync.OnceValue(func() []byte {
	var b []byte
	for t := int64(1700000000000); len(b) < 32<<10; t += 60000 {
		b = append(b, `{"time":`...)
		b = strconv.AppendInt(b, t, 10)
		b = append(b, `,"0":123456},`...)
	}
	return b
})

func writeOversized(w http.ResponseWriter, r *http.Request, size int64) {
	if size <= 0 {
		size = 64 << 20
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	prefix := []byte(`{"_links":{},"metadata":[{}],"series":[`)
	left := size
	write := func(p []byte) bool {
		if int64(len(p)) > left {
			p = p[:left]
		}
		n, err := w.Write(p)
		left -= int64(n)
		return err == nil && left > 0 && r.Context().Err() == nil
	}
	if !write(prefix) {
		return
	}
	for write(oversizedChunk()) {
	}
}

// dropper is implemented by the in-process transport's response writer.
type dropper interface{ drop() }

// drop closes the connection without an answer.
func drop(w http.ResponseWriter) {
	if d, ok := w.(dropper); ok {
		d.drop()
		return
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// HTTP/2 or a wrapped writer: abort the handler, which resets the stream.
	panic(http.ErrAbortHandler)
}

// bufferWriter is an http.ResponseWriter that keeps the answer in memory.
type bufferWriter struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }
func (b *bufferWriter) WriteHeader(s int) {
	if b.status == 0 {
		b.status = s
	}
}
func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.buf.Write(p)
}
