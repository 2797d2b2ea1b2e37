package tools

import (
	"bytes"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidatorMetaSchemasLoadLazily checks the patched validator (see
// third_party/santhosh-tekuri/jsonschema/PATCH.md): its meta-schemas, now
// compiled on first use, still refuse an invalid schema, and concurrent first
// uses are safe.
func TestValidatorMetaSchemasLoadLazily(t *testing.T) {
	compile := func(doc string) error {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(doc)))
		require.NoError(t, err)
		c := jsonschema.NewCompiler()
		if err := c.AddResource("mem:///s.json", v); err != nil {
			return err
		}
		_, err = c.Compile("mem:///s.json")
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = compile(`{"type":"object","properties":{"a":{"type":5}}}`)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		assert.Error(t, err, "a schema whose type is 5 breaks the meta-schema")
	}
	assert.NoError(t, compile(`{"type":"object","properties":{"a":{"type":"string"}}}`))
}
