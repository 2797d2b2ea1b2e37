package main

// Secrets from the environment or from files (Kubernetes Secret mounts,
// Docker secrets), so that none need be on the command line, where `ps`
// shows it to every user of the machine.

import (
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
)

// maxSecretFile bounds what is read of a secret's file.
const maxSecretFile = 64 << 10

// secretFromEnv returns the secret named name: the environment variable
// name, else the contents of the file that name_FILE names (one trailing
// newline trimmed), else "". A flag, when given, wins over both; the caller
// checks it first. A file that cannot be read is an error that names the
// variable and the file, never its contents.
func secretFromEnv(getenv func(string) string, name string) (string, error) {
	if v := getenv(name); v != "" {
		return v, nil
	}
	path := getenv(name + "_FILE")
	if path == "" {
		return "", nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s_FILE: cannot read %s: %w", name, path, underlying(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	if err != nil {
		return "", fmt.Errorf("%s_FILE: cannot read %s: %w", name, path, underlying(err))
	}
	if len(b) > maxSecretFile {
		return "", fmt.Errorf("%s_FILE: %s is larger than a secret (%d bytes at most)", name, path, maxSecretFile)
	}
	v := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if v == "" {
		return "", fmt.Errorf("%s_FILE: %s is empty", name, path)
	}
	return v, nil
}

// underlying drops the path from an *os.PathError (it is named already).
func underlying(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// argvSecrets names the secrets given on the command line (non-empty flags),
// which other users of the machine can read in the process list; given is
// each secret flag's value, by name. Never the values.
func argvSecrets(given map[string]string, redisURL string) []string {
	var names []string
	for _, f := range []string{"api-key", "secret", "auth-token"} {
		if given[f] != "" {
			names = append(names, "--"+f)
		}
	}
	if given["redis"] != "" {
		if u, err := url.Parse(redisURL); err == nil && u.User != nil {
			if _, has := u.User.Password(); has {
				names = append(names, "the password in --redis")
			}
		}
	}
	return names
}

// warnArgvSecrets tells on stderr which secrets came from the command line.
func warnArgvSecrets(w io.Writer, names []string) {
	if len(names) == 0 {
		return
	}
	fmt.Fprintf(w, "ld-usage-mcp: warning: %s given on the command line, where any user of this machine can read it (ps); "+
		"use the environment or a file instead (LAUNCHDARKLY_API_KEY[_FILE], LD_USAGE_MCP_SECRET[_FILE], "+
		"LD_USAGE_MCP_AUTH_TOKEN[_FILE], LD_USAGE_MCP_REDIS_PASSWORD[_FILE])\n", strings.Join(names, ", "))
}
