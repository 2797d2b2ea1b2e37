package client

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"golang.org/x/sync/singleflight"
)

// CacheHeader is set on every answer the cache layer returns: "hit" when it
// came from the cache, "shared" when it was another caller's identical request
// in flight, "miss" when it came from upstream for this caller.
const CacheHeader = "X-Ld-Usage-Cache"

// Cache TTLs of DefaultCacheTTL.
const (
	TTLRecent = 30 * time.Second // to within the past two hours, or absent
	TTLDays   = 5 * time.Minute  // to within the past two days; lists without a range
	TTLOld    = time.Hour        // older data
)

// maxFlightRetries bounds how often a caller joins a new flight after the
// caller that led the previous one went away.
const maxFlightRetries = 3

// cache answers identical GETs (same token, same API version, same URL) from
// memory while fresh, and lets identical concurrent GETs share one upstream call.
type cache struct {
	next  http.RoundTripper
	o     ResilienceOptions
	ttl   func(*url.URL) time.Duration
	group singleflight.Group

	mu      sync.Mutex
	entries *simplelru.LRU[string, *cacheEntry]
	bytes   int64
}

// cacheEntry is one answer, its body in memory. It is never changed once made.
type cacheEntry struct {
	status     string
	statusCode int
	header     http.Header
	body       []byte
	tooLarge   bool // the body went past MaxBody and was cut there
	expires    time.Time
	size       int64
}

func newCache(next http.RoundTripper, o ResilienceOptions) *cache {
	c := &cache{next: next, o: o, ttl: o.CacheTTL}
	if c.ttl == nil {
		c.ttl = func(u *url.URL) time.Duration { return DefaultCacheTTL(u, o.Now()) }
	}
	c.entries, _ = simplelru.NewLRU(o.CacheSize, func(_ string, e *cacheEntry) { c.bytes -= e.size })
	return c
}

// cacheKey is SHA-256 of the Authorization header, the API version and the
// URL: answers for one token are never served to another.
func cacheKey(req *http.Request) string {
	h := sha256.New()
	_, _ = io.WriteString(h, req.Header.Get("Authorization"))
	_, _ = io.WriteString(h, "\x00"+req.Header.Get("LD-API-Version")+"\x00")
	_, _ = io.WriteString(h, req.URL.String())
	return string(h.Sum(nil))
}

// RoundTrip serves a GET from the cache when fresh; otherwise it joins an
// identical request in flight or sends it upstream. Only 200 answers are cached.
func (c *cache) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.Header.Get("Range") != "" || (req.Body != nil && req.Body != http.NoBody) {
		return c.next.RoundTrip(req)
	}
	key := cacheKey(req)
	if e := c.get(key); e != nil {
		c.o.emit(Event{Kind: EventCacheHit, Path: req.URL.Path, Status: e.statusCode, Remaining: -1})
		return e.response(req, "hit"), nil
	}
	c.o.emit(Event{Kind: EventCacheMiss, Path: req.URL.Path, Remaining: -1})

	ctx := req.Context()
	for range maxFlightRetries {
		led := false
		ch := c.group.DoChan(key, func() (any, error) {
			led = true
			return c.fetch(req, key)
		})
		select {
		case <-ctx.Done():
			// The flight runs under its leader's context: if that is this
			// request, it ends now too; DoChan's channel is buffered.
			return nil, ctx.Err()
		case res := <-ch:
			var gone *leaderGone
			if errors.As(res.Err, &gone) {
				if led || ctx.Err() != nil {
					return nil, gone.err
				}
				continue // the caller that led the flight went away; this one has not
			}
			if res.Err != nil {
				return nil, res.Err
			}
			state := "shared"
			if led {
				state = "miss"
			}
			return res.Val.(*cacheEntry).response(req, state), nil
		}
	}
	e, err := c.fetch(req, key)
	var gone *leaderGone
	if errors.As(err, &gone) {
		err = gone.err
	}
	if err != nil {
		return nil, err
	}
	return e.response(req, "miss"), nil
}

// leaderGone is a flight that failed because its leader's context ended.
type leaderGone struct{ err error }

func (e *leaderGone) Error() string { return e.err.Error() }
func (e *leaderGone) Unwrap() error { return e.err }

