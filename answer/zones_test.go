package answer

import (
	"testing"

	"github.com/ld-usage-mcp/ld-usage-mcp/internal/zonetest"
)

// TestTimesUnderOtherZones runs the figures' time tests again in processes
// whose local zone is far from UTC: a month or day read in the machine's zone
// instead of the answer's fails them there.
func TestTimesUnderOtherZones(t *testing.T) {
	zonetest.Run(t, "^(TestRangeText|TestMonthStatus|TestMeaningDrivesFigures)$",
		"TestRangeText", "TestMonthStatus", "TestMeaningDrivesFigures")
}
