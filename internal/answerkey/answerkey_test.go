package answerkey_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/server"
	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/ld-usage-mcp/ld-usage-mcp/client"
	"github.com/ld-usage-mcp/ld-usage-mcp/emulator"
	"github.com/ld-usage-mcp/ld-usage-mcp/tools"
)

var update = flag.Bool("update", false, "rewrite testdata/answerkey/answerkey.json from the model")

const keyFile = "../../testdata/answerkey/answerkey.json"

// file is testdata/answerkey/answerkey.json.
type file struct {
	About     string  `json:"about"`
	Now       string  `json:"now"`
	Seed      uint64  `json:"seed"`
	Questions []entry `json:"questions"`
}

type entry struct {
	ID        string         `json:"id"`
	Question  string         `json:"question"`
	Tool      string         `json:"tool"`
	Arguments map[string]any `json:"arguments"`
	// Figure is the figure a correct answer contains, as the Answer: line
	// writes it; Value is the same number.
	Figure   string    `json:"figure"`
	Value    float64   `json:"value"`
	How      string    `json:"how"`
	Tempting []wrongly `json:"tempting,omitempty"`
	// Where the figure is in the text, when not the Answer: line's first
	// number: the line starting with Line, the Nth number (0 first) after
	// the first After in it.
	Line  string `json:"line,omitempty"`
	After string `json:"after,omitempty"`
	Nth   int    `json:"nth,omitempty"`
}

type wrongly struct {
	What   string `json:"what"`
	Figure string `json:"figure"`
}

// build computes the answer key from the model.
func build() file {
	f := file{
		About: "Questions about the demo account (seed 0, as --demo serves it) asked at a fixed time, each with the tool call " +
			"an assistant would make and the figure a correct answer contains, computed from the emulator's model " +
			"(emulator.Account) by internal/answerkey. Regenerate: go test ./internal/answerkey -update",
		Now: now.Format(time.RFC3339),
	}
	for _, q := range questions {
		v := round2(q.figure())
		e := entry{ID: q.id, Question: q.ask, Tool: q.tool, Arguments: q.args, Figure: format(v), Value: v, How: q.how,
			Line: q.at.line, After: q.at.after, Nth: q.at.nth}
		for _, w := range q.tempting {
			e.Tempting = append(e.Tempting, wrongly{w.what, format(round2(w.figure()))})
		}
		f.Questions = append(f.Questions, e)
	}
	return f
}

func encode(t *testing.T, f file) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func round2(v float64) float64 { return math.Round(v*100) / 100 }

// format writes v as the Answer: line does: digits with "," thousands
// separators and up to two decimals.
func format(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if frac != "" {
		b.WriteString("." + frac)
	}
	return b.String()
}

