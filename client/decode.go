package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
)

// Response is a decoded 2xx answer. Raw is the body byte for byte; the other
// fields are filled according to the shape the body turned out to have.
type Response struct {
	Status int
	Header http.Header
	Limits Limits

	Raw  json.RawMessage
	Kind Kind

	// Series holds the time series of SeriesListRep and SeriesIntervalsRep
	// (the latter as one series with key "value").
	Series []Series

	// Projected is LaunchDarkly's own projection (v24 SeriesListRepFloat's
	// optional projectedSeries, service connections): cumulative projected
	// usage by day for the whole billing period, in the rows' shape of
	// Series; the projected part begins where Series ends. nil when the
	// body has none, or one that cannot be read (Raw keeps it as sent).
	Projected []Series

	SDKs        []string           // SdkListRep
	SDKVersions []SDKVersion       // SdkVersionListRep
	SDKDetails  []SDKVersionDetail // SdkVersionDetailsRep[]
}

// Series is one time series, stored column-wise.
type Series struct {
	Key    string         // the row key: "0", "1", ... or "value"
	Meta   map[string]any // metadata[i] for key "i"; nil when there is none
	Times  []int64        // Unix milliseconds
	Values []float64      // 64-bit; integers up to 2^53 are exact
}

// SDKVersion is one entry of SdkVersionListRep.
type SDKVersion struct {
	SDK     string `json:"sdk"`
	Version string `json:"version"`
}

// SDKVersionDetail is one SdkVersionDetailsRep.
type SDKVersionDetail struct {
	Name                  string `json:"name"`
	Version               string `json:"version"`
	Type                  string `json:"type,omitempty"`
	ProjectID             string `json:"projectId,omitempty"`
	ProjectKey            string `json:"projectKey,omitempty"`
	ProjectName           string `json:"projectName,omitempty"`
	EnvironmentID         string `json:"environmentId,omitempty"`
	EnvironmentKey        string `json:"environmentKey,omitempty"`
	EnvironmentName       string `json:"environmentName,omitempty"`
	ApplicationID         string `json:"applicationId,omitempty"`
	LDLatestVersion       string `json:"ldLatestVersion,omitempty"`
	EOLStatus             string `json:"eolStatus,omitempty"`
	LatestReleaseURL      string `json:"latestReleaseUrl,omitempty"`
	ConnectionType        string `json:"connectionType,omitempty"`
	RelayVersion          string `json:"relayVersion,omitempty"`
	RelayEOLStatus        string `json:"relayEolStatus,omitempty"`
	RelayLatestVersion    string `json:"relayLatestVersion,omitempty"`
	RelayLatestReleaseURL string `json:"relayLatestReleaseUrl,omitempty"`
}

// ErrUnknownShape is returned for JSON that is none of the usage shapes.
var ErrUnknownShape = errors.New("unknown response shape")

// Decode reads a usage response by its shape: an array of SDK version details,
// or an object with series (SeriesListRep or SeriesIntervalsRep), sdks or sdkVersions.
func Decode(body []byte) (*Response, error) {
	out := &Response{Raw: json.RawMessage(body)}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: empty body", ErrUnknownShape)
	}
	if trimmed[0] == '[' {
		if err := json.Unmarshal(trimmed, &out.SDKDetails); err != nil {
			return nil, fmt.Errorf("decode SDK version details: %w", err)
		}
		out.Kind = SDKVersionDetails
		return out, nil
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(trimmed, &keys); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	switch {
	case keys["series"] != nil:
		// The fast path reads rows in place; whatever it does not handle
		// (any error, odd keys) goes the general way, which says what is wrong.
		if decodeSeriesFast(keys, out) {
			out.Projected = decodeProjected(keys["projectedSeries"])
			break
		}
		if err := decodeSeries(trimmed, out); err != nil {
			return nil, err
		}
		out.Projected = decodeProjected(keys["projectedSeries"])
	case keys["sdks"] != nil:
		if err := json.Unmarshal(keys["sdks"], &out.SDKs); err != nil {
			return nil, fmt.Errorf("decode sdks: %w", err)
		}
		out.Kind = SDKList
	case keys["sdkVersions"] != nil:
		if err := json.Unmarshal(keys["sdkVersions"], &out.SDKVersions); err != nil {
			return nil, fmt.Errorf("decode sdkVersions: %w", err)
		}
		out.Kind = SDKVersionList
	default:
		return nil, fmt.Errorf("%w: no series, sdks or sdkVersions", ErrUnknownShape)
	}
	return out, nil
}

