// Package apispec is LaunchDarkly's own OpenAPI document of the Account usage
// (beta) API (testdata/openapi/ld-usage-openapi.yaml) as a test oracle: it
// says whether a request is one the API documents and whether an answer is
// one of the answers the operation declares.
//
// kin-openapi loads the document and checks what OpenAPI states (required
// parameters, response statuses, content types and body schemas). The
// document gives every query parameter `type: string` and states valid
// values, repetition and cross-field rules only in prose; this package reads
// those sentences (rules.go) and checks them too, as well as what the library
// leaves alone: unknown query parameters, repeated keys, the escaping of path
// segments, the unit and span of from/to, and, in 2xx bodies, properties the
// document does not list.
package apispec

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// File is the document's path relative to the module root.
const File = "testdata/openapi/ld-usage-openapi.yaml"

// Spec is the loaded document with the rules read from its prose.
type Spec struct {
	Doc *openapi3.T
	ops []*Operation
	now func() time.Time
}

var loadOnce = sync.OnceValues(func() (*Spec, error) {
	path, err := locate()
	if err != nil {
		return nil, err
	}
	return LoadFile(path)
})

// Load returns the document at File, loaded and checked once per process.
func Load() (*Spec, error) { return loadOnce() }

// locate finds File from this source file (go test runs with the source
// tree at hand), else by walking up from the working directory to go.mod.
func locate() (string, error) {
	if _, src, _, ok := runtime.Caller(0); ok {
		p := filepath.Join(filepath.Dir(src), "..", "..", File)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, File), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("apispec: %s not found above the working directory", File)
		}
		dir = parent
	}
}

// LoadFile loads an OpenAPI document and reads its operations' rules.
func LoadFile(path string) (*Spec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("apispec: load %s: %w", path, err)
	}
	// LaunchDarkly's own examples are not valid against its schemas (the
	// example of SeriesListRep has metadata [null, null]): examples are not
	// part of the contract, so they are not validated; everything else is.
	if err := doc.Validate(loader.Context, openapi3.DisableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("apispec: %s is not a valid OpenAPI document: %w", path, err)
	}
	s := &Spec{Doc: doc, now: time.Now}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			s.ops = append(s.ops, parseOperation(method, path, item, op))
		}
	}
	sort.Slice(s.ops, func(i, j int) bool { return s.ops[i].Path < s.ops[j].Path })
	return s, nil
}

// WithNow returns a copy of the spec whose clock is now: a range given by
// from alone ends at now, as the document says ("Defaults to the current time").
func (s *Spec) WithNow(now func() time.Time) *Spec {
	cp := *s
	cp.now = now
	return &cp
}

// Operations lists the document's operations by path.
func (s *Spec) Operations() []*Operation { return s.ops }

// Operation returns the operation with the given operationId, or nil.
func (s *Spec) Operation(id string) *Operation {
	for _, o := range s.ops {
		if o.ID == id {
			return o
		}
	}
	return nil
}

// OperationAt returns the operation at a path template (e.g.
// /api/v2/usage/streams/{source}) and method, or nil.
func (s *Spec) OperationAt(method, template string) *Operation {
	for _, o := range s.ops {
		if o.Path == template && o.Method == method {
			return o
		}
	}
	return nil
}

// Error is a request or an answer that the document does not allow. It lists
// every problem found; it never quotes the Authorization header.
type Error struct {
	Operation string // operationId, empty when no operation matched
	Request   string // method and target, e.g. "GET /api/v2/usage/mau?from=1"
	Problems  []string
}

func (e *Error) Error() string {
	op := e.Operation
	if op == "" {
		op = "no operation"
	}
	return fmt.Sprintf("%s (%s): %s", e.Request, op, strings.Join(e.Problems, "; "))
}

// target is the request target as sent on the wire: the raw path and query.
func target(r *http.Request) (rawPath, rawQuery string) {
	if r.RequestURI != "" && r.RequestURI != "*" {
		t := r.RequestURI
		if i := strings.Index(t, "://"); i >= 0 { // absolute form
			if j := strings.IndexByte(t[i+3:], '/'); j >= 0 {
				t = t[i+3+j:]
			} else {
				t = "/"
			}
		}
		p, q, _ := strings.Cut(t, "?")
		return p, q
	}
	return r.URL.EscapedPath(), r.URL.RawQuery
}

func describe(r *http.Request) string {
	p, q := target(r)
	if q != "" {
		p += "?" + q
	}
	return r.Method + " " + p
}

// Route finds the operation a request calls and its path parameters,
// unescaped. A path segment must be escaped as RFC 3986 requires and must not
// be "." or "..", which any hop may normalise away.
func (s *Spec) Route(r *http.Request) (*Operation, map[string]string, error) {
	rawPath, _ := target(r)
	segs := strings.Split(rawPath, "/")
	var problems []string
	for i, seg := range segs {
		if msg := segmentProblem(seg); msg != "" {
			problems = append(problems, fmt.Sprintf("path segment %d %q %s", i, seg, msg))
		}
	}
	if problems != nil {
		return nil, nil, &Error{Request: describe(r), Problems: problems}
	}
	var pathMatch bool
	for _, o := range s.ops {
		params, ok := o.match(segs)
		if !ok {
			continue
		}
		pathMatch = true
		if o.Method != r.Method {
			continue
		}
		return o, params, nil
	}
	msg := "no operation of the document has this path"
	if pathMatch {
		msg = "the document declares no " + r.Method + " at this path"
	}
	return nil, nil, &Error{Request: describe(r), Problems: []string{msg}}
}

