package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
)

func TestSecretFromEnv(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "secret")
	require.NoError(t, os.WriteFile(file, []byte("from-the-FILE-0001\n"), 0o600))
	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }

	v, err := secretFromEnv(env(map[string]string{"S": "from-the-env", "S_FILE": file}), "S")
	require.NoError(t, err)
	assert.Equal(t, "from-the-env", v, "the variable wins over the file")
	v, err = secretFromEnv(env(map[string]string{"S_FILE": file}), "S")
	require.NoError(t, err)
	assert.Equal(t, "from-the-FILE-0001", v, "the file, its trailing newline trimmed")
	v, err = secretFromEnv(env(nil), "S")
	require.NoError(t, err)
	assert.Empty(t, v)
	for _, f := range []string{filepath.Join(dir, "missing"), empty, dir} {
		_, err = secretFromEnv(env(map[string]string{"S_FILE": f}), "S")
		if assert.Error(t, err, f) {
			assert.Contains(t, err.Error(), "S_FILE", "the error names the variable")
		}
	}
	require.NoError(t, os.WriteFile(file, []byte("x\r\n"), 0o600))
	v, err = secretFromEnv(env(map[string]string{"S_FILE": file}), "S")
	require.NoError(t, err)
	assert.Equal(t, "x", v)
}

// Safe by default: sharing through Redis without the deployment's secret
// does not start.
func TestRedisNeedsTheSecret(t *testing.T) {
	_, stderr, code := runCLI(t, cleanEnv(), "--redis", "redis://127.0.0.1:1/0", "tools")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "LD_USAGE_MCP_SECRET")
	assert.Contains(t, stderr, "--secret")
	_, stderr, code = runCLI(t, cleanEnv("LD_USAGE_MCP_SECRET=a-deployment-secret-of-32-chars!"), "--redis", "redis://127.0.0.1:1/0", "tools")
	assert.Equal(t, exitOK, code, stderr)
	_, stderr, code = runCLI(t, cleanEnv("LD_USAGE_MCP_SECRET=short"), "--redis", "redis://127.0.0.1:1/0", "tools")
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "shorter than 16", "a short secret works, with a warning")
	assert.NotContains(t, stderr, "=short")
}

// Secrets on the command line are warned about (never printed); from files
// they are used and not warned about.
func TestSecretsOnTheCommandLine(t *testing.T) {
	const key = "api-argv-SECRET-key-0001"
	_, stderr, code := runCLI(t, cleanEnv("LD_USAGE_MCP_SECRET=a-deployment-secret-of-32-chars!"),
		"--api-key", key, "--redis", "redis://:redis-PW-in-argv@127.0.0.1:1/0", "tools")
	assert.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stderr, "warning")
	assert.Contains(t, stderr, "--api-key")
	assert.Contains(t, stderr, "the password in --redis")
	assert.NotContains(t, stderr, key)
	assert.NotContains(t, stderr, "redis-PW-in-argv")

	_, stderr, code = runCLI(t, cleanEnv(), "--api-key", "", "tools")
	assert.Equal(t, exitOK, code, stderr)
	assert.NotContains(t, stderr, "warning", "an empty flag holds no secret")

	emu := emulator.New(emulator.Options{Keys: []string{key}})
	srv := httptest.NewServer(emu)
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(file, []byte(key+"\n"), 0o600))
	out, stderr, code := runCLI(t, cleanEnv("LAUNCHDARKLY_API_KEY_FILE="+file, "LAUNCHDARKLY_SERVER_URL="+srv.URL),
		"call", "get_stream_usage", "source=server")
	assert.Equal(t, exitOK, code, out)
	assert.NotContains(t, stderr, "warning")
	require.NotEmpty(t, emu.Requests())
	assert.Equal(t, key, emu.Requests()[0].Header.Get("Authorization"), "the key read from the file")
}

// A server URL's password is not printed in the error that names the URL.
func TestServerURLPasswordNotPrinted(t *testing.T) {
	out, stderr, code := runCLI(t, cleanEnv("LAUNCHDARKLY_API_KEY=api-url-test"), "--server-url", "http://user:SECRETPW@127.0.0.1:1",
		"--call-timeout", "2s", "call", "get_stream_usage", "source=server")
	assert.Equal(t, exitTool, code, out)
	assert.Contains(t, out, "127.0.0.1:1")
	assert.NotContains(t, out+stderr, "SECRETPW")
}
