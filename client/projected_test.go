package client

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDecodeProjectedSeries: v24's optional projectedSeries (service
// connections) is read into Projected, kept in Raw as sent; one that cannot
// be read is left out without failing the answer.
func TestDecodeProjectedSeries(t *testing.T) {
	body := `{"_links":{},"metadata":[{}],"series":[{"time":1764547200000,"0":10.5}],` +
		`"projectedSeries":[{"time":1764547200000,"0":10.5},{"time":1764633600000,"0":21.25}]}`
	r, err := Decode([]byte(body))
	require.NoError(t, err)
	assert.Equal(t, body, string(r.Raw))
	require.Len(t, r.Series, 1)
	require.Len(t, r.Projected, 1)
	assert.Equal(t, []int64{1764547200000, 1764633600000}, r.Projected[0].Times)
	assert.Equal(t, []float64{10.5, 21.25}, r.Projected[0].Values)

	for _, bad := range []string{`"nope"`, `[{"time":"x","0":1}]`, `[{"0":1}]`, `null`, `[]`} {
		r, err := Decode([]byte(`{"metadata":[{}],"series":[{"time":1,"0":2}],"projectedSeries":` + bad + `}`))
		require.NoError(t, err, bad)
		assert.Nil(t, r.Projected, bad)
		assert.Len(t, r.Series, 1, bad)
	}
	// Without it, nothing.
	r, err = Decode([]byte(`{"metadata":[{}],"series":[{"time":1,"0":2}]}`))
	require.NoError(t, err)
	assert.Nil(t, r.Projected)
	// The general path (a row the fast path leaves to it) reads it too.
	r, err = Decode([]byte(`{"metadata":[{}],"series":[{"time":1,"\u0030":2}],"projectedSeries":[{"time":1,"0":5}]}`))
	require.NoError(t, err)
	require.Len(t, r.Projected, 1)
	assert.Equal(t, []float64{5}, r.Projected[0].Values)
}
