package client

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// fastAndGeneral decodes a series body both ways. ok reports whether the
// fast path took it; general is the general path's result or error.
func fastAndGeneral(tb testing.TB, body []byte) (fast *Response, ok bool, general *Response, generr error) {
	tb.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(body, &keys); err != nil || keys["series"] == nil {
		return nil, false, nil, nil
	}
	fast = &Response{}
	ok = decodeSeriesFast(keys, fast)
	general = &Response{}
	generr = decodeSeries(bytes.TrimSpace(body), general)
	return fast, ok, general, generr
}

// sameSeries compares series lists: metadata series in order, the others as
// a set (the general path's order among keys that compare equal, such as
// "1" and "01", is not fixed).
func sameSeries(a, b []Series, nMeta int) bool {
	if len(a) != len(b) {
		return false
	}
	if nMeta > len(a) {
		nMeta = len(a)
	}
	if !reflect.DeepEqual(a[:nMeta], b[:nMeta]) {
		return false
	}
	byKey := map[string]Series{}
	for _, s := range b[nMeta:] {
		byKey[s.Key] = s
	}
	for _, s := range a[nMeta:] {
		if !reflect.DeepEqual(s, byKey[s.Key]) {
			return false
		}
	}
	return true
}

func checkAgrees(t *testing.T, body []byte) (tookFast bool) {
	t.Helper()
	fast, ok, general, generr := fastAndGeneral(t, body)
	if !ok {
		return false
	}
	if generr != nil {
		t.Fatalf("fast path accepted %.200q, the general path refused it: %v", body, generr)
	}
	var meta struct {
		Metadata []json.RawMessage `json:"metadata"`
	}
	_ = json.Unmarshal(body, &meta)
	if fast.Kind != general.Kind || !sameSeries(fast.Series, general.Series, len(meta.Metadata)) {
		t.Fatalf("fast and general paths differ on %.200q:\nfast    %v %+v\ngeneral %v %+v",
			body, fast.Kind, fast.Series, general.Kind, general.Series)
	}
	return true
}

func TestDecodeFastAgreesWithGeneral(t *testing.T) {
	cases := []struct {
		body     string
		wantFast bool
	}{
		{`{"metadata":[{"sdk":"go"},{"sdk":"node"}],"series":[{"time":1,"0":1,"1":2},{"time":2,"1":3,"0":4}]}`, true},
		{` { "series" : [ { "time" : 1700000000000 , "value" : 1.5e3 } , {"value":-0,"time":2} ] } `, true},
		{`{"series":[{"time":1,"value":1}],"unknownField":[{"time":2,"value":2}]}`, true},
		{`{"metadata":[],"series":[]}`, true},
		{`{"metadata":null,"series":null}`, true},
		{`{"series":[{"time":1,"0":null,"1":7},{"time":2,"0":5}]}`, true},
		{`{"metadata":[null,{"a":1}],"series":[{"time":1.0,"0":1,"7":2,"10":3,"x":4}]}`, true},
		{`{"series":[{"time":1,"1":1,"01":2}]}`, true},
		{`{"series":[{"time":1e3,"0":1}]}`, true},
		// Declined: the general path decides, and says what is wrong.
		{`{"series":[{"time":1,"0":1,"0":2}]}`, false},
		{`{"series":[{"time":1,"0":null,"0":2}]}`, false},
		{`{"series":[{"time":1,"0":2,"0":null}]}`, false},
		{`{"series":[{"time":1,"time":2,"0":1}]}`, false},
		{`{"series":[{"time":1,"\u0030":1}]}`, false},
		{`{"series":[{"time":1,"é":1}]}`, false},
		{`{"series":[{"time":1,"0":"1"}]}`, false},
		{`{"series":[{"time":1,"0":true}]}`, false},
		{`{"series":[{"time":1,"0":[1]}]}`, false},
		{`{"series":[{"time":1,"0":1e400}]}`, false},
		{`{"series":[{"time":null,"0":1}]}`, false},
		{`{"series":[{"time":"1","0":1}]}`, false},
		{`{"series":[{"0":1}]}`, false},
		{`{"series":[null]}`, false},
		{`{"series":{}}`, false},
		{`{"Series":[{"time":1,"0":1}],"series":[]}`, false},
		{`{"metadata":{},"series":[]}`, false},
	}
	for _, tc := range cases {
		if got := checkAgrees(t, []byte(tc.body)); got != tc.wantFast {
			t.Errorf("fast path took %s: %v, want %v", tc.body, got, tc.wantFast)
		}
	}
}

func TestDecodeFastTakesFixtures(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join("..", "testdata", "responses", "*.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	series := 0
	for _, p := range paths {
		body, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, generr := fastAndGeneral(t, body); generr != nil {
			continue
		}
		var keys map[string]json.RawMessage
		if json.Unmarshal(body, &keys) != nil || keys["series"] == nil {
			continue
		}
		series++
		if !checkAgrees(t, body) {
			t.Errorf("%s: the fast path declined LaunchDarkly's own shape", p)
		}
	}
	if series < 10 {
		t.Fatalf("only %d series fixtures", series)
	}
}

func FuzzDecodeFastAgrees(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "responses", "*.json"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"metadata":[{"sdk":"go"}],"series":[{"time":1,"0":1,"1":null}]}`))
	f.Add([]byte(`{"series":[{"time":1,"0":1,"0":2}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkAgrees(t, body)
	})
}
