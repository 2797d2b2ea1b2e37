package tools

import (
	"bytes"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestValidatorMetaSchemas checks that the validator's meta-schemas refuse an
// invalid schema, and that concurrent compilers are safe (upstream v6.0.3;
// an earlier patched copy compiled the meta-schemas lazily).
func TestValidatorMetaSchemas(t *testing.T) {
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
