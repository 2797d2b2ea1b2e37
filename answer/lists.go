package answer

import (
	"sort"
	"strconv"
	"strings"
)

// This file renders the SDK lists: names, versions, end-of-life status.

// listLines lays items out, comma separated, on lines of about 100 bytes,
// the first one starting with prefix.
func listLines(prefix string, items []string) Rows {
	r := Rows{what: "SDKs (all in summary.sdks)", max: 8}
	cur, n := prefix, 0
	for i, it := range items {
		it = TrimLabel(it, 60)
		if i < len(items)-1 {
			it += ","
		}
		if n > 0 && len(cur)+len(it)+1 > 100 {
			r.lines, r.items = append(r.lines, cur), append(r.items, n)
			cur, n = "", 0
		}
		if n > 0 {
			cur += " "
		}
		cur += it
		n++
	}
	r.lines, r.items = append(r.lines, cur), append(r.items, n)
	return r
}

func (s *Summary) versionLines() Rows {
	order := []string{}
	by := map[string][]string{}
	for _, v := range s.SDKVersions {
		if _, ok := by[v.SDK]; !ok {
			order = append(order, v.SDK)
		}
		by[v.SDK] = append(by[v.SDK], v.Version)
	}
	r := Rows{what: "SDK versions (all in summary.sdkVersions)", max: 12}
	for _, sdk := range order {
		r.lines = append(r.lines, Cut(TrimLabel(sdk, 40)+": "+strings.Join(by[sdk], ", "), 200))
		r.items = append(r.items, len(by[sdk]))
	}
	return r
}

func (s *Summary) eolLines() []string {
	if s.Count == nil || *s.Count == 0 {
		return nil
	}
	var counts []string
	for _, st := range eolStatuses {
		if n := s.EOLStatus[st.key]; n > 0 {
			counts = append(counts, strconv.Itoa(n)+" "+st.words)
		}
	}
	known := map[string]bool{}
	for _, st := range eolStatuses {
		known[st.key] = true
	}
	var other []string
	for k := range s.EOLStatus {
		if !known[k] && s.EOLStatus[k] > 0 {
			other = append(other, k)
		}
	}
	sort.Strings(other)
	for _, k := range other {
		counts = append(counts, strconv.Itoa(s.EOLStatus[k])+" "+TrimLabel(k, 30))
	}
	lines := []string{"EOL status: " + strings.Join(counts, ", ")}
	refs := func(title string, list []SDKRef) {
		if len(list) == 0 {
			return
		}
		const show = 6
		parts := make([]string, 0, show+1)
		for i, r := range list {
			if i == show {
				parts = append(parts, "+"+strconv.Itoa(len(list)-show)+" more (all in summary)")
				break
			}
			p := TrimLabel(r.Name+" "+r.Version, 40)
			if r.Project != "" || r.Environment != "" {
				p += " (" + TrimLabel(r.Project+"/"+r.Environment, 40) + ")"
			}
			if r.Latest != "" {
				p += " → " + TrimLabel(r.Latest, 20)
			}
			parts = append(parts, p)
		}
		lines = append(lines, title+": "+strings.Join(parts, "; "))
	}
	refs("Past EOL, upgrade", s.EOLPast)
	refs("Near EOL", s.EOLNear)
	refs("Relay Proxy past EOL", s.RelayEOLPast)
	return lines
}
