package apispec

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// LaunchDarkly's document gives every parameter `type: string` and states
// what a parameter takes only in its description. The rules below are read
// from those descriptions, phrase by phrase; a phrase that is not recognised
// adds no rule (and the tests of this package check that each phrase the
// document uses today is recognised where it occurs).

// Unit is the unit of a from/to timestamp.
type Unit string

const (
	Millis  Unit = "ms"
	Seconds Unit = "s"
)

// Param is one parameter of an operation with the rules its description states.
type Param struct {
	Name     string
	In       string // "path" or "query"
	Required bool
	// Repeat: the description says "Can be specified multiple times".
	Repeat bool
	// Valid lists the values the description allows ("Valid values: `a`, `b`",
	// "Valid values: a, b", "Must be either `a` or `b`"); empty means any.
	Valid []string
	// Default is the value the description names after "Defaults to" (backticked), if any.
	Default string
	// Unit of a from/to timestamp; UnitStated is false where the description
	// names none (the product then sends milliseconds).
	Unit       Unit
	UnitStated bool
	// ExactlyOne names the parameter of which exactly one value must be given
	// when this one is ("If specified, exactly one `projectKey` must be provided").
	ExactlyOne string
	// DependsOn names the parameter whose value decides this one's valid values
	// ("Valid values depend on `aggregationType`: ..."), with the values per
	// value of that parameter in ByDependency.
	DependsOn    string
	ByDependency map[string][]string
	// OnlyWith maps a value to the only aggregationType it is supported with
	// ("`monthly` granularity is only supported with the **month_to_date** aggregation type").
	OnlyWith map[string]string

	Description string
}

// Operation is one operation of the document with the rules its text states.
type Operation struct {
	ID         string
	Method     string
	Path       string // template, e.g. /api/v2/usage/streams/{source}
	Deprecated bool
	// Description is the operation's description, whitespace normalised.
	Description string
	// MaxRange is the longest from..to range the description allows ("The
	// maximum time range is 365 days"); 0 where it states none.
	MaxRange time.Duration
	Params   []*Param
	// AlwaysGroupedBy is the dimension the groupBy text says every answer is
	// grouped by ("`contextKind` is always included as a grouping dimension"):
	// every series' metadata holds it.
	AlwaysGroupedBy string
	// Statuses lists the response statuses the operation declares.
	Statuses []int

	op   *openapi3.Operation
	item *openapi3.PathItem
	segs []string
}

// Param returns the named parameter (query or path).
func (o *Operation) Param(name string) *Param {
	for _, p := range o.Params {
		if p.Name == name {
			return p
		}
	}
	return nil
}

// Query returns the operation's query parameters.
func (o *Operation) Query() []*Param {
	var out []*Param
	for _, p := range o.Params {
		if p.In == "query" {
			out = append(out, p)
		}
	}
	return out
}

// PathParams returns the operation's path parameters in path order.
func (o *Operation) PathParams() []*Param {
	var out []*Param
	for _, s := range o.segs {
		if name, ok := strings.CutPrefix(s, "{"); ok {
			if p := o.Param(strings.TrimSuffix(name, "}")); p != nil {
				out = append(out, p)
			}
		}
	}
	return out
}

// Declares reports whether the operation declares the response status.
func (o *Operation) Declares(status int) bool { return slices.Contains(o.Statuses, status) }

var (
	reRepeat       = regexp.MustCompile(`Can be specified multiple times`)
	reValidValues  = regexp.MustCompile(`Valid values:\s*(.*)$`)
	reBackticked   = regexp.MustCompile("`([^`]+)`")
	reMustBeEither = regexp.MustCompile("Must be either `([^`]+)` or `([^`]+)`")
	reDefault      = regexp.MustCompile("Defaults to `([^`]+)`")
	reExactlyOne   = regexp.MustCompile("exactly one `([^`]+)` must be provided")
	// /api/v2/usage/mau: "When using this parameter, exactly one project key must also be set."
	reExactlyOnePlain = regexp.MustCompile(`exactly one project key must also be set`)
	reDependsOn       = regexp.MustCompile("Valid values depend on `([^`]+)`:\\s*(.*)$")
	reOnlyWith        = regexp.MustCompile("`([^`]+)` granularity is only supported with the \\*\\*([^*]+)\\*\\* aggregation type")
	reBold            = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	reAlwaysGrouped   = regexp.MustCompile("`([^`]+)` is always included as a grouping dimension")
	reMaxRange        = regexp.MustCompile(`The maximum time range is (\d+) days`)
	reUnixMillis      = regexp.MustCompile(`Unix milliseconds`)
	reUnixSeconds     = regexp.MustCompile(`Unix seconds`)
)

