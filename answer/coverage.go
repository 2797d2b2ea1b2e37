package answer

import (
	"strconv"
	"strings"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// This file says what a figure really covers beside the range asked:
// the buckets counted where whole buckets stick out of the range, and
// LaunchDarkly's own projection of the billing period where the body brings
// one (v24 projectedSeries).

// Counted is which buckets a figure is made of, given where they differ from
// the range asked: LaunchDarkly answers in whole buckets, so a range that
// starts or ends within one counts all of it.
type Counted struct {
	From        string `json:"from"` // start of the first bucket counted (RFC 3339)
	To          string `json:"to"`   // end of the last one, or now while it runs
	Buckets     int    `json:"buckets"`
	Granularity string `json:"granularity"`
	Why         string `json:"why"`

	from, to time.Time
}

// counted compares the buckets of the data with the range asked, for
// figures made of every bucket (sums, peaks, means, a month's new ones).
func counted(s *Summary, f frame, applies bool, ss []SeriesSummary) *Counted {
	if !applies || f.from.IsZero() || f.step == 0 && !f.monthly || s.from.IsZero() {
		return nil
	}
	end := s.to.Add(f.step)
	if f.monthly {
		end = s.to.AddDate(0, 1, 0)
	}
	if end.After(f.now) {
		end = f.now
	}
	askedEnd := f.to
	if askedEnd.IsZero() || askedEnd.After(f.now) {
		askedEnd = f.now
	}
	var why []string
	if s.from.Before(f.from) {
		why = append(why, "the first starts before the range asked, "+clock(f.from, f.loc))
	}
	if end.After(askedEnd) {
		why = append(why, "the last ends after it, "+clock(askedEnd, f.loc))
	}
	if len(why) == 0 {
		return nil
	}
	n := 0
	for _, st := range ss {
		n = max(n, st.Points)
	}
	return &Counted{From: RFC3339(s.from), To: RFC3339(end), Buckets: n, Granularity: s.Granularity,
		Why: "whole " + bucketWord(f) + "s; " + strings.Join(why, "; "), from: s.from, to: end}
}

func clock(t time.Time, loc *time.Location) string {
	if t.Second() != 0 {
		return t.In(loc).Format("Jan 2 15:04:05")
	}
	return t.In(loc).Format("Jan 2 15:04")
}

// countedLine says which buckets the figure covers, when they stick out of
// the range asked.
func (s *Summary) countedLine() string {
	c := s.Counted
	if c == nil {
		return ""
	}
	loc := s.frame.loc
	return "Counted: " + clock(c.from, loc) + " – " + clock(c.to, loc) + " " + loc.String() + ", " +
		strconv.Itoa(c.Buckets) + " " + c.Granularity + " buckets (" + c.Why + ")."
}

// Projection is LaunchDarkly's own projection of the billing period
// (projectedSeries): its last point, cumulative usage projected to the
// period's end.
type Projection struct {
	Value      float64  `json:"value"`
	Month      string   `json:"month"` // the calendar month (2006-01) of the projection's last day
	Time       string   `json:"time"`  // the last projected point (RFC 3339)
	Billed     *float64 `json:"billed,omitempty"`
	BilledUnit string   `json:"billedUnit,omitempty"`
	By         string   `json:"by"` // whose estimate: LaunchDarkly's
}

// projection reads the last point of LaunchDarkly's projected series (the
// sum of its value keys, LaunchDarkly sends one, "0").
func projection(ep *client.Endpoint, resp *client.Response, f frame) *Projection {
	var last int64
	found := false
	for _, sr := range resp.Projected {
		for _, t := range sr.Times {
			if !found || t > last {
				last, found = t, true
			}
		}
	}
	if !found {
		return nil
	}
	var v float64
	for _, sr := range resp.Projected {
		for i := range min(len(sr.Times), len(sr.Values)) {
			if sr.Times[i] == last && IsFinite(sr.Values[i]) {
				v += sr.Values[i]
			}
		}
	}
	t := smMsTime(last)
	p := &Projection{Value: Finite(v), Month: t.In(f.loc).Format("2006-01"), Time: RFC3339(t), By: "LaunchDarkly"}
	if ep.Per > 0 {
		b := Finite(v / ep.Per)
		p.Billed, p.BilledUnit = &b, ep.PerNoun
	}
	return p
}

// projectionLine shows LaunchDarkly's projection for the month.
func (s *Summary) projectionLine() string {
	p := s.Projection
	if p == nil {
		return ""
	}
	line := "LaunchDarkly's own projection for the whole of " + MonthName(p.Month) + ": " + Exact(p.Value) + " " + s.Unit
	if p.Billed != nil {
		line += " = " + FormatBilled(*p.Billed) + " " + p.BilledUnit
	}
	return line + " (its estimate, from projectedSeries; not a measured figure)."
}

// synthesizedLine says, in demo mode, which keys the demo account does not
// have: their data is made up for them.
func (s *Summary) synthesizedLine() string {
	if len(s.Synthesized) == 0 {
		return ""
	}
	has := ""
	if s.demoAccount != "" {
		has = " (it has " + s.demoAccount + ")"
	}
	return "Demo: " + strings.Join(s.Synthesized, ", ") + " " + isAre(len(s.Synthesized)) +
		" not the demo account's" + has + ": the data is synthesized from the key."
}
