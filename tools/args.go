package tools

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/ld-usage-mcp/ld-usage-mcp/answer"
	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// Bounds on argument size, checked before anything else: a string longer than
// maxArgLen or an array longer than maxArgItems is refused.
const (
	maxArgLen   = 1024
	maxArgItems = 100
	maxArgDepth = 4
)

// ArgError is an invalid tool call: it names the argument and what it accepts.
type ArgError struct{ Msg string }

func (e *ArgError) Error() string { return e.Msg }

func argErrorf(format string, a ...any) *ArgError { return &ArgError{Msg: fmt.Sprintf(format, a...)} }

// call is a validated tool call, ready for the client.
type call struct {
	req  client.Request
	args map[string][]string
	// from and to are the effective range, defaults applied (zero without a
	// range); to is exclusive: a date-only to is the next midnight, sent as
	// the last instant before it.
	from, to    time.Time
	loc         *time.Location // zone of dates and day breaks: tz, else UTC
	aggregation string         // the effective aggregationType ("" where the endpoint has none)
	aggDefault  bool           // aggregation is LaunchDarkly's default, not asked for
}

// checkRules applies the rules between arguments that LaunchDarkly states in
// words, not in its schema, so that nothing it would refuse is sent.
func checkRules(ep *client.Endpoint, args map[string][]string) error {
	if p, ok := ep.Param("environmentKey"); ok && !p.Path && len(args["environmentKey"]) > 0 {
		n := len(args["projectKey"])
		switch {
		case p.Repeated && n != 1:
			return argErrorf("argument `environmentKey` needs exactly one `projectKey` (got %d): environment keys are per project", n)
		case !p.Repeated && n == 0:
			return argErrorf("argument `environmentKey` needs `projectKey`: give the project the environment belongs to")
		}
	}
	if _, ok := ep.Param("environment"); ok {
		if n := len(args["environment"]); n > 0 && len(args["project"]) != 1 {
			return argErrorf("argument `environment` needs exactly one `project` (got %d)", len(args["project"]))
		}
	}
	_, hasGran := ep.Param("granularity")
	if ep.TakesAggregation() || hasGran {
		if err := ep.CheckAggGran(first(args["aggregationType"]), first(args["granularity"])); err != nil {
			return argErrorf("arguments `aggregationType`/`granularity`: %v", err)
		}
	}
	return nil
}

// parseRange reads from and to in the call's zone, applies the endpoint's
// defaults and limits, and sets the request's bounds. A date-only to
// includes its day.
func (c *call) parseRange(ep *client.Endpoint, fromArg, toArg any, now time.Time) error {
	if fromArg != nil {
		f, _, err := ParseTimeIn(fromArg, now, c.loc)
		if err != nil {
			return argErrorf("argument `from`: %v; use %s", err, TimeFormats)
		}
		c.req.From, c.from = f, f
	}
	if toArg != nil {
		t, dateOnly, err := ParseTimeIn(toArg, now, c.loc)
		if err != nil {
			return argErrorf("argument `to`: %v; use %s", err, TimeFormats)
		}
		c.to = t
		if dateOnly {
			c.to = t.In(c.loc).AddDate(0, 0, 1).UTC() // the next midnight in the zone
		}
		// The API's to is inclusive: send the last instant of the range in its unit.
		c.req.To = c.to
		if dateOnly {
			c.req.To = c.to.Add(-ep.Unit.Step())
		}
	}
	if c.to.IsZero() {
		c.to = now.UTC()
	}
	if c.from.IsZero() {
		c.from = ep.DefaultFrom.Start(c.to)
	}
	if c.from.After(c.to) {
		return argErrorf("argument `from` (%s) is after `to` (%s): give from ≤ to", c.from.Format(time.RFC3339), c.to.Format(time.RFC3339))
	}
	if ep.MaxRange > 0 && c.to.Sub(c.from) > ep.MaxRange {
		return argErrorf("the range from `from` to `to` is %s long; %s allows at most %d days", human(c.to.Sub(c.from)), ep.Tool, int(ep.MaxRange.Hours()/24))
	}
	return nil
}