// fetch sends req upstream, reads the whole answer and caches it if it is a 200.
func (c *cache) fetch(req *http.Request, key string) (*cacheEntry, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		if req.Context().Err() != nil {
			return nil, &leaderGone{err}
		}
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.o.MaxBody+1))
	_ = resp.Body.Close()
	if err != nil {
		if req.Context().Err() != nil {
			return nil, &leaderGone{err}
		}
		return nil, err
	}
	e := &cacheEntry{
		status:     resp.Status,
		statusCode: resp.StatusCode,
		header:     resp.Header.Clone(),
		body:       body,
		tooLarge:   int64(len(body)) > c.o.MaxBody,
	}
	// A JSON answer that does not parse (cut short on the way) is passed on
	// but not kept: the next call must go upstream instead of getting the
	// same broken body for the whole TTL.
	if e.statusCode == http.StatusOK && !e.tooLarge && (!jsonContent(e.header) || json.Valid(body)) {
		if ttl := c.ttl(req.URL); ttl > 0 {
			e.expires = c.o.Now().Add(ttl)
			c.put(key, e)
		}
	}
	return e, nil
}

// jsonContent reports whether h says the body is JSON.
func jsonContent(h http.Header) bool {
	ct := strings.ToLower(h.Get("Content-Type"))
	return strings.Contains(ct, "json")
}

func (c *cache) get(key string) *cacheEntry {
	now := c.o.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries.Get(key)
	if !ok {
		return nil
	}
	if !now.Before(e.expires) {
		c.entries.Remove(key)
		return nil
	}
	return e
}

func (c *cache) put(key string, e *cacheEntry) {
	e.size = int64(len(e.body) + len(key) + 256)
	for k, vs := range e.header {
		e.size += int64(len(k))
		for _, v := range vs {
			e.size += int64(len(v))
		}
	}
	if e.size > c.o.CacheBytes {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.entries.Remove(key) // so the byte count drops the entry it replaces
	c.entries.Add(key, e)
	c.bytes += e.size
	for c.bytes > c.o.CacheBytes {
		c.entries.RemoveOldest()
	}
}

// errBodyTooLarge is what reading a shared or cached body past MaxBody gives.
var errBodyTooLarge = fmt.Errorf("%w for the cache's MaxBody", ErrTooLarge)

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// response makes a fresh answer from the entry: its own body reader, its own headers.
func (e *cacheEntry) response(req *http.Request, state string) *http.Response {
	h := e.header.Clone()
	h.Set(CacheHeader, state)
	var body io.Reader = bytes.NewReader(e.body)
	n := int64(len(e.body))
	if e.tooLarge {
		body = io.MultiReader(body, errReader{errBodyTooLarge})
		n = -1
		h.Del("Content-Length")
	}
	return &http.Response{
		Status:        e.status,
		StatusCode:    e.statusCode,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        h,
		Body:          io.NopCloser(body),
		ContentLength: n,
		Request:       req,
	}
}

// DefaultCacheTTL is the cache's default freshness policy for an answer to u,
// read from its from/to query parameters (Unix seconds below 1e11, else
// milliseconds): data up to within the past two hours (or up to now: no to)
// still changes, so 30 s; up to within the past two days, 5 min; older, 1 hour.
// A URL with neither from nor to for an endpoint that takes no range (SDK
// lists) stays 5 min.
func DefaultCacheTTL(u *url.URL, now time.Time) time.Duration {
	q := u.Query()
	from, to := q.Get("from"), q.Get("to")
	if from == "" && to == "" && !rangedPath(u.Path) {
		return TTLDays
	}
	t, ok := parseEpoch(to)
	if !ok {
		return TTLRecent
	}
	switch age := now.Sub(t); {
	case age <= 2*time.Hour:
		return TTLRecent
	case age <= 48*time.Hour:
		return TTLDays
	default:
		return TTLOld
	}
}

// parseEpoch reads a Unix time in seconds (below 1e11) or milliseconds.
func parseEpoch(s string) (time.Time, bool) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	if n < 1e11 {
		return time.Unix(n, 0), true
	}
	return time.UnixMilli(n), true
}

var (
	rangedOnce      sync.Once
	rangedTemplates [][]string
)

// rangedPath reports whether p ends with the path of an endpoint that takes from/to.
func rangedPath(p string) bool {
	rangedOnce.Do(func() {
		for _, e := range Endpoints {
			if e.HasRange() {
				rangedTemplates = append(rangedTemplates, strings.Split(strings.Trim(e.Path, "/"), "/"))
			}
		}
	})
	segs := strings.Split(strings.Trim(p, "/"), "/")
	for _, t := range rangedTemplates {
		if matchTail(t, segs) {
			return true
		}
	}
	return false
}

// matchTail reports whether the last segments of segs match the template
// ({name} matches any non-empty segment).
func matchTail(tmpl, segs []string) bool {
	if len(segs) < len(tmpl) {
		return false
	}
	segs = segs[len(segs)-len(tmpl):]
	for i, t := range tmpl {
		if strings.HasPrefix(t, "{") {
			if segs[i] == "" {
				return false
			}
		} else if t != segs[i] {
			return false
		}
	}
	return true
}
