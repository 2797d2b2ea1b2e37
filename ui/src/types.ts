// The shapes the app reads from a tool result's structuredContent. They
// mirror tools/summary.go and tools/figures.go (summary) and LaunchDarkly's
// own bodies (raw); every field is optional here because the app must draw
// what it can of any result, never throw on a missing one.

export interface MonthFigure {
  month: string; // 2006-01
  value: number;
  status?: string; // complete, inProgress, partial
  through?: string;
}

export interface Headline {
  value?: number;
  text?: string;
  of?: string;
  label?: string;
  month?: string;
  status?: string;
  billed?: number;
  billedUnit?: string;
  months?: MonthFigure[];
}

export interface SeriesSummary {
  label: string;
  key: string;
  points?: number;
  figure?: number;
  sum?: number;
  min?: number;
  max?: number;
  mean?: number;
  last?: number;
  time?: string; // of max
  lastTime?: string;
  changePct?: number;
  months?: MonthFigure[];
}

export interface SDKRef {
  name: string;
  version: string;
  project?: string;
  environment?: string;
  latest?: string;
}

export interface Measure {
  name: string;
  title?: string;
  tool?: string;
  unit?: string;
  value?: number;
  previous?: number;
  changePct?: number;
  billed?: number;
  billedUnit?: string;
  entitlement?: number;
  share?: number; // 0..1 of the entitlement
  estimate?: number;
  estimateNote?: string; // how the estimate was made
  over?: boolean;
  status?: string; // the month figure's: inProgress, complete, partial
}

export interface Summary {
  kind?: string; // series, sdks, sdkVersions, sdkVersionDetails, overview
  asked?: string;
  demo?: boolean;
  empty?: boolean;
  hint?: string;
  notes?: string[];
  range?: { from?: string; to?: string; tz?: string };
  granularity?: string;
  aggregationType?: string;
  point?: string; // cumulative, new, trailing30d, count, level, average
  summable?: boolean;
  addsAcross?: boolean;
  entitlement?: number; // in the billed unit, when the server knows the plan
  meaning?: string;
  figure?: string; // monthEnd, monthSum, latest, sum, peak, mean
  unit?: string;
  headline?: Headline;
  series?: SeriesSummary[];
  lastBucketInProgress?: string;
  // SDK lists
  count?: number;
  sdks?: string[];
  sdkVersions?: { sdk: string; version: string }[];
  eolStatus?: Record<string, number>;
  eolPast?: SDKRef[];
  eolNear?: SDKRef[];
  // overview (tools/overview.go)
  month?: string;
  through?: string;
  status?: string; // inProgress for the running month, else complete
  previousMonth?: string;
  previousThrough?: string;
  measures?: Measure[];
  movers?: string[];
  gaps?: { name: string; tool?: string; error?: string }[];
}

/** One row of a series body: the time and one column per series. */
export type SeriesRow = { time: number } & Record<string, number | null>;

/** SdkVersionDetailsRep, the rows of get_sdk_versions_details. */
export interface SDKDetail {
  name?: string;
  version?: string;
  type?: string;
  projectKey?: string;
  projectName?: string;
  environmentKey?: string;
  environmentName?: string;
  applicationId?: string;
  connectionType?: string;
  eolStatus?: string;
  ldLatestVersion?: string;
  latestReleaseUrl?: string;
  relayVersion?: string;
  relayEolStatus?: string;
}
