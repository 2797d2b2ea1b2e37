package overview

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ld-usage-mcp/ld-usage-mcp/answer"
)

// Entitlements are a plan's monthly entitlements by measure name (the names
// of Measures: client-mau, service-connections, …), each in the
// measure's billed unit: service connections in service connections, not
// connection minutes. LaunchDarkly's usage API does not know them; the
// operator states them once (--entitlements).
type Entitlements map[string]float64

// EntitlementNames lists the measure names an entitlement may be given for,
// in the overview's order.
func EntitlementNames() []string {
	out := make([]string, len(Measures))
	for i, m := range Measures {
		out[i] = m.Name
	}
	return out
}

// ParseEntitlements reads name=value pairs separated by commas, such as
// "client-mau=100000,service-connections=40". Values are positive numbers
// (underscores may group digits: 2_000_000). An empty string is no
// entitlement; an unknown or repeated name, or a bad value, is an error that
// says what is allowed.
func ParseEntitlements(s string) (Entitlements, error) {
	out := Entitlements{}
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, value, ok := strings.Cut(item, "=")
		name, value = strings.ToLower(strings.TrimSpace(name)), strings.TrimSpace(value)
		if !ok || name == "" {
			return nil, fmt.Errorf("entitlement %q is not name=value (e.g. client-mau=100000)", answer.Cut(item, 60))
		}
		if !knownMeasure(name) {
			return nil, fmt.Errorf("unknown entitlement %q; names: %s", answer.Cut(name, 60), strings.Join(EntitlementNames(), ", "))
		}
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("entitlement %s is given twice", name)
		}
		v, err := strconv.ParseFloat(strings.ReplaceAll(value, "_", ""), 64)
		if err != nil || math.IsInf(v, 0) || math.IsNaN(v) || v <= 0 {
			return nil, fmt.Errorf("entitlement %s=%q: the value must be a positive number (e.g. %s=100000)", name, answer.Cut(value, 60), name)
		}
		out[name] = v
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func knownMeasure(name string) bool {
	for _, m := range Measures {
		if m.Name == name {
			return true
		}
	}
	return false
}

// entitlementCheck is what the overview says of one measure against its
// entitlement: its share, and for the running month where the month is
// heading at its current pace.
type entitlementCheck struct {
	share        float64
	estimate     *float64 // in the entitlement's unit; nil when none is made
	estimateNote string
	over         bool // past the entitlement, or heading past it
}

// estimateMinElapsed is how much of the month must be gone before the
// month's end is estimated: less tells nothing of the pace.
const estimateMinElapsed = 24 * time.Hour

// checkEntitlement compares a measure with its entitlement ent. value is
// the month's figure so far (or the whole month's) in the entitlement's unit;
// running says whether the month is still running. For the running month,
// the estimate of the month's end is made from last month's shape where last
// month is known (so far × last month's whole figure ÷ last month's figure at
// the same point: unique counts grow fast early in a month and slowly late,
// and last month shows how) and from a straight line otherwise (so far ×
// the month's length ÷ the time gone).
func checkEntitlement(ent, value float64, running bool, p Period, prevAtSamePoint, prevWhole float64, prevComplete bool) entitlementCheck {
	c := entitlementCheck{share: value / ent}
	c.over = value > ent
	if !running {
		return c
	}
	elapsed := p.Through.Sub(p.Start)
	if elapsed < estimateMinElapsed {
		c.estimateNote = "too early in the month to estimate (less than a day gone)"
		return c
	}
	var est float64
	if prevComplete && prevAtSamePoint > 0 && prevWhole > 0 {
		est = value * prevWhole / prevAtSamePoint
		c.estimateNote = "so far × " + p.prevName() + "'s whole figure ÷ its figure at the same point (last month's shape)"
	} else {
		length := p.End.Sub(p.Start)
		est = value * float64(length) / float64(elapsed)
		c.estimateNote = "straight line: so far × " + days(length) + " ÷ " + days(elapsed) + " gone"
	}
	est = answer.Finite(est)
	c.estimate = &est
	c.over = c.over || est > ent
	return c
}

// days writes a duration in days, with two decimals where it is not whole.
func days(d time.Duration) string {
	return answer.Exact(d.Hours()/24) + " days"
}
