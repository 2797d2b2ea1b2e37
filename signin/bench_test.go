package signin

import (
	"context"
	"testing"
)

// BenchmarkCheckAccessToken is what the resource check adds to every /mcp
// request with the memory store: three sealed records read and opened.
func BenchmarkCheckAccessToken(b *testing.B) {
	e := newEnv(b, nil)
	g := e.signIn()
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.s.check(ctx, g.access); err != nil {
			b.Fatal(err)
		}
	}
}
