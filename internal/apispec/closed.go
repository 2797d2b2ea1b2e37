package apispec

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"
)

// An OpenAPI 3.0 object schema that lists its properties and says nothing of
// additionalProperties allows any other property. LaunchDarkly's document is
// generated from the API's own types, so a success body with a property its
// schema does not list carries something the API does not send (the seed's
// `projectedSeries` on a body other than SeriesListRepFloat, which v24 gave
// it, say): for 2xx bodies such an object is taken as closed.
// A schema that states additionalProperties (SeriesTimeSliceRep, _links,
// SeriesMetadataRep) keeps what it states. Error bodies are checked as the
// document has them.

// closedProblems lists the properties of a 2xx body that its schema does not list.
func (o *Operation) closedProblems(status int, body []byte) []string {
	resp := o.op.Responses.Status(status)
	if resp == nil || resp.Value == nil {
		return nil
	}
	mt := resp.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return nil // kin-openapi has reported it
	}
	var out []string
	walkClosed(mt.Schema, v, "body", &out)
	out = append(out, o.groupedProblems(v)...)
	return out
}

// groupedProblems applies "`contextKind` is always included as a grouping
// dimension": each series' metadata names its value of that dimension.
func (o *Operation) groupedProblems(v any) []string {
	if o.AlwaysGroupedBy == "" {
		return nil
	}
	obj, _ := v.(map[string]any)
	meta, _ := obj["metadata"].([]any)
	var out []string
	for i, m := range meta {
		entry, _ := m.(map[string]any)
		if _, ok := entry[o.AlwaysGroupedBy]; !ok {
			out = append(out, fmt.Sprintf("body.metadata[%d] has no %q, though %q is always included as a grouping dimension", i, o.AlwaysGroupedBy, o.AlwaysGroupedBy))
		}
	}
	return out
}

func walkClosed(ref *openapi3.SchemaRef, v any, at string, out *[]string) {
	if ref == nil || ref.Value == nil {
		return
	}
	s := ref.Value
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		ap := s.AdditionalProperties
		closed := len(s.Properties) > 0 && ap.Has == nil && ap.Schema == nil
		for _, k := range keys {
			if p, ok := s.Properties[k]; ok {
				walkClosed(p, x[k], at+"."+k, out)
				continue
			}
			if closed {
				*out = append(*out, fmt.Sprintf("%s has property %q, which the schema does not list (it lists %s)", at, k, propNames(s)))
				continue
			}
			if ap.Schema != nil {
				walkClosed(ap.Schema, x[k], at+"."+k, out)
			}
		}
	case []any:
		for i, it := range x {
			walkClosed(s.Items, it, at+"["+strconv.Itoa(i)+"]", out)
		}
	}
}

func propNames(s *openapi3.Schema) string {
	names := make([]string, 0, len(s.Properties))
	for k := range s.Properties {
		names = append(names, k)
	}
	slices.Sort(names)
	return fmt.Sprint(names)
}
