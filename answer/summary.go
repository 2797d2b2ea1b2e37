package answer

import (
	"strconv"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// SummaryInput is what Summarize needs to know about one successful call.
type SummaryInput struct {
	Endpoint    *client.Endpoint
	Response    *client.Response // the decoded answer
	Aggregation string           // the effective aggregationType ("" where the endpoint has none)
	AggDefault  bool             // Aggregation is LaunchDarkly's default, not asked for
	Granularity string           // the granularity asked for or implied ("" when unknown)
	Asked       string           // one line saying what was asked, e.g. "get_mau_usage groupby=sdk"
	GroupBy     string           // the first dimension the answer is grouped by, for hints
	// From and To are the requested range after defaults, To exclusive (zero
	// when the endpoint has no range); Now is the time of the call; Loc the
	// zone of dates and day breaks (UTC unless the tool takes tz).
	From, To, Now time.Time
	Loc           *time.Location
	Names         *client.Names // project and environment keys by id, when they could be read
	Notes         []string      // what the caller must know beside the figures
	Demo          bool          // results come from the built-in demo emulator
}

// Summary is structuredContent.summary: figures a model can use without
// reading the raw body. Numbers are exact; Text renders a compact view of it.
//
// For time series, Series holds one entry per series (all of them, top
// first); what a point is (Point, Meaning) and which figure answers "how
// much" (Figure, each series' Figure, Headline) come from the endpoint's
// meaning table. For SDK lists, Count and SDKs or SDKVersions are set; for
// SDK version details, Count, EOLStatus and the EOL lists.
type Summary struct {
	Asked string `json:"asked,omitempty"`
	// Kind is "series", "sdks", "sdkVersions" or "sdkVersionDetails".
	Kind  string   `json:"kind"`
	Demo  bool     `json:"demo,omitempty"`
	Empty bool     `json:"empty,omitempty"`
	Hint  string   `json:"hint,omitempty"`
	Notes []string `json:"notes,omitempty"`

	// Time series.
	Range       *SummaryRange `json:"range,omitempty"`
	Granularity string        `json:"granularity,omitempty"` // minutely, hourly, daily, weekly, monthly, irregular or unknown
	Aggregation string        `json:"aggregationType,omitempty"`
	// AggregationDefault is set when LaunchDarkly's default applied.
	AggregationDefault bool   `json:"aggregationDefault,omitempty"`
	Point              string `json:"point,omitempty"`   // cumulative, new, trailing30d, count, level or average
	Meaning            string `json:"meaning,omitempty"` // what one point is, in words
	// Figure names the figure that answers "how much": monthEnd (the last
	// point of each month), monthSum (the sum within each month), latest,
	// sum, peak or mean.
	Figure     string          `json:"figure,omitempty"`
	Unit       string          `json:"unit,omitempty"`       // what the figures count
	Summable   *bool           `json:"summable,omitempty"`   // points add up over time (new ones: within a month)
	AddsAcross *bool           `json:"addsAcross,omitempty"` // series add up to a total
	Headline   *Headline       `json:"headline,omitempty"`
	DataFrom   string          `json:"dataFrom,omitempty"` // first timestamp of the data (RFC 3339 UTC)
	DataTo     string          `json:"dataTo,omitempty"`   // last timestamp of the data
	Series     []SeriesSummary `json:"series,omitzero"`
	// InProgress is set when the last bucket reaches past the end of the
	// requested range (usually now): its value is partial.
	InProgress string `json:"lastBucketInProgress,omitempty"`

	// SDK lists and details.
	Count                 *int           `json:"count,omitempty"`
	SDKs                  []string       `json:"sdks,omitzero"`
	SDKVersions           []SDKVersion   `json:"sdkVersions,omitzero"`
	EOLStatus             map[string]int `json:"eolStatus,omitempty"`
	EOLPast               []SDKRef       `json:"eolPast,omitzero"`
	EOLNear               []SDKRef       `json:"eolNear,omitzero"`
	MajorVersionAvailable *int           `json:"majorVersionAvailable,omitempty"`
	RelayEOLPast          []SDKRef       `json:"relayEolPast,omitempty"`

	// For Text.
	from, to time.Time // data range
	frame    frame
	figure   client.Figure
	groupBy  string
}

// SummaryRange is the range asked for: From, and To exclusive (a date-only
// to is the next midnight), in RFC 3339 UTC, and the zone of its dates.
type SummaryRange struct {
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
	TZ   string `json:"tz,omitempty"`
}

// SeriesSummary is the figures of one series.
type SeriesSummary struct {
	Label  string  `json:"label"` // metadata as sorted key=value pairs (ids named by key where known), or the series key
	Key    string  `json:"key"`
	Points int     `json:"points"`
	Figure float64 `json:"figure"` // the figure that answers "how much" (see Summary.Figure)
	Sum    float64 `json:"sum"`    // present even when points do not add up: see Summary.Summable
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Mean   float64 `json:"mean"`
	Last   float64 `json:"last"`
	// Time is when Max was first reached; LastTime is the time of Last.
	Time      string        `json:"time,omitempty"`
	LastTime  string        `json:"lastTime,omitempty"`
	First     *float64      `json:"first,omitempty"`
	Change    *float64      `json:"change,omitempty"`    // last − first
	ChangePct *float64      `json:"changePct,omitempty"` // change relative to |first|, in percent
	Months    []MonthFigure `json:"months,omitempty"`    // for monthly figures: each month's
	Sparkline string        `json:"sparkline,omitempty"`

	maxT, lastT int64
	meta        map[string]any
}

// SDKVersion is an SDK name and version.
type SDKVersion struct {
	SDK     string `json:"sdk"`
	Version string `json:"version"`
}

// SDKRef names one SDK version in use and where.
type SDKRef struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	Project     string `json:"project,omitempty"`
	Environment string `json:"environment,omitempty"`
	Latest      string `json:"latest,omitempty"`
}

