package schemas

import (
	"encoding/json"
	"strings"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// Output is the output schema of the endpoint's tool: structuredContent holds
// "summary" (for a time series, per series its figures and the figure that
// answers how much; for an SDK list, its count and the list) and "raw"
// (LaunchDarkly's body, unchanged, in the operation's response shape). It is
// built from the same declarations as the tool (kind, measure, aggregations
// and their meanings), compact: every byte of tools/list is paid on every request.
func Output(ep *client.Endpoint) json.RawMessage {
	var summary, raw string
	switch ep.Kind {
	case client.SDKList:
		summary = `{"type":"object","properties":{"count":{"type":"integer"},"sdks":{"type":"array","items":{"type":"string"}}}}`
		raw = `{"type":"object","properties":{"sdks":{"type":"array","items":{"type":"string"}}}}`
	case client.SDKVersionList:
		summary = `{"type":"object","properties":{"count":{"type":"integer"},"sdkVersions":{"type":"array","items":` + sdkVersion + `}}}`
		raw = `{"type":"object","properties":{"sdkVersions":{"type":"array","items":` + sdkVersion + `}}}`
	case client.SDKVersionDetails:
		summary = `{"type":"object","properties":{"count":{"type":"integer"},"eolStatus":{"type":"object","additionalProperties":{"type":"integer"}},` +
			`"eolPast":{"type":"array","items":` + sdkRef + `},"eolNear":{"type":"array","items":` + sdkRef + `}}}`
		raw = `{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"},"version":{"type":"string"},` +
			`"projectKey":{"type":"string"},"environmentKey":{"type":"string"},"eolStatus":{"type":"string"},"ldLatestVersion":{"type":"string"}}}}`
	default:
		summary = seriesSummary(ep)
		raw = seriesRaw(ep)
	}
	return json.RawMessage(`{"type":"object","properties":{"summary":` + summary + `,"raw":` + raw + `},"required":["summary","raw"]}`)
}

const (
	sdkVersion = `{"type":"object","properties":{"sdk":{"type":"string"},"version":{"type":"string"}}}`
	sdkRef     = `{"type":"object","properties":{"name":{"type":"string"},"version":{"type":"string"},"project":{"type":"string"},"environment":{"type":"string"},"latest":{"type":"string"}}}`
	number     = `{"type":"number"}`
)

// seriesSummary describes summary for a time series: the fields of a series
// entry, the figure names the endpoint's aggregations can give, and what the
// default aggregation's figure is, in words.
func seriesSummary(ep *client.Endpoint) string {
	m, _ := ep.Meaning("")
	desc, _ := json.Marshal(m.Figure.Words()) // of the default aggregation
	across := ""                              // series of counts add up whatever the split: said where they do not
	if ep.Measure != client.Count {
		w, _ := json.Marshal(ep.PartitionsWords())
		across = `"description":` + string(w) + `,`
	}
	var b strings.Builder
	// Nested objects go without "type": their properties say what they hold,
	// and tools/list is paid on every request (48,000 bytes in all).
	b.WriteString(`{"type":"object","properties":{"headline":{` + across + `"properties":{"value":` + number + `}},`)
	b.WriteString(`"series":{"type":"array","items":{"properties":{"label":{"type":"string"},"points":{"type":"integer"},`)
	b.WriteString(`"figure":{"type":"number","description":` + string(desc) + `},`)
	for _, f := range []string{"sum", "min", "max", "mean", "last"} {
		b.WriteString(`"` + f + `":` + number + `,`)
	}
	b.WriteString(`"time":{"type":"string"}}}}}}`)
	return b.String()
}

// seriesRaw describes LaunchDarkly's body: SeriesListRep (integers),
// SeriesListRepFloat or the seed's SeriesIntervalsRep.
func seriesRaw(ep *client.Endpoint) string {
	if ep.Kind == client.SeriesIntervals {
		return `{"type":"object","properties":{"series":{"type":"array","items":{"type":"object","properties":{"time":{"type":"integer"},"value":` + number + `}}}}}`
	}
	// Rows hold "time" and one value per series, all integers (numbers in SeriesListRepFloat).
	value := `{"type":"integer"}`
	if ep.Float {
		value = number
	}
	return `{"type":"object","properties":{"metadata":{"type":"array"},"series":{"type":"array","items":{"type":"object","additionalProperties":` + value + `}}}}`
}
