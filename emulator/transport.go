package emulator

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"syscall"
)

// Transport returns an http.RoundTripper that serves requests in-process,
// without a socket, whatever host the request names. A cancelled request
// context ends the exchange (also while a Slow fault waits or a body is being
// read); a Drop fault surfaces as a connection-reset error.
func (e *Emulator) Transport() http.RoundTripper { return &transport{e: e} }

type transport struct{ e *Emulator }

// errReset is what a dropped connection looks like to the client.
var errReset = &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}

// streamAfter is how much of a body is buffered before the answer is
// streamed through a pipe instead.
const streamAfter = 256 << 10

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		// A form posted to the OAuth token endpoint is small: more than
		// maxForm is cut, and the handler refuses what it cannot parse.
		reqBody, _ = io.ReadAll(io.LimitReader(req.Body, maxForm+1))
		_ = req.Body.Close()
	}
	ctx := req.Context()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sreq := req.Clone(ctx)
	sreq.Body = http.NoBody
	if len(reqBody) > 0 {
		sreq.Body, sreq.ContentLength = io.NopCloser(bytes.NewReader(reqBody)), int64(len(reqBody))
	}
	sreq.RequestURI = req.URL.RequestURI()
	sreq.RemoteAddr = "127.0.0.1:1"
	sreq.Proto, sreq.ProtoMajor, sreq.ProtoMinor = "HTTP/1.1", 1, 1
	if sreq.Host == "" {
		sreq.Host = req.URL.Host
	}

	w := &pipeWriter{header: http.Header{}, result: make(chan result, 1)}
	go func() {
		defer func() {
			if p := recover(); p != nil {
				err := error(errReset)
				if p != http.ErrAbortHandler {
					err = fmt.Errorf("emulator: handler panic: %v", p)
				}
				w.fail(err)
			}
			w.finish()
		}()
		t.e.ServeHTTP(w, sreq)
	}()

	select {
	case res := <-w.result:
		if res.err != nil {
			return nil, res.err
		}
		body := &ctxBody{ctx: ctx, r: res.body, closer: res.closer}
		if res.pipe != nil {
			body.stop = context.AfterFunc(ctx, func() { res.pipe.CloseWithError(ctx.Err()) })
		}
		length := res.length
		if n, err := strconv.ParseInt(res.header.Get("Content-Length"), 10, 64); err == nil && n >= 0 {
			length = n
		}
		return &http.Response{
			Status:     strconv.Itoa(res.status) + " " + http.StatusText(res.status),
			StatusCode: res.status,
			Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:        res.header,
			Body:          body,
			ContentLength: length,
			Request:       req,
		}, nil
	case <-ctx.Done():
		w.abort(ctx.Err())
		return nil, ctx.Err()
	}
}

type result struct {
	status int
	header http.Header
	body   io.Reader
	closer func()
	pipe   *io.PipeReader
	length int64
	err    error
}

// pipeWriter is the handler's side of an in-process exchange. Small answers
// are buffered and handed over when the handler returns; large ones are
// streamed through a pipe.
type pipeWriter struct {
	header http.Header
	result chan result

	mu       sync.Mutex
	status   int
	snapshot http.Header
	buf      bytes.Buffer
	sent     bool
	pr       *io.PipeReader
	pw       *io.PipeWriter
	aborted  error
}

func (w *pipeWriter) Header() http.Header { return w.header }

func (w *pipeWriter) WriteHeader(status int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeHeaderLocked(status)
}

func (w *pipeWriter) writeHeaderLocked(status int) {
	if w.status == 0 {
		w.status = status
		w.snapshot = w.header.Clone()
	}
}

func (w *pipeWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.writeHeaderLocked(http.StatusOK)
	if w.aborted != nil {
		w.mu.Unlock()
		return 0, w.aborted
	}
	if w.pw == nil && w.buf.Len()+len(p) <= streamAfter {
		n, err := w.buf.Write(p)
		w.mu.Unlock()
		return n, err
	}
	if w.pw == nil {
		w.startStreamLocked()
	}
	pw := w.pw
	w.mu.Unlock()
	return pw.Write(p)
}

// Flush starts streaming what was written so far.
func (w *pipeWriter) Flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.writeHeaderLocked(http.StatusOK)
	if w.pw == nil && !w.sent && w.aborted == nil {
		w.startStreamLocked()
	}
}

func (w *pipeWriter) startStreamLocked() {
	w.pr, w.pw = io.Pipe()
	pr := w.pr
	head := bytes.NewReader(bytes.Clone(w.buf.Bytes()))
	w.buf.Reset()
	w.sendLocked(result{
		status: w.status, header: w.snapshot,
		body:   io.MultiReader(head, pr),
		closer: func() { pr.CloseWithError(errBodyClosed) },
		pipe:   pr, length: -1,
	})
}

var errBodyClosed = fmt.Errorf("emulator: response body closed")

func (w *pipeWriter) sendLocked(r result) {
	if !w.sent {
		w.sent = true
		w.result <- r
	}
}

// drop makes the exchange fail like a connection reset.
func (w *pipeWriter) drop() { w.fail(errReset) }

func (w *pipeWriter) fail(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pw != nil {
		w.pw.CloseWithError(err)
	}
	w.sendLocked(result{err: err})
}

// finish hands over a buffered answer, or ends a streamed one.
func (w *pipeWriter) finish() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pw != nil {
		_ = w.pw.Close()
		return
	}
	w.writeHeaderLocked(http.StatusOK)
	w.sendLocked(result{
		status: w.status, header: w.snapshot,
		body: bytes.NewReader(w.buf.Bytes()), closer: func() {}, length: int64(w.buf.Len()),
	})
}

// abort is called when the client gave up before an answer came.
func (w *pipeWriter) abort(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.aborted = err
	if w.pr != nil {
		w.pr.CloseWithError(err)
	}
	w.sent = true // nobody will receive a result now
}

// ctxBody is a response body that fails once its request context ends.
type ctxBody struct {
	ctx    context.Context
	r      io.Reader
	closer func()
	stop   func() bool
	once   sync.Once
}

func (b *ctxBody) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	return b.r.Read(p)
}

func (b *ctxBody) Close() error {
	b.once.Do(func() {
		if b.stop != nil {
			b.stop()
		}
		b.closer()
	})
	return nil
}
