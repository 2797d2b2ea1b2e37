package schemas

// The reflector lives in a test file: it runs at build time (the generator is
// `UPDATE_SCHEMAS=1 go test ./schemas`), so neither reflection nor
// invopop/jsonschema and its dependencies are in the server binary.

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"

	"github.com/invopop/jsonschema"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

var timeType = reflect.TypeOf((*client.Time)(nil)).Elem()

// Reflect builds the input schema of ep from its parameter struct: an object
// with additionalProperties false, path parameters required, enums listed,
// repeated parameters as arrays of strings, from/to untyped (a string or a
// number; the instructions say which forms).
func Reflect(ep *client.Endpoint) ([]byte, error) {
	r := &jsonschema.Reflector{
		Anonymous:      true,
		DoNotReference: true,
		ExpandedStruct: true,
		Mapper: func(t reflect.Type) *jsonschema.Schema {
			if t == timeType {
				return &jsonschema.Schema{} // any: ParseTime refuses what is not a time, with a clear message
			}
			return nil
		},
	}
	s := r.Reflect(ep.Params)
	s.Version = ""
	for pair := s.Properties.Oldest(); pair != nil; pair = pair.Next() {
		declared(ep, pair.Key, pair.Value)
		dropTypeBesideEnum(pair.Value)
		if pair.Value.Items != nil {
			dropTypeBesideEnum(pair.Value.Items)
		}
	}
	if s.Properties == nil || s.Properties.Len() == 0 {
		// An endpoint without parameters still gets an object schema, with an
		// empty properties map (some clients require it), that refuses any argument.
		return []byte(`{"type":"object","properties":{},"additionalProperties":false}`), nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// declared fills in what the parameter structs leave to the endpoint's
// declaration: the type and default window of from/to, and the values,
// default and meaning of aggregationType and granularity (client.Endpoint.Aggs
// and the meaning table).
func declared(ep *client.Endpoint, name string, s *jsonschema.Schema) {
	switch name {
	case "from":
		s.Type, s.Extras = "", map[string]any{"type": []string{"string", "integer"}}
		s.Description = "Start: date/time, -7d or Unix; default " + defaultWindow[ep.DefaultFrom]
	case "to":
		s.Type, s.Extras = "", map[string]any{"type": []string{"string", "integer"}}
		s.Description = "End; a date counts whole"
	case "aggregationType":
		var words []string
		for i, a := range ep.Aggs {
			s.Enum = append(s.Enum, a.Name)
			m, _ := ep.Meaning(a.Name)
			w := a.Name + ": " + pointWords[m.Point]
			if i == 0 {
				w += " (default)"
			}
			words = append(words, w)
		}
		s.Description = strings.Join(words, "; ")
	case "granularity":
		all := ep.GranNames()
		for _, g := range all {
			s.Enum = append(s.Enum, g)
		}
		var rules []string
		for _, g := range all {
			var with []string
			for _, a := range ep.Aggs {
				if slices.Contains(a.Grans, g) {
					with = append(with, a.Name)
				}
			}
			if len(with) < len(ep.Aggs) {
				rules = append(rules, g+": "+strings.Join(with, ", ")+" only")
			}
		}
		s.Description = "Bucket size"
		if len(rules) > 0 {
			s.Description = strings.Join(rules, "; ")
		}
	case "groupBy":
		if slices.Contains(ep.Fixed, "contextKind") {
			s.Description += "; contextKind always"
		}
	}
}

// pointWords say in a word or two what a point is under an aggregation.
var pointWords = map[client.Point]string{
	client.PointCumulative: "cumulative",
	client.PointNew:        "new",
	client.PointTrailing:   "30-day",
	client.PointCount:      "per bucket",
	client.PointAverage:    "average per bucket",
	client.PointLevel:      "level per bucket",
}

var defaultWindow = map[client.DefaultFrom]string{
	client.Ago30Days:  "-30d",
	client.Ago24Hours: "-24h",
	client.Ago7Days:   "-7d",
	client.MonthStart: "month start",
}

// dropTypeBesideEnum removes "type":"string" where an enum already lists every
// allowed string: the enum says it all, and tools/list is paid on every request.
func dropTypeBesideEnum(s *jsonschema.Schema) {
	if len(s.Enum) > 0 && s.Type == "string" {
		s.Type = ""
	}
}