// Limits of the text rendering.
const (
	TextBudget        = 1950 // bytes; any Text stays below this
	summaryTopRows    = 10   // series rows in the text table
	summaryLabelRunes = 36   // longer labels are cut with …
	summaryAskedBytes = 200
	sparkWidth        = 24 // glyphs at most
	DemoMarker        = "DEMO DATA (synthetic, from the built-in emulator)"
)

var sparkGlyphs = [8]rune{'▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'}

// Summarize computes the summary of one response. It never fails: an absent
// or unusual response gives an empty summary with a hint.
func Summarize(in SummaryInput) *Summary {
	s := &Summary{Asked: in.Asked, Demo: in.Demo}
	ep := in.Endpoint
	if ep == nil {
		ep = &client.Endpoint{}
	}
	if s.Asked == "" {
		s.Asked = ep.Tool
	}
	s.Notes = append(s.Notes, in.Notes...)
	s.groupBy = in.GroupBy
	loc := in.Loc
	if loc == nil {
		loc = time.UTC
	}
	s.frame = frame{from: in.From, to: in.To, now: in.Now, loc: loc}
	resp := in.Response
	if resp == nil {
		resp = &client.Response{Kind: ep.Kind}
	}
	switch resp.Kind {
	case client.SDKList:
		s.sdkList(resp)
	case client.SDKVersionList:
		s.sdkVersionList(resp)
	case client.SDKVersionDetails:
		s.sdkDetails(resp)
	default:
		s.series(ep, resp, in)
	}
	return s
}

func RFC3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func smMsTime(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func (s *Summary) sdkList(resp *client.Response) {
	s.Kind = "sdks"
	s.SDKs = append(make([]string, 0, len(resp.SDKs)), resp.SDKs...)
	n := len(s.SDKs)
	s.Count = &n
	s.Headline = &Headline{Value: float64(n), Of: "list", Text: Plural(n, "SDK") + " sent MAU in the range."}
	if n == 0 {
		s.Empty = true
		s.Hint = "no SDKs: none sent data in the range, or the filters match nothing"
	}
}

func (s *Summary) sdkVersionList(resp *client.Response) {
	s.Kind = "sdkVersions"
	s.SDKVersions = make([]SDKVersion, len(resp.SDKVersions))
	for i, v := range resp.SDKVersions {
		s.SDKVersions[i] = SDKVersion{SDK: v.SDK, Version: v.Version}
	}
	n := len(s.SDKVersions)
	s.Count = &n
	s.Headline = &Headline{Value: float64(n), Of: "list", Text: Plural(n, "SDK version") + " streamed in the past 60 days."}
	if n == 0 {
		s.Empty = true
		s.Hint = "no SDK versions: no SDK of this source opened a streaming connection in the past 60 days"
	}
}

// Known eolStatus values, in the order the text lists them.
var eolStatuses = []struct{ key, words string }{
	{"EolPast", "past EOL"},
	{"EolNear", "near EOL"},
	{"MajorVersionAvailable", "major version available"},
	{"EolAllClear", "all clear"},
	{"EolUnknown", "unknown"},
}

func (s *Summary) sdkDetails(resp *client.Response) {
	s.Kind = "sdkVersionDetails"
	n := len(resp.SDKDetails)
	s.Count = &n
	s.EOLStatus = make(map[string]int, len(eolStatuses)+1)
	for _, st := range eolStatuses {
		s.EOLStatus[st.key] = 0
	}
	s.EOLPast, s.EOLNear = []SDKRef{}, []SDKRef{}
	for _, d := range resp.SDKDetails {
		status := d.EOLStatus
		if status == "" {
			status = "none"
		}
		s.EOLStatus[status]++
		switch d.EOLStatus {
		case "EolPast":
			s.EOLPast = append(s.EOLPast, sdkRef(d, d.LDLatestVersion))
		case "EolNear":
			s.EOLNear = append(s.EOLNear, sdkRef(d, d.LDLatestVersion))
		}
		if d.RelayEOLStatus == "EolPast" {
			r := sdkRef(d, d.RelayLatestVersion)
			r.Name, r.Version = "Relay Proxy", d.RelayVersion
			s.RelayEOLPast = append(s.RelayEOLPast, r)
		}
	}
	mva := s.EOLStatus["MajorVersionAvailable"]
	s.MajorVersionAvailable = &mva
	past, where := distinctVersions(s.EOLPast), len(s.EOLPast)
	s.Headline = &Headline{Value: float64(past), Of: "list",
		Text: Plural(past, "SDK version") + " " + isAre(past) + " past end of life, in use in " + Plural(where, "project environment") +
			"; " + Plural(distinctVersions(s.EOLNear), "SDK version") + " near it (of " + strconv.Itoa(n) + " in use)."}
	if n == 0 {
		s.Empty = true
		s.Hint = "no SDK versions: no SDK sent data in the last 24 hours, or the filters match nothing"
	}
}

// distinctVersions counts the different SDK name and version pairs of refs.
func distinctVersions(refs []SDKRef) int {
	seen := map[[2]string]bool{}
	for _, r := range refs {
		seen[[2]string{r.Name, r.Version}] = true
	}
	return len(seen)
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func sdkRef(d client.SDKVersionDetail, latest string) SDKRef {
	return SDKRef{
		Name: d.Name, Version: d.Version,
		Project:     smFirstNonEmpty(d.ProjectKey, d.ProjectName, d.ProjectID),
		Environment: smFirstNonEmpty(d.EnvironmentKey, d.EnvironmentName, d.EnvironmentID),
		Latest:      latest,
	}
}

func smFirstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
