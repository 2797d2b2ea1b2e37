package answer

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
)

// TestSDKDetailsCountsVersionsAndPlaces: rows are SDK versions in places;
// versions and places are counted apart, and every place of a past-EOL
// version is named.
func TestSDKDetailsCountsVersionsAndPlaces(t *testing.T) {
	row := func(name, version, project, env, eol string) client.SDKVersionDetail {
		return client.SDKVersionDetail{Name: name, Version: version, ProjectKey: project, EnvironmentKey: env, EOLStatus: eol, LDLatestVersion: "9.0.0"}
	}
	resp := &client.Response{Kind: client.SDKVersionDetails, SDKDetails: []client.SDKVersionDetail{
		row("Java", "6.3.0", "payments", "production", "EolPast"),
		row("Java", "6.3.0", "payments", "staging", "EolPast"),
		row("Java", "6.3.0", "mobile-app", "production", "EolPast"),
		row("Android", "4.2.3", "mobile-app", "production", "EolPast"),
		row("Go", "7.10.0", "payments", "production", "EolAllClear"),
		row("Go", "7.10.0", "payments", "staging", "EolAllClear"),
	}}
	s := Summarize(SummaryInput{Endpoint: client.Lookup("get_sdk_all_versions"), Response: resp})
	require.NotNil(t, s.Versions)
	assert.Equal(t, 6, *s.Count)           // rows
	assert.Equal(t, 3, *s.Versions)        // Java 6.3.0, Android 4.2.3, Go 7.10.0
	assert.Equal(t, 3, *s.Places)          // payments/production, payments/staging, mobile-app/production
	assert.Equal(t, 2, *s.EOLPastVersions) // Java 6.3.0, Android 4.2.3
	assert.Equal(t, 3, *s.EOLPastPlaces)
	text := s.Text()
	assert.Contains(t, text, "6 rows: 3 SDK versions in 3 project environments")
	assert.Contains(t, text, "Answer: 2 SDK versions are past end of life, in use in 3 project environments (4 version-environment pairs)")
	assert.Contains(t, text, "Java 6.3.0 (payments/production, payments/staging, mobile-app/production) → 9.0.0")
	assert.Contains(t, text, "Android 4.2.3 (mobile-app/production)")
}

// TestSDKListMoreCountsItems: a cut list of SDKs says how many SDKs it
// left out, not how many lines.
func TestSDKListMoreCountsItems(t *testing.T) {
	var names []string
	for i := 0; i < 300; i++ {
		names = append(names, "sdk-name-"+strconv.Itoa(i))
	}
	s := Summarize(SummaryInput{Endpoint: client.Lookup("get_mau_sdks_by_type"), Response: &client.Response{Kind: client.SDKList, SDKs: names}})
	text := s.Text()
	m := regexp.MustCompile(`\+(\d+) more SDKs`).FindStringSubmatch(text)
	require.NotNil(t, m, text)
	more, _ := strconv.Atoi(m[1])
	shown := strings.Count(text, "sdk-name-")
	assert.Equal(t, 300, shown+more, "shown %d + more %d:\n%s", shown, more, text)
}
