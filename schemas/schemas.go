// Package schemas holds the JSON schemas of the tools: input schemas reflected
// from the client's parameter structs with invopop/jsonschema at build time
// (reflect_test.go writes them under input/; they are embedded, so start-up
// does no reflection), and the output schemas, built from the same
// declarations (output.go).
package schemas

import (
	"embed"
	"encoding/json"
	"fmt"
)

//go:embed input/*.json
var inputs embed.FS

// Input returns the input schema of the named tool, as generated into input/
// by `UPDATE_SCHEMAS=1 go test ./schemas`.
func Input(tool string) (json.RawMessage, error) {
	b, err := inputs.ReadFile("input/" + tool + ".json")
	if err != nil {
		return nil, fmt.Errorf("no input schema for %s (run UPDATE_SCHEMAS=1 go test ./schemas): %w", tool, err)
	}
	return b, nil
}
