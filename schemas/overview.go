package schemas

import "encoding/json"

// The overview (get_usage_overview) is a composite tool, not an endpoint's:
// its schemas are written here, compact, since every byte of tools/list is
// paid on every request.

// OverviewInput is the overview's input schema: one optional project, one
// optional month.
var OverviewInput = json.RawMessage(`{"type":"object","properties":{` +
	`"projectKey":{"type":"string","description":"One project (default: the account)"},` +
	`"month":{"type":"string","description":"YYYY-MM (default: this month, to now)"}},` +
	`"additionalProperties":false}`)

// OverviewOutput is the overview's output schema: summary holds one entry per
// measure (this month beside last month at the same point, and, with
// entitlements, the share and the month-end estimate in the entitlement's
// unit), the movers and the gaps; raw holds LaunchDarkly's bodies by tool.
var OverviewOutput = json.RawMessage(`{"type":"object","properties":{"summary":{"type":"object","properties":{` +
	`"month":` + str + `,` +
	`"measures":{"type":"array","items":{"type":"object","properties":{` +
	`"name":` + str + `,"value":` + number + `,"previous":` + number + `,"changePct":` + number + `,"billed":` + number + `,` +
	`"entitlement":` + number + `,"share":{"type":"number","description":"1 = all"},"estimate":{"type":"number","description":"month end"},"over":{"type":"boolean"}}}},` +
	`"movers":{"type":"array","items":` + str + `},` +
	`"gaps":{"type":"array","items":{"type":"object","properties":{"name":` + str + `,"error":` + str + `}}}}},` +
	`"raw":{"type":"object","additionalProperties":{"type":"object"}}},"required":["summary","raw"]}`)

const str = `{"type":"string"}`