// TestAnswerKeyIsCurrent: the file holds what the model gives today, so
// that it is reviewable and cannot go stale.
func TestAnswerKeyIsCurrent(t *testing.T) {
	if len(questions) < 30 {
		t.Fatalf("%d questions: the answer key needs at least 30", len(questions))
	}
	seen := map[string]bool{}
	toolsets := map[string]bool{}
	for _, q := range questions {
		if seen[q.id] {
			t.Errorf("question %s twice", q.id)
		}
		seen[q.id] = true
		ep := client.Lookup(q.tool)
		if ep == nil {
			t.Fatalf("%s: no tool %s", q.id, q.tool)
		}
		toolsets[ep.Toolset] = true
	}
	if len(toolsets) < 11 {
		t.Errorf("the questions cover %d toolsets of 11", len(toolsets))
	}
	want := encode(t, build())
	if *update {
		if err := os.WriteFile(keyFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatalf("%v (run: go test ./internal/answerkey -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from the figures the model gives now; review the change, then run: go test ./internal/answerkey -update", keyFile)
	}
}

// answerLine finds the text's "Answer: " line and its first number.
var numberRE = regexp.MustCompile(`[0-9][0-9,]*(\.[0-9]+)?`)
var exactRE = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})*(\.[0-9]{1,2})?$`)

func headline(text string) (line, number string, err error) {
	return figureIn(text, "", "", 0)
}

// figureIn finds the line starting with prefix ("Answer: " when empty) and
// the nth number after the first after in it.
func figureIn(text, prefix, after string, nth int) (line, number string, err error) {
	if prefix == "" {
		prefix = "Answer: "
	}
	for _, l := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(l, prefix); ok {
			if after != "" {
				i := strings.Index(rest, after)
				if i < 0 {
					return l, "", fmt.Errorf("the %s line has no %q", strings.TrimSpace(prefix), after)
				}
				rest = rest[i+len(after):]
			}
			all := numberRE.FindAllStringIndex(rest, -1)
			if len(all) <= nth {
				return l, "", fmt.Errorf("the %s line has no number %d", strings.TrimSpace(prefix), nth)
			}
			loc := all[nth]
			n := rest[loc[0]:loc[1]]
			if !exactRE.MatchString(n) {
				return l, n, fmt.Errorf("the Answer: line's first number %q is not written exactly (digits, \",\" thousands, up to two decimals)", n)
			}
			if after := rest[loc[1]:]; after != "" && strings.ContainsAny(after[:1], "KMBkmb%") {
				return l, n, fmt.Errorf("the Answer: line abbreviates its first number: %q", n+after[:1])
			}
			return l, n, nil
		}
	}
	return "", "", fmt.Errorf("no %s line", strings.TrimSpace(prefix))
}

func parseFigure(s string) float64 {
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil {
		panic(err)
	}
	return v
}

// pending are questions the product does not answer right yet, with why.
// The test reports them and fails when one of them starts passing, so that
// this list only shrinks.
var pending = map[string]string{}

// TestAnswerKeyThroughMCP asks every question through MCP (the official Go
// SDK client over streamable HTTP on 127.0.0.1, the server's tools with the
// emulator as LaunchDarkly over HTTP on 127.0.0.1, both at the fixed now)
// and checks the figure of the text's Answer: line.
func TestAnswerKeyThroughMCP(t *testing.T) {
	key := build()
	clock := func() time.Time { return now }
	emu := httptest.NewServer(emulator.New(emulator.Options{Now: clock}))
	t.Cleanup(emu.Close)
	ts, err := tools.New(tools.Config{
		Client:      client.New(emu.URL, emulator.DemoKey),
		Demo:        true,
		Now:         clock,
		CallTimeout: 20 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	mcpSrv := httptest.NewServer(server.NewStreamableHTTPServer(ts.MCP(), server.WithStateLess(true)))
	t.Cleanup(mcpSrv.Close)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cs, err := sdk.NewClient(&sdk.Implementation{Name: "answerkey", Version: "1"}, nil).
		Connect(ctx, &sdk.StreamableClientTransport{Endpoint: mcpSrv.URL, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()

	var report []string
	failures, right := 0, 0
	for _, q := range key.Questions {
		res, err := cs.CallTool(ctx, &sdk.CallToolParams{Name: q.Tool, Arguments: q.Arguments})
		if err != nil {
			t.Fatalf("%s: %v", q.ID, err)
		}
		var text strings.Builder
		for _, c := range res.Content {
			if tc, ok := c.(*sdk.TextContent); ok {
				text.WriteString(tc.Text)
			}
		}
		status := "ok"
		switch line, n, herr := figureIn(text.String(), q.Line, q.After, q.Nth); {
		case res.IsError:
			status = "tool error: " + firstLine(text.String())
		case herr != nil:
			status = herr.Error()
			if line != "" {
				status += ": " + line
			}
		case math.Abs(parseFigure(n)-q.Value) > 0.001:
			status = fmt.Sprintf("Answer: %s, want %s: %s", n, q.Figure, line)
		}
		why, isPending := pending[q.ID]
		switch {
		case status == "ok" && isPending:
			status = "answered right: remove it from pending"
			failures++
		case status == "ok":
			right++
		default:
			// Say whether the right figure is in the text at all.
			where := "the right figure " + q.Figure + " is nowhere in the text"
			if hasFigure(text.String(), q.Figure) {
				where = "the right figure " + q.Figure + " is in the text"
			}
			for _, w := range q.Tempting {
				if hasFigure(text.String(), w.Figure) {
					where += "; it shows " + w.What + " (" + w.Figure + ")"
				}
			}
			status += " [" + where + "; the text ends: " + lastLine(text.String()) + "]"
			if isPending {
				status = "pending (" + why + "): " + status
			} else {
				failures++
			}
		}
		report = append(report, fmt.Sprintf("%-45s %s", q.ID, status))
	}
	summary := fmt.Sprintf("%d of %d questions answered right, %d pending", right, len(key.Questions), len(pending))
	if failures == 0 {
		t.Log(summary + ":\n" + strings.Join(report, "\n"))
		return
	}
	t.Error(summary + ":\n" + strings.Join(report, "\n"))
}

// hasFigure reports whether the text writes the number fig (not as part
// of a longer number).
func hasFigure(text, fig string) bool {
	for _, m := range numberRE.FindAllString(text, -1) {
		if strings.TrimRight(m, ",.") == fig {
			return true
		}
	}
	return false
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

func TestHeadline(t *testing.T) {
	for _, tc := range []struct {
		text, number string
		err          string
	}{
		{"get_x · Oct\nAnswer: 64,992 client-side MAU in October (month to date on Oct 31)\nmore", "64,992", ""},
		{"Answer: 14,398,585.15 connection minutes (≈ 328.73 service connections)", "14,398,585.15", ""},
		{"Answer: 4 SDK versions past end of life", "4", ""},
		{"Answer: 20.7M evaluations", "20.7", "abbreviates"},
		{"Answer: 20651821 evaluations", "20651821", "not written exactly"},
		{"Answer: 1,234.567", "1,234.567", "not written exactly"},
		{"Answer: none", "", "no number"},
		{"Total: 64,992", "", "no Answer: line"},
		{" Answer: 5", "", "no Answer: line"},
	} {
		_, n, err := headline(tc.text)
		if n != tc.number || (err == nil) != (tc.err == "") || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: number %q, error %v; want %q, %q", tc.text, n, err, tc.number, tc.err)
		}
	}
	if format(14398585.15) != "14,398,585.15" || format(4) != "4" || format(999) != "999" || format(1000) != "1,000" || format(64992.5) != "64,992.5" {
		t.Errorf("format: %s %s %s %s %s", format(14398585.15), format(4), format(999), format(1000), format(64992.5))
	}
}
