package tools_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/overview"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

// TestEndpointEntitlement: an endpoint's month-to-date answer of the whole
// account carries the plan's entitlement of its measure, in billed units
// (for the app to draw); a filtered answer or a tool without an entitlement
// carries none.
func TestEndpointEntitlement(t *testing.T) {
	clock := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(fixedUpstream{now: clock, others: [2]float64{100, 100}})
	t.Cleanup(srv.Close)
	ents, err := overview.ParseEntitlements("client-mau=40000,service-connections=40")
	require.NoError(t, err)
	ts, err := tools.New(tools.Config{Client: client.New(srv.URL, testKey), Now: func() time.Time { return clock }, Entitlements: ents})
	require.NoError(t, err)
	mtd := map[string]any{"aggregationType": "month_to_date", "granularity": "daily"}
	with := func(extra map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range mtd {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	entitlement := func(tool string, args map[string]any) any {
		t.Helper()
		res := ts.Call(context.Background(), ts.Lookup(tool), args)
		require.False(t, res.IsError, text(res))
		return structuredOf(t, res)["summary"].(map[string]any)["entitlement"]
	}
	assert.Equal(t, 40.0, entitlement("get_service_connection_usage", mtd), "in service connections, the billed unit")
	assert.Equal(t, 40000.0, entitlement("get_clientside_mau_usage", mtd))
	assert.Equal(t, 40000.0, entitlement("get_clientside_mau_usage", with(map[string]any{"groupBy": "sdkName"})), "grouped, still the whole account")
	assert.Nil(t, entitlement("get_clientside_mau_usage", with(map[string]any{"projectKey": "web"})), "a part of the account")
	assert.Nil(t, entitlement("get_total_mau_usage", mtd), "no entitlement given for it")

	none, err := tools.New(tools.Config{Client: client.New(srv.URL, testKey), Now: func() time.Time { return clock }})
	require.NoError(t, err)
	res := none.Call(context.Background(), none.Lookup("get_service_connection_usage"), mtd)
	assert.NotContains(t, structuredOf(t, res)["summary"], "entitlement", "none without --entitlements")
}