// decodeSeries reads a SeriesListRep or SeriesIntervalsRep by way of one map
// per row: the general path, and the reference for decodeSeriesFast.
func decodeSeries(trimmed []byte, out *Response) error {
	var w struct {
		Metadata []map[string]any             `json:"metadata"`
		Series   []map[string]json.RawMessage `json:"series"`
	}
	if err := json.Unmarshal(trimmed, &w); err != nil {
		return fmt.Errorf("decode series: %w", err)
	}
	var err error
	if out.Series, out.Kind, err = columns(w.Metadata, w.Series); err != nil {
		return err
	}
	if w.Metadata != nil {
		out.Kind = SeriesList
	}
	return nil
}

// columns turns rows of {"time": t, "0": v0, "1": v1, ...} into one Series per
// key. Series follow metadata order, then any other keys in numeric order. The
// kind is SeriesIntervals when the only value key is "value".
func columns(meta []map[string]any, rows []map[string]json.RawMessage) ([]Series, Kind, error) {
	b := newColumnBuilder(meta)
	for r, row := range rows {
		rawT, ok := row["time"]
		if !ok {
			return nil, 0, fmt.Errorf("series row %d has no time", r)
		}
		t, err := parseInt64(rawT)
		if err != nil {
			return nil, 0, fmt.Errorf("series row %d: time: %w", r, err)
		}
		for k, raw := range row {
			if k == "time" || string(raw) == "null" {
				continue
			}
			v, err := strconv.ParseFloat(string(raw), 64)
			if err != nil {
				return nil, 0, fmt.Errorf("series row %d: value of %q is not a number", r, clipName(k))
			}
			s := &b.series[b.add(k)]
			s.Times = append(s.Times, t)
			s.Values = append(s.Values, v)
		}
	}
	series, kind := b.finish()
	return series, kind, nil
}

// decodeProjected reads projectedSeries (rows of {"time": t, "0": v}). An
// optional projection that cannot be read is left out rather than failing
// the answer it comes with: the actual series stand on their own.
func decodeProjected(raw json.RawMessage) []Series {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rows); err != nil {
		return nil
	}
	series, _, err := columns(nil, rows)
	if err != nil || len(series) == 0 {
		return nil
	}
	return series
}

func parseInt64(raw json.RawMessage) (int64, error) {
	s := string(raw)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != f || f > 9.2e18 || f < -9.2e18 {
		return 0, fmt.Errorf("%s is not a timestamp", jsonType(raw))
	}
	return int64(f), nil
}

// jsonType names the type of a JSON value, for errors that must not quote
// the value itself.
func jsonType(raw json.RawMessage) string {
	s := bytes.TrimSpace(raw)
	if len(s) == 0 {
		return "nothing"
	}
	switch s[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number out of range"
}

// clipName shortens a series key quoted in an error.
func clipName(k string) string { return clipTo(k, 64) }

// keyLess orders series keys numerically where both are numbers.
func keyLess(a, b string) bool {
	na, ea := strconv.Atoi(a)
	nb, eb := strconv.Atoi(b)
	switch {
	case ea == nil && eb == nil:
		return na < nb
	case ea == nil:
		return true
	case eb == nil:
		return false
	}
	return a < b
}
