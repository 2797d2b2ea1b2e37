package tools

// Instructions are sent once at initialize: what every tool shares, so that
// each tool's own description stays short.
const Instructions = `Tools that read a LaunchDarkly account's usage (Account usage beta API). Read-only.
Time: from/to take RFC 3339, a date (2026-11-01 = UTC midnight), "now", relative (-7d, now-24h, -90m; m h d w) or Unix seconds/ms; the server converts to each endpoint's unit. Omitted from = the tool's default window.
Filters that may repeat take an array of strings (a single string works). groupBy/groupby splits the answer into one series per value.
Granularity: evaluations, events and streams are minutely within the past 2 h, hourly within 2 days, else daily; MAU is daily; newer tools take granularity.
Counts: MAU, contexts and experimentation keys/units are unique counts: never add days up; use the latest or the max. month_to_date is cumulative (last point = the month); incremental is per bucket; rolling_30d is a trailing 30-day unique count.
MAU = monthly active users (user contexts, legacy); contexts count every context kind. get_mau_* are deprecated: prefer get_total_mau_usage / get_clientside_mau_usage and the *_contexts tools.
Results: text is a summary; structuredContent.summary has per-series figures and structuredContent.raw LaunchDarkly's body.`
