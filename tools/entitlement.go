package tools

import (
	"github.com/ld-usage-mcp/ld-usage-mcp/answer"
	"github.com/ld-usage-mcp/ld-usage-mcp/overview"
)

// wholeAccount are the arguments that keep an answer about the whole
// account: they choose the range and the shape, not a part of the usage.
var wholeAccount = map[string]bool{
	"from": true, "to": true, "tz": true, "groupBy": true, "groupby": true, "granularity": true, "aggregationType": true,
}

// entitlementOf is the entitlement an endpoint's answer is read against:
// the plan's entitlement of the measure the tool reads (overview.Measures),
// for a month-to-date answer (cumulative points, a figure per month) of the
// whole account. A filter (a project, an SDK) reads a part of what the
// entitlement covers, and other aggregations are not the month's figure:
// neither gets one.
func (s *Server) entitlementOf(tool string, c *call, sum *answer.Summary) *float64 {
	if len(s.cfg.Entitlements) == 0 || sum == nil || sum.Kind != "series" || sum.Point != "cumulative" || sum.Figure != "monthEnd" {
		return nil
	}
	for k, v := range c.args {
		if len(v) > 0 && !wholeAccount[k] {
			return nil
		}
	}
	for _, m := range overview.Measures {
		if m.Tool != tool {
			continue
		}
		if v, ok := s.cfg.Entitlements[m.Name]; ok {
			return &v
		}
	}
	return nil
}
