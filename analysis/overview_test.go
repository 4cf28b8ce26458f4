package analysis

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// TestOverview checks the sources table, the malformed-line examples and
// the sentences against the inputs' counts: a source not read as a log is
// left out of the table and named, a source that stopped early is a
// warning.
func TestOverview(t *testing.T) {
	recs := []rec{
		{0, "192.0.2.1", "GET", "/", "200"},
		{60, "192.0.2.2", "GET", "/a", "200"},
		{7200, "192.0.2.1", "GET", "/b", "404"},
	}
	in := &Input{Frame: handFrame(recs), Loc: time.UTC, Sources: []Source{
		{Name: "a.log", Format: "combined", Lines: 3, Records: 2, Malformed: 1,
			Examples: []Example{{Line: 2, Reason: "no closing quote", Text: "x"}}},
		{Name: "b.log.gz", Format: "combined", Compression: "gzip", Lines: 1, Records: 1, Err: "unexpected EOF"},
		{Name: "notes.txt", Skipped: "not an access log"},
	}}
	s, err := configured(t, "overview", nil).Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	wantSources := [][]any{
		{"a.log", "combined", "", 3, 2, 1, 0, ""},
		{"b.log.gz", "combined", "gzip", 1, 1, 0, 0, "unexpected EOF"},
	}
	if got := rows(tableByID(s, "sources")); !reflect.DeepEqual(got, wantSources) {
		t.Errorf("sources\n got %v\nwant %v", got, wantSources)
	}
	if got := rows(tableByID(s, "malformed_lines")); !reflect.DeepEqual(got, [][]any{{"a.log", 2, "malformed", "no closing quote", "x"}}) {
		t.Errorf("malformed_lines: %v", got)
	}
	wantConclusions(t, s,
		"3 requests from 2 sources",
		"came from 2 unique IPs",
		"1 of 4 lines could not be read and was skipped (in `a.log`)",
		"Reading stopped early in `b.log.gz` (the 1 record read before it stopped is included); the sources table gives the reason.",
	)
	// handFrame has no user agent or byte column: the sentence claims
	// neither.
	noConclusion(t, s, "user agent", "received 0 B")
	var prose []string
	for _, c := range s.Cells {
		prose = append(prose, c.Markdown)
	}
	if !strings.Contains(strings.Join(prose, "\n"), "`notes.txt`") {
		t.Errorf("the file that is not a log is not named: %q", prose)
	}
	if f := findingByID(s, "unreadable_sources"); f == nil || f.Severity != SevWarning || f.Value != 1 {
		t.Errorf("unreadable_sources finding: %+v", f)
	}
	if f := findingByID(s, "malformed_lines"); f == nil || f.Value != 1 {
		t.Errorf("malformed_lines finding: %+v", f)
	}
}

// TestOverviewEmpty runs on no records and says so.
func TestOverviewEmpty(t *testing.T) {
	in := &Input{Frame: handFrame(nil), Loc: time.UTC, Sources: []Source{{Name: "empty.log", Format: "combined"}}}
	s, err := configured(t, "overview", nil).Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(s.Conclusions, "\n"); !strings.Contains(got, "No records were read from 1 source") {
		t.Errorf("conclusions: %q", got)
	}
}