// validator compiles a tool's input schema once, on first use, so that start-up does no work for it.
type validator struct {
	once   sync.Once
	schema *jsonschema.Schema
	err    error
	raw    json.RawMessage
	name   string
}

func (v *validator) compiled() (*jsonschema.Schema, error) {
	v.once.Do(func() {
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(v.raw))
		if err != nil {
			v.err = err
			return
		}
		c := jsonschema.NewCompiler()
		url := "mem:///" + v.name + ".json"
		if err := c.AddResource(url, doc); err != nil {
			v.err = err
			return
		}
		v.schema, v.err = c.Compile(url)
	})
	return v.schema, v.err
}

// parseArgs checks raw arguments against the tool's schema and rules and turns
// them into a client request. Nothing is sent when it returns an error.
func (t *Tool) parseArgs(raw map[string]any, now time.Time) (*call, error) {
	ep := t.Endpoint
	if err := checkSize(raw); err != nil {
		return nil, err
	}
	norm := normalize(ep, raw)
	sch, err := t.validator.compiled()
	if err != nil {
		return nil, fmt.Errorf("schema of %s: %w", ep.Tool, err)
	}
	if err := sch.Validate(norm); err != nil {
		return nil, schemaError(ep, err)
	}

	c := &call{args: map[string][]string{}}
	var fromArg, toArg any
	for name, v := range norm {
		switch name {
		case "from":
			fromArg = v
		case "to":
			toArg = v
		default:
			c.args[name] = strings_(v)
		}
	}
	if err := checkRules(ep, c.args); err != nil {
		return nil, err
	}
	c.aggregation = first(c.args["aggregationType"])
	if c.aggregation == "" {
		c.aggregation, c.aggDefault = ep.DefaultAgg(), true
	}
	c.loc = time.UTC
	if tz := first(c.args["tz"]); tz != "" {
		loc, err := loadZone(tz)
		if err != nil {
			return nil, argErrorf("argument `tz`: %v; use an IANA time zone such as Europe/Paris or America/New_York", err)
		}
		c.loc = loc
	}
	if ep.HasRange() {
		if err := c.parseRange(ep, fromArg, toArg, now); err != nil {
			return nil, err
		}
	}
	c.req.Args = c.args
	return c, nil
}

// loadZone loads an IANA time zone by name. "Local" (the server's own zone,
// which means nothing to a caller) is refused.
func loadZone(name string) (*time.Location, error) {
	if len(name) > 64 || strings.EqualFold(name, "local") {
		return nil, fmt.Errorf("unknown time zone %q", answer.Cut(name, 64))
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("unknown time zone %q", name)
	}
	return loc, nil
}

// normalize tolerates what models commonly send: a single value where an array
// is allowed, numbers or booleans where a string is expected. Unknown keys and
// values of other types are left for the schema to refuse.
func normalize(ep *client.Endpoint, raw map[string]any) map[string]any {
	out := make(map[string]any, len(raw))
	for k, v := range raw {
		p, ok := ep.Param(k)
		if !ok || v == nil {
			out[k] = v
			continue
		}
		if p.Time {
			if n, isNum := v.(float64); isNum {
				v = strconv.FormatFloat(n, 'f', -1, 64) // a Unix timestamp as a number
			}
			out[k] = v
			continue
		}
		if p.Repeated {
			switch x := v.(type) {
			case []any:
				items := make([]any, len(x))
				for i, it := range x {
					items[i] = scalarString(it)
				}
				out[k] = items
			default:
				out[k] = []any{scalarString(v)}
			}
			continue
		}
		out[k] = scalarString(v)
	}
	return out
}

