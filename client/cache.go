package client

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
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
// its store while fresh, and lets identical concurrent GETs share one upstream
// call: in this process through singleflight, and across replicas through
// the store's flights when the store is shared (Redis).
type cache struct {
	next  http.RoundTripper
	o     ResilienceOptions
	ttl   func(*url.URL) time.Duration
	group singleflight.Group
	mem   *memAnswers // the answers kept in this process
	store answerStore // mem, or mem in front of Redis
}

// answerStore keeps answers and leads the flights of identical requests: in
// this process (memAnswers), or in Redis, shared by the replicas. Only
// answers with expires set are kept, until then.
type answerStore interface {
	// get returns the fresh answer under k, or nil.
	get(ctx context.Context, k answerKey) *cacheEntry
	// lead says who fetches k: this caller (leader), or the caller of
	// another replica that is already at it (follower). The answer may also
	// have been kept meanwhile (hit).
	lead(ctx context.Context, k answerKey) flight
}

// flight is this caller's part in fetching one answer.
type flight struct {
	hit    *cacheEntry // the answer was kept meanwhile: no flight
	leader bool
	// finish, for the leader, keeps e when it has expires set and ends the
	// flight, handing e to the followers; e is nil when no answer came.
	finish func(e *cacheEntry)
	// wait, for a follower, returns the leader's answer, or nil when the
	// leader went without one (then lead again); an error only when ctx ends.
	wait func(ctx context.Context) (*cacheEntry, error)
}

// answerKey names an answer: the hash of the token alone (for namespacing)
// and the hash of the token, API version and URL; ttl is how long the cache's
// rules let an answer to that URL be kept (a bound on what Redis says).
type answerKey struct {
	tok [sha256.Size]byte
	sum string
	ttl time.Duration
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
	mem := newMemAnswers(o)
	return newCacheWith(next, o, mem, mem)
}

func newCacheWith(next http.RoundTripper, o ResilienceOptions, mem *memAnswers, store answerStore) *cache {
	c := &cache{next: next, o: o, ttl: o.CacheTTL, mem: mem, store: store}
	if c.ttl == nil {
		c.ttl = func(u *url.URL) time.Duration { return DefaultCacheTTL(u, o.Now()) }
	}
	return c
}

// cacheKey is SHA-256 of the Authorization header, the API version and the
// URL: answers for one token are never served to another.
func cacheKey(req *http.Request) answerKey {
	h := sha256.New()
	_, _ = io.WriteString(h, req.Header.Get("Authorization"))
	_, _ = io.WriteString(h, "\x00"+req.Header.Get("LD-API-Version")+"\x00")
	_, _ = io.WriteString(h, req.URL.String())
	return answerKey{tok: tokenHash(req), sum: string(h.Sum(nil))}
}

// fetched is an answer with how this caller got it ("miss", "shared", "hit").
type fetched struct {
	e     *cacheEntry
	state string
}

// RoundTrip serves a GET from the cache when fresh; otherwise it joins an
// identical request in flight or sends it upstream. Only 200 answers are cached.
func (c *cache) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.Header.Get("Range") != "" || (req.Body != nil && req.Body != http.NoBody) {
		return c.next.RoundTrip(req)
	}
	ctx := req.Context()
	key := cacheKey(req)
	key.ttl = c.ttl(req.URL)
	if e := c.store.get(ctx, key); e != nil {
		c.o.emit(Event{Kind: EventCacheHit, Path: req.URL.Path, Status: e.statusCode, Remaining: -1})
		return e.response(req, "hit"), nil
	}
	c.o.emit(Event{Kind: EventCacheMiss, Path: req.URL.Path, Remaining: -1})

	for range maxFlightRetries {
		led := false
		ch := c.group.DoChan(key.sum, func() (any, error) {
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
			f := res.Val.(fetched)
			if !led && f.state == "miss" {
				f.state = "shared"
			}
			return f.e.response(req, f.state), nil
		}
	}
	f, err := c.fetch(req, key)
	var gone *leaderGone
	if errors.As(err, &gone) {
		err = gone.err
	}
	if err != nil {
		return nil, err
	}
	return f.e.response(req, f.state), nil
}

// leaderGone is a flight that failed because its leader's context ended.
type leaderGone struct{ err error }

func (e *leaderGone) Error() string { return e.err.Error() }
func (e *leaderGone) Unwrap() error { return e.err }

// fetch gets the answer of this process's flight: from the replica that
// leads it when another does (a shared store), else from upstream.
func (c *cache) fetch(req *http.Request, key answerKey) (fetched, error) {
	ctx := req.Context()
	for range maxFlightRetries {
		f := c.store.lead(ctx, key)
		switch {
		case f.hit != nil:
			return fetched{f.hit, "hit"}, nil
		case f.leader:
			e, err := c.fetchUpstream(req, f.finish)
			return fetched{e, "miss"}, err
		}
		e, err := f.wait(ctx)
		if err != nil {
			return fetched{}, &leaderGone{err}
		}
		if e != nil {
			return fetched{e, "shared"}, nil
		}
		// The replica that led went without an answer: lead again.
	}
	e, err := c.fetchUpstream(req, func(*cacheEntry) {})
	return fetched{e, "miss"}, err
}

// fetchUpstream sends req upstream, reads the whole answer, marks it for
// keeping if it is a 200, and hands it to finish (nil when none came).
func (c *cache) fetchUpstream(req *http.Request, finish func(*cacheEntry)) (*cacheEntry, error) {
	resp, err := c.next.RoundTrip(req)
	if err != nil {
		finish(nil)
		if req.Context().Err() != nil {
			return nil, &leaderGone{err}
		}
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.o.MaxBody+1))
	_ = resp.Body.Close()
	if err != nil {
		finish(nil)
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
		}
	}
	finish(e)
	return e, nil
}