// TestOverviewSummary: the summary holds typed values, not display strings;
// the conclusion still says them for people.
func TestOverviewSummary(t *testing.T) {
	plus2 := time.FixedZone("+0200", 2*3600)
	f := handFrame([]rec{{0, "192.0.2.1", "GET", "/", "200"}, {7200 + 65, "192.0.2.2", "GET", "/a", "404"}, {30, "192.0.2.1", "GET", "/", "200"}})
	in := &Input{Frame: f, Loc: plus2, Sources: []Source{{Name: "a.log", Format: "combined", Lines: 4, Records: 3, Malformed: 1}}}
	s, err := overview{}.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	first, last := time.Unix(t0, 0).In(plus2), time.Unix(t0+7265, 0).In(plus2)
	want := [][]any{
		{"records", Typed{Integer, 3}},
		{"first request", Typed{Time, first}},
		{"last request", Typed{Time, last}},
		{"time span", Typed{Duration, 7265}},
		{"time zone", Typed{Text, "+0200"}},
		{"unique IPs", Typed{Integer, 2}},
		{"unique user agents", Typed{Integer, 0}},
		{"bytes sent", Typed{Bytes, 0}},
		{"lines read", Typed{Integer, 4}},
		{"malformed lines", Typed{Integer, 1}},
		{"repaired lines", Typed{Integer, 0}},
	}
	tab := tableByID(s, "summary")
	if got := rows(tab); !reflect.DeepEqual(got, want) {
		t.Errorf("summary:\n got %v\nwant %v", got, want)
	}
	if tab.Columns[1] != (Column{"value", Mixed}) {
		t.Errorf("value column = %v", tab.Columns[1])
	}
	if want := "from " + Timestamp(first) + " to " + Timestamp(last) + " (2 hours 1 minute)"; !strings.Contains(s.Conclusions[0], want) {
		t.Errorf("conclusion %q lacks %q", s.Conclusions[0], want)
	}

	empty, err := overview{}.Run(context.Background(), &Input{Frame: handFrame(nil), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if got := rows(tableByID(empty, "summary"))[1:4]; !reflect.DeepEqual(got, [][]any{
		{"first request", Typed{Time, nil}}, {"last request", Typed{Time, nil}}, {"time span", Typed{Duration, nil}}}) {
		t.Errorf("empty summary times = %v", got)
	}
}

// TestOverviewForwardedFor: requests whose client came from an
// X-Forwarded-For list are counted and the rule said.
func TestOverviewForwardedFor(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.ForwardedFor))
	var r frame.Row
	for i, xff := range []string{"10.0.0.2", "", "10.0.0.2, 10.0.0.3", ""} {
		r.Reset()
		r.Time = t0 + int64(i)
		r.Str[frame.IP], r.Str[frame.ForwardedFor] = []byte("203.0.113.5"), []byte(xff)
		b.Add(&r)
	}
	s, err := configured(t, "overview", nil).Run(context.Background(), &Input{Frame: b.Frame(), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	wantConclusions(t, s, "2 requests came through proxies that logged an X-Forwarded-For list (50%); the client of each is taken to be the first address")
	s, err = configured(t, "overview", nil).Run(context.Background(), &Input{Frame: handFrame([]rec{{0, "192.0.2.1", "GET", "/", "200"}}), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(s.Conclusions, " "), "X-Forwarded-For") {
		t.Errorf("a log without proxies is said to have them: %q", s.Conclusions)
	}
}

// TestOverviewInputs (issue #15): inputs nothing was read from are rows of
// the sources table with why; those that name nothing or could not be
// opened are a warning, the notes (empty, read once) a sentence.
func TestOverviewInputs(t *testing.T) {
	in := &Input{Frame: handFrame([]rec{{0, "192.0.2.1", "GET", "/", "200"}}), Loc: time.UTC, Sources: []Source{
		{Name: "a.log", Format: "combined", Lines: 1, Records: 1},
		{Name: "locked.log", Err: "open locked.log: permission denied"},
		{Name: "access.log", Note: "empty"},
		{Name: "logs/a.log", Note: "the same file as a.log; read once", Unread: true},
		{Name: "gone.log", Err: "no such file or directory", Unread: true},
	}}
	s, err := configured(t, "overview", nil).Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	wantSources := [][]any{
		{"a.log", "combined", "", 1, 1, 0, 0, ""},
		{"locked.log", "", "", 0, 0, 0, 0, "open locked.log: permission denied"},
		{"access.log", "", "", 0, 0, 0, 0, "empty"},
		{"logs/a.log", "", "", 0, 0, 0, 0, "the same file as a.log; read once"},
		{"gone.log", "", "", 0, 0, 0, 0, "no such file or directory"},
	}
	if got := rows(tableByID(s, "sources")); !reflect.DeepEqual(got, wantSources) {
		t.Errorf("sources\n got %v\nwant %v", got, wantSources)
	}
	wantConclusions(t, s,
		"1 request from 1 source,",
		"`locked.log` and `gone.log` could not be found, listed or read, so nothing from them is in this report",
		"The sources table notes why nothing was read from `access.log` and `logs/a.log`.",
	)
	if c := strings.Join(s.Conclusions, " "); strings.Contains(c, "Reading stopped early") {
		t.Errorf("a source nothing was read from is said to have stopped early: %q", c)
	}
	if f := findingByID(s, "missing_inputs"); f == nil || f.Severity != SevWarning || f.Value != 2 {
		t.Errorf("missing_inputs finding: %+v", f)
	}
}

// TestOverviewClaimsNothingRead: a source that failed before its first
// record is not said to have anything "included".
func TestOverviewClaimsNothingRead(t *testing.T) {
	in := &Input{Frame: handFrame([]rec{{0, "192.0.2.1", "GET", "/", "200"}}), Loc: time.UTC, Sources: []Source{
		{Name: "a.log", Format: "combined", Lines: 1, Records: 1},
		{Name: "b.log.gz", Compression: "gzip", Err: "gzip: invalid header"},
	}}
	s, err := configured(t, "overview", nil).Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	wantConclusions(t, s, "1 request from 1 source, at 2024-03-04 10:00:00 +0000, came from 1 unique IP.",
		"The one line read was understood.",
		"`b.log.gz` could not be found, listed or read, so nothing from it is in this report; the sources table says why.")
	noConclusion(t, s, "included", "(0 seconds)")
}

// TestOverviewNoAgents: a log without user agents says so, rather than
// "using 0 distinct user agents".
func TestOverviewNoAgents(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.Stem, frame.Status, frame.UserAgent))
	var r frame.Row
	for i, ip := range []string{"192.0.2.1", "192.0.2.2"} {
		r.Reset()
		r.Time = t0 + int64(60*i)
		r.Str[frame.IP], r.Str[frame.Stem], r.Str[frame.Status] = []byte(ip), []byte("/"), []byte("200")
		b.Add(&r) // the agent field is there, and empty
	}
	in := &Input{Frame: b.Frame(), Loc: time.UTC}
	s, err := configured(t, "overview", nil).Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	wantConclusions(t, s, "came from 2 unique IPs (the log has no user agents)")
	if text := strings.Join(s.Conclusions, " "); strings.Contains(text, "0 distinct user agents") {
		t.Errorf("a count of absent agents: %s", text)
	}
}

// TestOverviewStrayDateSpan: a record dated 9999 among 2024's gives a span
// in days, not a time.Duration overflowed into a negative number.
func TestOverviewStrayDateSpan(t *testing.T) {
	far := time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC).Unix() - t0
	s, err := configured(t, "overview", nil).Run(context.Background(), &Input{Frame: handFrame([]rec{{0, "192.0.2.1", "GET", "/", "200"}, {far, "192.0.2.2", "GET", "/", "200"}}), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	wantConclusions(t, s, "to 9999-12-31 00:00:00 +0000 (2,913,109 days)")
	if c := strings.Join(s.Conclusions, " "); strings.Contains(c, "(-") {
		t.Errorf("a negative span: %s", c)
	}
}

// TestOverviewClaimsHeaderLines: the lines read that are headers (a
// CloudFront #Version and #Fields pair) are said to be so, so that 27
// lines and 23 records do not read as lost lines.
func TestOverviewClaimsHeaderLines(t *testing.T) {
	in := &Input{Frame: handFrame([]rec{{0, "192.0.2.1", "GET", "/", "200"}, {1, "192.0.2.1", "GET", "/", "200"}, {2, "192.0.2.2", "GET", "/", "200"}}),
		Loc: time.UTC, Sources: []Source{{Name: "a.gz", Format: "cloudfront", Lines: 5, Records: 3}}}
	s, err := configured(t, "overview", nil).Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	wantConclusions(t, s, "Every one of the 5 lines read was understood: 3 records and 2 header or comment lines.")
}
