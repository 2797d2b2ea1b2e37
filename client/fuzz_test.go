package client_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// FuzzDecode feeds the decoder arbitrary bodies. Seeds: every fixture under
// testdata/responses and testdata/errors, plus the corpus in
// client/testdata/fuzz/FuzzDecode (which go test reads by itself).
func FuzzDecode(f *testing.F) {
	root := filepath.Join("..", "testdata")
	seeds := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == "fuzz" {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case strings.HasSuffix(path, ".json"):
			f.Add(fixtureBytes(f, path))
			seeds++
		case strings.HasSuffix(path, ".http"):
			f.Add(readRecorded(f, path).Body)
			seeds++
		}
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	if seeds < 28 {
		f.Fatalf("only %d seed fixtures found under %s", seeds, root)
	}
	for _, s := range []string{
		``, `[]`, `{}`, `null`, `{"series":null}`, `{"series":[null]}`, `{"metadata":[null],"series":[{"time":1,"0":1}]}`,
		`{"series":[{"time":1,"value":1}],"extra":[{"time":2,"value":2}]}`,
		`{"sdks":null}`, `{"sdkVersions":[{}]}`, `[{}]`, `[null]`,
	} {
		f.Add([]byte(s))
	}

	f.Fuzz(func(t *testing.T, body []byte) {
		in := bytes.Clone(body)
		out, err := client.Decode(body)
		if !bytes.Equal(in, body) {
			t.Fatal("Decode modified its input")
		}
		if err != nil {
			if out != nil {
				t.Fatal("a response with an error")
			}
			if err.Error() == "" {
				t.Fatal("empty error text")
			}
			return
		}
		if out == nil {
			t.Fatal("nil response without error")
		}
		if !bytes.Equal(out.Raw, body) {
			t.Fatal("Raw differs from the input")
		}
		check := func(what string, ss []client.Series) {
			keys := map[string]bool{}
			for _, s := range ss {
				if len(s.Times) != len(s.Values) {
					t.Fatalf("%s %q: %d times, %d values", what, s.Key, len(s.Times), len(s.Values))
				}
				if keys[s.Key] {
					t.Fatalf("%s: key %q twice", what, s.Key)
				}
				keys[s.Key] = true
			}
		}
		check("series", out.Series)
		if out.Kind < client.SeriesList || out.Kind > client.SDKVersionDetails {
			t.Fatalf("kind %d out of range", out.Kind)
		}
		_ = out.Kind.String()
		if !out.Kind.IsSeries() && len(out.Series) > 0 {
			t.Fatalf("%s with series", out.Kind)
		}
	})
}

func fixtureBytes(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
