package overview

import (
	"slices"
	"strings"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/answer"
)

// This file renders the overview as text: a header saying which month and
// what it is compared with, one Answer line (the billed MAU measure's
// figure first), one line per measure, then the movers, the measures
// heading past their entitlement, how estimates are made, notes and gaps.
// It stays within the same budget as one tool's text.

// headlineOf is the Answer line's figure and words.
func headlineOf(ms []MeasureFigure, ents Entitlements, p Period) *Headline {
	i, why := billedMAU(ms, ents)
	if i < 0 {
		return nil
	}
	m := ms[i]
	var b strings.Builder
	b.WriteString(m.fmtValue(m.Value) + " " + m.Unit)
	if p.Running {
		b.WriteString(" so far in " + answer.MonthName(p.Month))
	} else {
		b.WriteString(" in " + answer.MonthName(p.Month) + ", the whole month")
	}
	b.WriteString(" (" + why + ")")
	when := answer.MonthName(p.PrevMonth) + " at the same point"
	if !p.Running {
		when = answer.MonthName(p.PrevMonth)
	}
	switch {
	case m.ChangePct != nil:
		b.WriteString(", " + answer.Pct(*m.ChangePct) + " on " + when + " (" + m.fmtValue(m.Previous) + ")")
	default:
		b.WriteString(", none in " + when)
	}
	if m.Share != nil {
		b.WriteString("; " + pctOf(*m.Share) + " of its entitlement")
	}
	b.WriteString(".")
	return &Headline{Measure: m.Name, Value: m.Value, Text: b.String()}
}

// overviewNotes are what a reader must know beside the figures.
func overviewNotes(sum *Summary, p Period, projectShares bool, absent []string) []string {
	var notes []string
	if p.Running {
		at := time.Date(p.PrevAt.Year(), p.PrevAt.Month(), p.PrevAt.Day(), p.PrevAt.Hour(), p.PrevAt.Minute(), 0, 0, time.UTC)
		notes = append(notes, answer.MonthName(p.PrevMonth)+" is read at "+at.Format("Jan 2 15:04")+" UTC, between its daily month-to-date points.")
	}
	if projectShares {
		notes = append(notes, "entitlements are the account's; these figures are one project's.")
	}
	if len(absent) > 0 {
		notes = append(notes, "no observability usage in either month ("+strings.Join(absent, ", ")+"): not shown.")
	}
	return notes
}

// Text renders the overview for a person or a model, below answer.TextBudget
// bytes. The Answer line and the measures' lines come first and are kept;
// the lines after them (gaps, movers, what is heading past its entitlement,
// how estimates are made, notes) are dropped from the last when the budget
// is short, each said in summary.
func (s *Summary) Text(p Period) string {
	head := []string{s.headerLine(p)}
	if s.Demo {
		head = append(head, answer.DemoMarker)
	}
	if s.Headline != nil {
		head = append(head, "Answer: "+s.Headline.Text)
	}
	for _, m := range s.Measures {
		head = append(head, m.line(p))
	}
	var tail []string
	if len(s.Gaps) > 0 {
		parts := make([]string, len(s.Gaps))
		for i, g := range s.Gaps {
			parts[i] = g.Name + " (" + g.short + ")"
		}
		tail = append(tail, "Gaps, not read: "+strings.Join(parts, "; ")+". The errors are in summary.gaps.")
	}
	if len(s.Movers) > 0 {
		var parts []string
		for _, name := range s.Movers {
			m := s.measure(name)
			if m.ChangePct != nil {
				parts = append(parts, m.Title+" "+answer.Pct(*m.ChangePct))
			} else {
				parts = append(parts, m.Title+" (none last month)")
			}
		}
		tail = append(tail, "Movers: "+strings.Join(parts, ", ")+".")
	} else if len(s.Measures) > 0 {
		tail = append(tail, "Movers: none changed by "+answer.Exact(moverPct)+"% or more.")
	}
	var over, notes []string
	for _, m := range s.Measures {
		if m.Over {
			over = append(over, m.Title)
		}
		if m.EstimateNote != "" && !slices.Contains(notes, m.EstimateNote) {
			notes = append(notes, m.EstimateNote)
		}
	}
	if len(over) > 0 {
		tail = append(tail, "Past or heading past the entitlement: "+strings.Join(over, ", ")+".")
	}
	if len(notes) > 0 {
		tail = append(tail, "Estimates of the month's end ("+p.End.AddDate(0, 0, -1).Format("Jan 2")+"): "+strings.Join(notes, "; ")+".")
	}
	for _, n := range s.Notes {
		tail = append(tail, "Note: "+n)
	}
	return answer.FitText(head, answer.ItemRows(tail, "notes (all in summary)"), nil)
}

func (s *Summary) measure(name string) MeasureFigure {
	for _, m := range s.Measures {
		if m.Name == name {
			return m
		}
	}
	return MeasureFigure{Name: name, Title: name}
}

// headerLine says what was asked, which month, how far, and what it is compared with.
func (s *Summary) headerLine(p Period) string {
	parts := []string{s.Asked}
	if p.Running {
		parts = append(parts, answer.MonthName(p.Month)+" to "+p.Through.Format("Jan 2 15:04")+" UTC (in progress)",
			"against "+answer.MonthName(p.PrevMonth)+" at the same point")
	} else {
		parts = append(parts, answer.MonthName(p.Month)+" (UTC)", "against "+answer.MonthName(p.PrevMonth))
	}
	return strings.Join(parts, " · ")
}

// line is one measure in one line: its figure (in its billed unit where it
// has one), last month's, the change and, with an entitlement, the share
// and the estimate.
func (m MeasureFigure) line(p Period) string {
	var b strings.Builder
	b.WriteString(m.Title + ": ")
	prevShort := p.PrevStart.Format("Jan")
	if m.Billed != nil {
		b.WriteString(answer.FormatBilled(*m.Billed) + " (" + answer.Exact(m.Value) + " " + m.Unit + ")")
		b.WriteString("; " + prevShort + " " + answer.FormatBilled(m.inBilled(m.Previous)))
	} else {
		b.WriteString(m.fmtValue(m.Value) + "; " + prevShort + " " + m.fmtValue(m.Previous))
	}
	if m.ChangePct != nil {
		b.WriteString(" (" + answer.Pct(*m.ChangePct) + ")")
	}
	if m.Status == answer.MonthPartial {
		b.WriteString("; data ends early")
	}
	if m.Share != nil {
		b.WriteString("; " + pctOf(*m.Share) + " of " + answer.Exact(*m.Entitlement))
		if m.Estimate != nil {
			b.WriteString(", est. " + m.fmtBilled(*m.Estimate))
		}
		if m.Over {
			b.WriteString(" OVER")
		}
	}
	return b.String()
}

// pctOf writes a share (1 = all) in percent, as changes are.
func pctOf(share float64) string {
	return strings.TrimPrefix(answer.Pct(share*100), "+")
}

// fmtBilled writes a figure in the measure's billed unit: as billed figures
// are where there is a billing conversion (a small one does not read as 0).
func (m MeasureFigure) fmtBilled(v float64) string {
	if m.per > 0 {
		return answer.FormatBilled(v)
	}
	return answer.Exact(v)
}

// fmtValue writes a figure in the measure's own unit.
func (m MeasureFigure) fmtValue(v float64) string { return answer.Exact(v) }