// jsonContent reports whether h says the body is JSON.
func jsonContent(h http.Header) bool {
	ct := strings.ToLower(h.Get("Content-Type"))
	return strings.Contains(ct, "json")
}

// memAnswers keeps answers in this process, in an LRU bounded in count and bytes.
type memAnswers struct {
	o       ResilienceOptions
	mu      sync.Mutex
	entries *simplelru.LRU[string, *cacheEntry]
	bytes   int64
}

func newMemAnswers(o ResilienceOptions) *memAnswers {
	m := &memAnswers{o: o}
	m.entries, _ = simplelru.NewLRU(o.CacheSize, func(_ string, e *cacheEntry) { m.bytes -= e.size })
	return m
}

// answerStore of this process: every caller leads (singleflight has
// collapsed the identical ones already).

func (m *memAnswers) get(_ context.Context, k answerKey) *cacheEntry { return m.lookup(k.sum) }

func (m *memAnswers) lead(_ context.Context, k answerKey) flight {
	return flight{leader: true, finish: func(e *cacheEntry) { m.keep(k, e) }}
}

// keep puts e under k when it is to be kept.
func (m *memAnswers) keep(k answerKey, e *cacheEntry) {
	if e != nil && !e.expires.IsZero() {
		m.put(k.sum, e)
	}
}

func (m *memAnswers) lookup(key string) *cacheEntry {
	now := m.o.Now()
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries.Get(key)
	if !ok {
		return nil
	}
	if !now.Before(e.expires) {
		m.entries.Remove(key)
		return nil
	}
	return e
}

func (m *memAnswers) put(key string, e *cacheEntry) {
	size := int64(len(e.body) + len(key) + 256)
	for k, vs := range e.header {
		size += int64(len(k))
		for _, v := range vs {
			size += int64(len(v))
		}
	}
	if size > m.o.CacheBytes {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e.size = size
	m.entries.Remove(key) // so the byte count drops the entry it replaces
	m.entries.Add(key, e)
	m.bytes += e.size
	for m.bytes > m.o.CacheBytes {
		m.entries.RemoveOldest()
	}
}

// An answer kept outside this process (Redis) is a version byte, the length
// of a JSON head, the head (status, headers, expiry), the body.
const entryVersion = 1

type entryHead struct {
	Status  string      `json:"s"`
	Code    int         `json:"c"`
	Header  http.Header `json:"h"`
	Expires int64       `json:"x,omitempty"` // Unix ms; 0: not to be kept
}

func encodeEntry(e *cacheEntry) []byte {
	h := http.Header{}
	for _, k := range keptHeaders {
		if v := e.header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	head := entryHead{Status: e.status, Code: e.statusCode, Header: h}
	if !e.expires.IsZero() {
		head.Expires = e.expires.UnixMilli()
	}
	hb, _ := json.Marshal(head)
	b := make([]byte, 0, 1+binary.MaxVarintLen64+len(hb)+len(e.body))
	b = append(b, entryVersion)
	b = binary.AppendUvarint(b, uint64(len(hb)))
	b = append(b, hb...)
	return append(b, e.body...)
}

// keptHeaders are the only headers of an answer kept outside this process:
// the ones the client reads of a 200.
var keptHeaders = []string{"Content-Type"}

// redirect reports whether code is a 3xx: never kept, never handed over.
func redirect(code int) bool { return code >= 300 && code <= 399 }

// believe bounds an answer read from outside this process (Redis), now by
// the cache's clock: its headers cut to keptHeaders, its status line to
// the code's, and its expiry to now+ttl, the cache's own rule for its URL (a
// 200 with no expiry or ttl <= 0 is not to be kept). It returns nil for a
// status no replica shares.
func believe(e *cacheEntry, now time.Time, ttl time.Duration) *cacheEntry {
	if e.statusCode < 200 || e.statusCode > 599 || redirect(e.statusCode) {
		return nil
	}
	h := http.Header{}
	for _, k := range keptHeaders {
		if v := e.header.Get(k); v != "" {
			h.Set(k, clipTo(v, 200))
		}
	}
	e.header = h
	e.status = strconv.Itoa(e.statusCode) + " " + http.StatusText(e.statusCode)
	switch {
	case e.statusCode != http.StatusOK || ttl <= 0:
		e.expires = time.Time{}
	case !e.expires.IsZero() && e.expires.After(now.Add(ttl)):
		e.expires = now.Add(ttl)
	}
	if !e.expires.IsZero() && !now.Before(e.expires) {
		e.expires = time.Time{}
	}
	return e
}

func decodeEntry(b []byte) (*cacheEntry, error) {
	if len(b) < 2 || b[0] != entryVersion {
		return nil, errors.New("redis: not an answer of this version")
	}
	n, k := binary.Uvarint(b[1:])
	if k <= 0 || n > uint64(len(b)-1-k) {
		return nil, errors.New("redis: a cut answer")
	}
	var head entryHead
	if err := json.Unmarshal(b[1+k:1+k+int(n)], &head); err != nil {
		return nil, fmt.Errorf("redis: an answer's head: %w", err)
	}
	e := &cacheEntry{status: head.Status, statusCode: head.Code, header: head.Header, body: bytes.Clone(b[1+k+int(n):])}
	if e.header == nil {
		e.header = http.Header{}
	}
	if head.Expires != 0 {
		e.expires = time.UnixMilli(head.Expires)
	}
	return e, nil
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