func (o *Operation) match(segs []string) (map[string]string, bool) {
	if len(segs) != len(o.segs) {
		return nil, false
	}
	params := map[string]string{}
	for i, t := range o.segs {
		if name, ok := strings.CutPrefix(t, "{"); ok {
			v, err := unescape(segs[i])
			if err != nil || v == "" {
				return nil, false
			}
			params[strings.TrimSuffix(name, "}")] = v
			continue
		}
		if segs[i] != t {
			return nil, false
		}
	}
	return params, true
}

// segmentProblem says what is wrong with a raw path segment, or "".
func segmentProblem(seg string) string {
	if seg == "." || seg == ".." {
		return "is a dot segment, which path normalisation removes: escape its dots"
	}
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		if c == '%' {
			if i+2 >= len(seg) || !isHex(seg[i+1]) || !isHex(seg[i+2]) {
				return "has a % that does not start an escape (%XX)"
			}
			i += 2
			continue
		}
		if !isPchar(c) {
			return fmt.Sprintf("has a byte 0x%02x that must be percent-encoded", c)
		}
	}
	return ""
}

// isPchar reports whether c may stand unescaped in a path segment (RFC 3986:
// unreserved, sub-delims, ":" and "@").
func isPchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@", c) >= 0
}

// isQchar reports whether c may stand unescaped in a query (RFC 3986 query
// characters, less what separates keys and values).
func isQchar(c byte) bool { return isPchar(c) || c == '/' || c == '?' }

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unescape decodes %XX escapes of a path segment ("+" stays "+").
func unescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", errors.New("bad escape")
			}
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String(), nil
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// options are kin-openapi's: every problem at once, undeclared statuses refused,
// and the document's ApiKey scheme met by a non-empty Authorization header.
func options() *openapi3filter.Options {
	return &openapi3filter.Options{
		MultiError:            true,
		IncludeResponseStatus: true,
		AuthenticationFunc:    authenticate,
	}
}

func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	sch := in.SecurityScheme
	if sch == nil || sch.Type != "apiKey" || sch.In != "header" {
		return fmt.Errorf("security scheme %s is not an API key in a header", in.SecuritySchemeName)
	}
	if strings.TrimSpace(in.RequestValidationInput.Request.Header.Get(sch.Name)) == "" {
		return fmt.Errorf("no %s header", sch.Name)
	}
	return nil
}

func (o *Operation) route(s *Spec) *routers.Route {
	return &routers.Route{Spec: s.Doc, Path: o.Path, PathItem: o.item, Method: o.Method, Operation: o.op}
}

// ValidateRequest reports whether r is a valid request of one of the
// document's operations: its path (escaping included), its query parameters'
// names, repetition and values, the cross-field rules of their descriptions,
// from/to in the stated unit within the stated range, and what kin-openapi
// checks (required parameters, the ApiKey header). It returns nil or an *Error.
func (s *Spec) ValidateRequest(r *http.Request) error {
	op, params, err := s.Route(r)
	if err != nil {
		return err
	}
	e := &Error{Operation: op.ID, Request: describe(r)}
	_, rawQuery := target(r)
	query, problems := parseQuery(rawQuery)
	e.Problems = append(e.Problems, problems...)
	e.Problems = append(e.Problems, op.checkPath(params)...)
	e.Problems = append(e.Problems, op.checkQuery(query, s.now())...)

	in := &openapi3filter.RequestValidationInput{
		Request: r, PathParams: params, QueryParams: query, Route: op.route(s), Options: options(),
	}
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		e.Problems = append(e.Problems, libProblems(err)...)
	}
	if len(e.Problems) > 0 {
		return e
	}
	return nil
}

// ValidateResponse reports whether (status, header, body) is an answer that
// the operation called by req declares: a declared status, its content type,
// its body schema and, for 2xx bodies, no property the schema does not list
// (closed.go). It returns nil or an *Error.
func (s *Spec) ValidateResponse(req *http.Request, status int, header http.Header, body []byte) error {
	op, params, err := s.Route(req)
	if err != nil {
		return err
	}
	e := &Error{Operation: op.ID, Request: describe(req)}
	if !op.Declares(status) {
		e.Problems = []string{fmt.Sprintf("status %d is not one the operation declares (%v)", status, op.Statuses)}
		return e
	}
	query, _ := parseQuery(func() string { _, q := target(req); return q }())
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request: req, PathParams: params, QueryParams: query, Route: op.route(s), Options: options(),
		},
		Status:  status,
		Header:  header,
		Options: options(),
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(req.Context(), in); err != nil {
		e.Problems = append(e.Problems, libProblems(err)...)
	}
	if status >= 200 && status <= 299 {
		e.Problems = append(e.Problems, op.closedProblems(status, body)...)
	}
	if len(e.Problems) > 0 {
		return e
	}
	return nil
}

// libProblems flattens kin-openapi's (multi) error into one short line per
// problem: where (parameter or body, and the JSON pointer) and why, without
// the schema and value dumps of its Error().
func libProblems(err error) []string {
	var me openapi3.MultiError
	if errors.As(err, &me) {
		prefix := ""
		var re *openapi3filter.ResponseError
		if errors.As(err, &re) {
			prefix = "response body "
		}
		var out []string
		for _, x := range me {
			for _, p := range libProblems(x) {
				out = append(out, prefix+p)
			}
		}
		return out
	}
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		where := ""
		var rq *openapi3filter.RequestError
		if errors.As(err, &rq) && rq.Parameter != nil {
			where = rq.Parameter.In + " parameter " + rq.Parameter.Name + " "
		}
		var re *openapi3filter.ResponseError
		if errors.As(err, &re) {
			where = "response body "
		}
		return []string{fmt.Sprintf("%sat /%s: %s", where, strings.Join(se.JSONPointer(), "/"), se.Reason)}
	}
	return []string{strings.Join(strings.Fields(err.Error()), " ")}
}