// parseParam reads the rules of one parameter from its description.
func parseParam(p *openapi3.Parameter) *Param {
	d := strings.Join(strings.Fields(p.Description), " ")
	out := &Param{Name: p.Name, In: p.In, Required: p.Required, Description: d}
	out.Repeat = reRepeat.MatchString(d)

	if m := reValidValues.FindStringSubmatch(d); m != nil {
		out.Valid = validList(m[1])
	} else if m := reMustBeEither.FindStringSubmatch(d); m != nil {
		out.Valid = []string{m[1], m[2]}
	}
	if m := reDefault.FindStringSubmatch(d); m != nil {
		out.Default = m[1]
	}
	if m := reExactlyOne.FindStringSubmatch(d); m != nil {
		out.ExactlyOne = m[1]
	}
	if m := reDependsOn.FindStringSubmatch(d); m != nil {
		out.DependsOn = m[1]
		out.ByDependency = dependentValues(m[2])
		if len(out.Valid) == 0 {
			for _, vs := range out.ByDependency {
				for _, v := range vs {
					if !slices.Contains(out.Valid, v) {
						out.Valid = append(out.Valid, v)
					}
				}
			}
		}
	}
	if m := reOnlyWith.FindAllStringSubmatch(d, -1); m != nil {
		out.OnlyWith = map[string]string{}
		for _, x := range m {
			out.OnlyWith[x[1]] = x[2]
		}
	}
	if p.Name == "from" || p.Name == "to" {
		switch {
		case reUnixSeconds.MatchString(d):
			out.Unit, out.UnitStated = Seconds, true
		case reUnixMillis.MatchString(d):
			out.Unit, out.UnitStated = Millis, true
		default:
			out.Unit = Millis
		}
	}
	return out
}

// validList reads the list after "Valid values:": backticked values
// ("`a`, `b`.") or, without backticks, comma-separated words ("a, b").
func validList(s string) []string {
	if strings.HasPrefix(strings.TrimSpace(s), "`") {
		var out []string
		for _, m := range reBackticked.FindAllStringSubmatch(s, -1) {
			out = append(out, m[1])
		}
		return out
	}
	var out []string
	for _, v := range strings.Split(strings.TrimSuffix(strings.TrimSpace(s), "."), ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// dependentValues reads "**month_to_date** supports `daily` and `monthly`;
// **incremental** and **rolling_30d** support `daily` only." into a map from
// each bold value to the backticked values it supports.
func dependentValues(s string) map[string][]string {
	out := map[string][]string{}
	for _, clause := range strings.Split(s, ";") {
		before, after, ok := strings.Cut(clause, " support")
		if !ok {
			continue
		}
		var vals []string
		for _, m := range reBackticked.FindAllStringSubmatch(after, -1) {
			vals = append(vals, m[1])
		}
		for _, m := range reBold.FindAllStringSubmatch(before, -1) {
			out[m[1]] = vals
		}
	}
	return out
}

// parseOperation reads an operation and its parameters' rules.
func parseOperation(method, path string, item *openapi3.PathItem, op *openapi3.Operation) *Operation {
	d := strings.Join(strings.Fields(op.Description), " ")
	out := &Operation{ID: op.OperationID, Method: method, Path: path, Deprecated: op.Deprecated, Description: d, op: op, item: item, segs: strings.Split(path, "/")}
	if m := reMaxRange.FindStringSubmatch(d); m != nil {
		n, _ := strconv.Atoi(m[1])
		out.MaxRange = time.Duration(n) * 24 * time.Hour
	}
	params := append(append(openapi3.Parameters{}, item.Parameters...), op.Parameters...)
	for _, ref := range params {
		if ref == nil || ref.Value == nil {
			continue
		}
		out.Params = append(out.Params, parseParam(ref.Value))
	}
	for _, p := range out.Params {
		if m := reAlwaysGrouped.FindStringSubmatch(p.Description); m != nil {
			out.AlwaysGroupedBy = m[1]
		}
	}
	// The /mau form names no parameter: "exactly one project key must also be
	// set". The project key parameter is the one described as "A project key".
	for _, p := range out.Params {
		if p.ExactlyOne == "" && reExactlyOnePlain.MatchString(p.Description) {
			for _, q := range out.Params {
				if q != p && strings.HasPrefix(q.Description, "A project key") {
					p.ExactlyOne = q.Name
				}
			}
		}
	}
	if op.Responses != nil {
		for code := range op.Responses.Map() {
			if n, err := strconv.Atoi(code); err == nil {
				out.Statuses = append(out.Statuses, n)
			}
		}
		slices.Sort(out.Statuses)
	}
	return out
}
