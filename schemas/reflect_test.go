package schemas

// The reflector lives in a test file: it runs at build time (the generator is
// `UPDATE_SCHEMAS=1 go test ./schemas`), so neither reflection nor
// invopop/jsonschema and its dependencies are in the server binary.

import (
	"bytes"
	"encoding/json"
	"reflect"

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

// dropTypeBesideEnum removes "type":"string" where an enum already lists every
// allowed string: the enum says it all, and tools/list is paid on every request.
func dropTypeBesideEnum(s *jsonschema.Schema) {
	if len(s.Enum) > 0 && s.Type == "string" {
		s.Type = ""
	}
}
