package client_test

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// benchSeriesList renders a SeriesListRep of nSeries series over nRows time
// buckets (daily from 2026-10-01), with metadata like LaunchDarkly's MAU by
// SDK: {"sdk": ..., "version": ...}. Values are plausible integers.
func benchSeriesList(tb testing.TB, nSeries, nRows int) []byte {
	tb.Helper()
	meta := make([]map[string]string, nSeries)
	for i := range meta {
		meta[i] = map[string]string{"sdk": "sdk-" + strconv.Itoa(i%17), "version": "1." + strconv.Itoa(i)}
	}
	start := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	buf := []byte(`{"metadata":`)
	m, err := json.Marshal(meta)
	if err != nil {
		tb.Fatal(err)
	}
	buf = append(buf, m...)
	buf = append(buf, `,"series":[`...)
	for r := 0; r < nRows; r++ {
		if r > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"time":`...)
		buf = strconv.AppendInt(buf, start+int64(r)*86_400_000, 10)
		for s := 0; s < nSeries; s++ {
			buf = append(buf, `,"`...)
			buf = strconv.AppendInt(buf, int64(s), 10)
			buf = append(buf, `":`...)
			buf = strconv.AppendInt(buf, int64((s+1)*1000+(r*37+s*11)%997), 10)
		}
		buf = append(buf, '}')
	}
	buf = append(buf, `]}`...)
	return buf
}

func benchDecode(b *testing.B, nSeries, nRows int) {
	body := benchSeriesList(b, nSeries, nRows)
	// One decode outside the loop checks that the body is what it claims to be,
	// so that the benchmark cannot silently measure an error path.
	out, err := client.Decode(body)
	if err != nil {
		b.Fatal(err)
	}
	if out.Kind != client.SeriesList || len(out.Series) != nSeries || len(out.Series[0].Values) != nRows {
		b.Fatalf("decoded %v with %d series of %d points, want SeriesListRep with %d of %d",
			out.Kind, len(out.Series), len(out.Series[0].Values), nSeries, nRows)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := client.Decode(body); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(nSeries*nRows), "points")
}

// BenchmarkDecodeSeriesList30x50 is a typical answer: 30 daily buckets of 50 series.
func BenchmarkDecodeSeriesList30x50(b *testing.B) { benchDecode(b, 50, 30) }

// BenchmarkDecodeSeriesList1M is a 1,000,000-point body: 50 series of 20,000 buckets.
func BenchmarkDecodeSeriesList1M(b *testing.B) { benchDecode(b, 50, 20_000) }

// BenchmarkDecodeSDKDetails decodes an array of 500 SdkVersionDetailsRep.
func BenchmarkDecodeSDKDetails(b *testing.B) {
	details := make([]client.SDKVersionDetail, 500)
	for i := range details {
		details[i] = client.SDKVersionDetail{
			Name: "go-server-sdk", Version: "7.0." + strconv.Itoa(i), Type: "server",
			ProjectKey: "default", EnvironmentKey: "production", LDLatestVersion: "7.9.0",
			EOLStatus: "supported", LatestReleaseURL: "https://example.invalid/releases/7.9.0",
		}
	}
	body, err := json.Marshal(details)
	if err != nil {
		b.Fatal(err)
	}
	out, err := client.Decode(body)
	if err != nil {
		b.Fatal(err)
	}
	if out.Kind != client.SDKVersionDetails || len(out.SDKDetails) != len(details) {
		b.Fatalf("decoded %v with %d details, want %d SdkVersionDetailsRep", out.Kind, len(out.SDKDetails), len(details))
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := client.Decode(body); err != nil {
			b.Fatal(err)
		}
	}
}
