// Package zonetest runs a package's time tests again in child processes whose
// local zone is far from UTC (CI machines run in UTC): a date read in the
// machine's zone instead of UTC, or the call's tz, fails them there.
package zonetest

import (
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Zones are the local zones the tests run under: a day ahead of UTC, a
// half-hour offset behind it, and one ahead of it.
var Zones = []string{"Pacific/Kiritimati", "America/St_Johns", "Asia/Kolkata"}

// Run runs the tests matching the -test.run pattern in the test binary under
// each of Zones and asserts that each of mustPass ran and passed there. In a
// child it skips.
func Run(t *testing.T, pattern string, mustPass ...string) {
	t.Helper()
	if os.Getenv("LD_USAGE_MCP_TZ_CHILD") != "" {
		t.Skip("already in a child")
	}
	for _, tz := range Zones {
		cmd := exec.Command(os.Args[0], "-test.run", pattern, "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "TZ="+tz, "LD_USAGE_MCP_TZ_CHILD=1")
		out, err := cmd.CombinedOutput()
		assert.NoError(t, err, "TZ=%s:\n%s", tz, out)
		for _, test := range mustPass {
			assert.Contains(t, string(out), "--- PASS: "+test+" ", "TZ=%s ran %s", tz, test)
		}
	}
}