// scalarString turns a number or boolean into its string form; anything else is returned as is.
func scalarString(v any) any {
	switch x := v.(type) {
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return v
}

func strings_(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, it := range x {
			if s, ok := it.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// checkSize refuses oversized or deeply nested arguments with a clear message
// before any schema work is done on them.
func checkSize(raw map[string]any) error {
	for k, v := range raw {
		if len(k) > 128 {
			return argErrorf("unknown argument %q…: argument names are short API parameter names", k[:32])
		}
		if err := checkValue(k, v, 1); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(name string, v any, depth int) error {
	if depth > maxArgDepth {
		return argErrorf("argument `%s` is nested too deep: give a string, a number or an array of strings", name)
	}
	switch x := v.(type) {
	case string:
		if len(x) > maxArgLen {
			return argErrorf("argument `%s` is %d bytes long; at most %d are accepted", name, len(x), maxArgLen)
		}
	case []any:
		if len(x) > maxArgItems {
			return argErrorf("argument `%s` has %d items; at most %d are accepted", name, len(x), maxArgItems)
		}
		for _, it := range x {
			if err := checkValue(name, it, depth+1); err != nil {
				return err
			}
		}
	case map[string]any:
		if len(x) > maxArgItems {
			return argErrorf("argument `%s` must not be an object", name)
		}
		for _, it := range x {
			if err := checkValue(name, it, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// schemaError turns a JSON Schema validation failure into one message that
// names each offending argument and what it accepts.
func schemaError(ep *client.Endpoint, err error) error {
	ve, ok := err.(*jsonschema.ValidationError)
	if !ok {
		return argErrorf("invalid arguments: %v", err)
	}
	var msgs []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		msgs = append(msgs, leafMessage(ep, e))
	}
	walk(ve)
	sort.Strings(msgs)
	msgs = dedupe(msgs)
	return &ArgError{Msg: "invalid arguments for " + ep.Tool + ": " + strings.Join(msgs, "; ")}
}

func leafMessage(ep *client.Endpoint, e *jsonschema.ValidationError) string {
	arg := "arguments"
	if len(e.InstanceLocation) > 0 {
		arg = "argument `" + e.InstanceLocation[0] + "`"
	}
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		return fmt.Sprintf("unknown argument %s; %s accepts %s", quoteAll(k.Properties), ep.Tool, acceptedArgs(ep))
	case *kind.Required:
		return fmt.Sprintf("missing required argument %s", quoteAll(k.Missing))
	case *kind.Enum:
		want := make([]string, len(k.Want))
		for i, w := range k.Want {
			want[i] = fmt.Sprint(w)
		}
		return fmt.Sprintf("%s must be one of %s (got %s)", arg, strings.Join(want, ", "), shortJSON(k.Got))
	case *kind.Type:
		return fmt.Sprintf("%s must be %s (got %s)", arg, typeWords(ep, e.InstanceLocation, k.Want), k.Got)
	}
	return fmt.Sprintf("%s: %v", arg, e.ErrorKind)
}

func typeWords(ep *client.Endpoint, loc []string, want []string) string {
	if len(loc) >= 1 {
		if p, ok := ep.Param(loc[0]); ok && p.Repeated {
			return "a string or an array of strings"
		}
	}
	return strings.Join(want, " or ")
}

func acceptedArgs(ep *client.Endpoint) string {
	spec := ep.Spec()
	if len(spec) == 0 {
		return "no arguments"
	}
	names := make([]string, len(spec))
	for i, p := range spec {
		names[i] = p.Name
	}
	return strings.Join(names, ", ")
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		if len(n) > 40 {
			n = n[:40] + "…"
		}
		q[i] = "`" + n + "`"
	}
	return strings.Join(q, ", ")
}

func shortJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	if len(b) > 60 {
		return string(b[:60]) + "…"
	}
	return string(b)
}

func dedupe(s []string) []string {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// human renders a duration in days or hours.
func human(d time.Duration) string {
	if d >= 48*time.Hour {
		return fmt.Sprintf("%.1f days", d.Hours()/24)
	}
	return fmt.Sprintf("%.1f hours", d.Hours())
}
