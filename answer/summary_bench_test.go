package answer

import (
	"strconv"
	"testing"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// benchResponse builds n series of points hourly values each, in memory.
func benchResponse(n, points int) *client.Response {
	resp := &client.Response{Kind: client.SeriesList}
	for i := 0; i < n; i++ {
		s := client.Series{
			Key:    strconv.Itoa(i),
			Meta:   map[string]any{"sdk": "sdk-" + strconv.Itoa(i%40), "version": strconv.Itoa(i%7) + ".1.0"},
			Times:  make([]int64, points),
			Values: make([]float64, points),
		}
		for j := range s.Times {
			s.Times[j] = smT0 + int64(j)*smHour
			s.Values[j] = float64((i*7919 + j*104729) % 100_000)
		}
		resp.Series = append(resp.Series, s)
	}
	return resp
}

// BenchmarkSummarize1M summarises 1,000,000 points across 1,000 series.
func BenchmarkSummarize1M(b *testing.B) {
	resp := benchResponse(1000, 1000)
	ep := client.Lookup("get_stream_usage_by_sdk_version")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Summarize(SummaryInput{Endpoint: ep, Response: resp, Asked: "get_stream_usage_by_sdk_version source=server"})
	}
}

// BenchmarkSummarize1MUnique is the same for a unique measure (max downsampling, sort by max).
func BenchmarkSummarize1MUnique(b *testing.B) {
	resp := benchResponse(1000, 1000)
	ep := client.Lookup("get_mau_usage")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		Summarize(SummaryInput{Endpoint: ep, Response: resp, Asked: "get_mau_usage groupby=sdk"})
	}
}

// BenchmarkSummaryText renders the text of a 1,000-series summary.
func BenchmarkSummaryText(b *testing.B) {
	s := Summarize(SummaryInput{Endpoint: client.Lookup("get_mau_usage"), Response: benchResponse(1000, 1000), Asked: "get_mau_usage groupby=sdk", Demo: true})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		_ = s.Text()
	}
}
