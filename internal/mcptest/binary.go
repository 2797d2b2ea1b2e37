package mcptest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// Binary builds the server (the module's main package) once per test process
// and returns its path. Call Cleanup from TestMain to remove it.
func Binary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the binary")
	}
	binOnce.Do(func() {
		root, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			binErr = err
			return
		}
		binDir, binErr = os.MkdirTemp("", "ld-usage-mcp-test")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "ld-usage-mcp")
		cmd := exec.Command("go", "build", "-o", binPath, ".")
		cmd.Dir = filepath.Dir(strings.TrimSpace(string(root)))
		if out, err := cmd.CombinedOutput(); err != nil {
			binErr, binPath = err, string(out)
		}
	})
	require.NoError(t, binErr, binPath)
	return binPath
}

// Cleanup removes the binary Binary built, if any.
func Cleanup() {
	if binDir != "" {
		os.RemoveAll(binDir)
	}
}
