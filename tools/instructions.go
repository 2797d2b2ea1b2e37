package tools

// Instructions are sent once at initialize: what every tool shares, so that
// each tool's own description stays short.
const Instructions = `Tools that read a LaunchDarkly account's usage (Account usage beta API). Read-only.
Time: from/to take a date (2026-10-01; as to it includes that day: from=2026-10-01 to=2026-10-31 is all of October), RFC 3339, "now", relative (-7d, now-24h, -90m; m h d w) or Unix seconds/ms. Dates are UTC unless the tool takes tz. Omitted from = the tool's default window (newer tools: the start of this month).
aggregationType defaults to month_to_date (cumulative within the calendar month: a month's figure is its last point) on every tool that takes it, except get_mau_usage (rolling_30d). incremental = new in each bucket (unique counts: their sum within a month is the month's figure; counts: per bucket). rolling_30d = the 30 days up to each point. Unique counts (MAU, contexts, experimentation keys) never add up over days or across series.
Each result's text ends with "Answer:": the figure that answers how much, exactly, with its period and whether the month is complete or in progress. structuredContent.summary has per-series figures (figure, sum, min, max, mean, last) and structuredContent.raw LaunchDarkly's body.
Filters that may repeat take an array of strings (a single string works). groupBy/groupby splits the answer into one series per value; project/environment ids are shown as keys where the token may read projects.
Service connections are counted in connection minutes; 43,800 minutes bill as one service connection.
get_mau_* are deprecated and get_experimentation_units_usage was removed upstream: prefer get_total_mau_usage, get_clientside_mau_usage, the *_contexts tools and get_experimentation_keys_usage.`
