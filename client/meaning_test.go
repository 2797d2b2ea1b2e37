package client

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestAcrossByDimension: whether series add up depends on the dimension the
// answer is split by, as LaunchDarkly's billing documents say: experiment
// keys add up by experiment (a key in two experiments counts twice),
// environment and project; contexts by kind; streaming connections by SDK
// and version; unique counts split by project, SDK or category overlap.
func TestAcrossByDimension(t *testing.T) {
	cases := []struct {
		tool, agg string
		split     []string
		adds      bool
		what      string
	}{
		{"get_experimentation_keys_usage", "", []string{"experimentId"}, true, "experiments"},
		{"get_experimentation_keys_usage", "incremental", []string{"environmentId"}, true, "environments"},
		{"get_experimentation_keys_usage", "", []string{"projectId", "experimentId"}, true, "series"},
		{"get_total_contexts_usage", "", []string{"contextKind"}, true, "context kinds"},
		{"get_clientside_contexts_usage", "rolling_30d", []string{"contextKind"}, true, "context kinds"},
		{"get_total_contexts_usage", "", []string{"contextKind", "projectId"}, false, "series"},
		{"get_total_contexts_usage", "", []string{"sdkName"}, false, "SDKs"},
		{"get_total_mau_usage", "", []string{"projectId"}, false, "projects"},
		{"get_mau_usage_by_category", "", []string{"category"}, false, "categories"},
		{"get_mau_usage", "", []string{"contextKind"}, true, "context kinds"},
		{"get_stream_usage_by_sdk_version", "", []string{"sdk", "version"}, true, "SDK versions"},
		{"get_stream_usage", "", []string{"sdk"}, true, "SDKs"},
		{"get_events_usage", "", []string{"environmentId"}, true, "environments"},
		{"get_service_connection_usage", "incremental", []string{"connectionType"}, true, "connection types"},
		{"get_observability_logs_usage", "rolling_30d", []string{"projectId"}, true, "projects"},
		{"get_observability_metrics_usage", "average", []string{"projectId"}, false, "series"},
		{"get_evaluations_usage", "", []string{"variation"}, true, "variations"},
	}
	for _, c := range cases {
		ep := Lookup(c.tool)
		adds, what := ep.Across(c.agg, c.split)
		assert.Equal(t, c.adds, adds, "%s %s split by %v", c.tool, c.agg, c.split)
		assert.Equal(t, c.what, what, "%s split by %v", c.tool, c.split)
	}
	// Without a dimension, the meaning says: counts add, unique counts do not.
	adds, _ := Lookup("get_total_mau_usage").Across("", nil)
	assert.False(t, adds)
	adds, _ = Lookup("get_events_usage").Across("", nil)
	assert.True(t, adds)
}

// TestRollingCountsAddAcross: trailing 30-day counts of what happened (not
// unique) add up across series like any count.
func TestRollingCountsAddAcross(t *testing.T) {
	m, ok := Lookup("get_observability_logs_usage").Meaning("rolling_30d")
	assert.True(t, ok)
	assert.True(t, m.Across)
	assert.Equal(t, PointTrailing, m.Point)
}

// TestAssumedReadings: only mau/bycategory's reading is an assumption.
func TestAssumedReadings(t *testing.T) {
	for _, ep := range Endpoints {
		if ep.Operation == "getMauUsageByCategory" {
			assert.Contains(t, ep.Assumed(), "does not say")
			continue
		}
		assert.Empty(t, ep.Assumed(), ep.Tool)
	}
}
