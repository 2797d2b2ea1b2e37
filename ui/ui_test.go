package ui

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sourceRoots are the files and folders the build reads: keep in step with
// SOURCES in build.mjs.
var sourceRoots = []string{"package.json", "package-lock.json", "build.mjs", "trims.mjs", "tsconfig.json", "src", "host", "probe"}

// maxHTMLBytes is the budget for the app: 200 KB. The official
// ext-apps App with the SDK and Zod it validates every message with make
// most of it; build.mjs leaves out what the app never runs (trims.mjs: Zod's
// JSON Schema generation, ext-apps' schema descriptions, the SDK's unused
// schemas), and parse_test.go and the browser tests run the result.
const maxHTMLBytes = 200_000

// sourcesHash is build.mjs's sourcesHash: sha256 over each source file in
// path order, as "path\nsize\n" then its bytes.
func sourcesHash(t *testing.T) string {
	t.Helper()
	var files []string
	for _, root := range sourceRoots {
		require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				files = append(files, filepath.ToSlash(p))
			}
			return nil
		}), root)
	}
	sort.Strings(files)
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		fmt.Fprintf(h, "%s\n%d\n", f, len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}

var builtFrom = regexp.MustCompile(`<meta name="ld-usage-mcp-sources" content="sha256:([0-9a-f]{64})">`)

// TestBuildIsCurrent fails when a committed build (the embedded app, the
// test host page or the parse test's page) is older than its sources: rebuild with
// `cd ui && npm ci && npm run build` and commit dist/.
func TestBuildIsCurrent(t *testing.T) {
	want := sourcesHash(t)
	host, err := os.ReadFile("dist/host.html")
	require.NoError(t, err)
	probe, err := os.ReadFile("dist/probe.html")
	require.NoError(t, err)
	for name, html := range map[string]string{"dist/app.html": HTML(), "dist/host.html": string(host), "dist/probe.html": string(probe)} {
		m := builtFrom.FindStringSubmatch(html)
		require.NotNil(t, m, "%s records the hash of its sources", name)
		assert.Equal(t, want, m[1], "%s is older than its sources: run `cd ui && npm ci && npm run build` and commit ui/dist", name)
	}
}

// TestAppIsOneSelfContainedFile: one HTML document within its budget, with
// its script and style inline and no address to load anything from.
func TestAppIsOneSelfContainedFile(t *testing.T) {
	html := HTML()
	var gz bytes.Buffer
	w, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	require.NoError(t, err)
	_, err = w.Write([]byte(html))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	t.Logf("app: %d bytes, %d gzipped", len(html), gz.Len())
	assert.LessOrEqual(t, len(html), maxHTMLBytes)
	assert.True(t, strings.HasPrefix(html, "<!doctype html>"))
	assert.Equal(t, 1, strings.Count(html, "<script>"), "one inline script")
	assert.Equal(t, 1, strings.Count(html, "</script>"))
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`(?i)<script[^>]+src=`),
		regexp.MustCompile(`(?i)<link[^>]+href=`),
		regexp.MustCompile(`(?i)@import`),
		regexp.MustCompile(`(?i)url\(\s*['"]?(https?:)?//`),
		regexp.MustCompile(`(?i)(src|href)\s*=\s*['"]?(https?:)?//`),
	} {
		assert.Nil(t, bad.FindStringIndex(html), "the app loads nothing: %s", bad)
	}
}
