package logbook

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// TestWindow resolves each kind of window against a known newest record
// and zone, and checks the bounds: [from, until).
func TestWindow(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no zone data:", err)
	}
	newest := time.Date(2024, 3, 13, 15, 30, 0, 0, time.UTC) // a Wednesday
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name        string
		cfg         Config
		loc         *time.Location
		anchor      time.Time
		from, until string // RFC 3339, "" for open
	}{
		{"iso week", Config{Week: "2024-W10"}, time.UTC, time.Time{}, "2024-03-04T00:00:00Z", "2024-03-11T00:00:00Z"},
		{"iso week in Berlin", Config{Week: "2024-W10"}, berlin, time.Time{}, "2024-03-04T00:00:00+01:00", "2024-03-11T00:00:00+01:00"},
		{"iso week 1 starting in the year before", Config{Week: "2025-W01"}, time.UTC, time.Time{}, "2024-12-30T00:00:00Z", "2025-01-06T00:00:00Z"},
		{"last week before the newest record", Config{Week: "last"}, time.UTC, time.Time{}, "2024-03-04T00:00:00Z", "2024-03-11T00:00:00Z"},
		{"last week before --now", Config{Week: "last"}, time.UTC, at("2024-03-25T00:00:00Z"), "2024-03-18T00:00:00Z", "2024-03-25T00:00:00Z"},
		{"last week across a DST change", Config{Week: "last"}, berlin, at("2024-04-03T12:00:00Z"), "2024-03-25T00:00:00+01:00", "2024-04-01T00:00:00+02:00"},
		{"last 7 days include the newest record", Config{Last: "7d"}, time.UTC, time.Time{}, "2024-03-06T15:30:01Z", ""},
		{"last 24h before until", Config{Last: "24h", Until: "2024-03-10"}, time.UTC, time.Time{}, "2024-03-10T00:00:00Z", "2024-03-11T00:00:00Z"},
		{"until a date includes the day", Config{Until: "2024-03-10"}, time.UTC, time.Time{}, "", "2024-03-11T00:00:00Z"},
		{"until a time excludes it", Config{Until: "2024-03-10T12:00"}, berlin, time.Time{}, "", "2024-03-10T12:00:00+01:00"},
		{"since an RFC 3339 time keeps its offset", Config{Since: "2024-03-10T12:00:00-05:00"}, berlin, time.Time{}, "2024-03-10T17:00:00Z", ""},
		{"since and until", Config{Since: "2024-03-01", Until: "2024-03-02 06:00"}, time.UTC, time.Time{}, "2024-03-01T00:00:00Z", "2024-03-02T06:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := tc.cfg.selector()
			if err != nil {
				t.Fatal(err)
			}
			from, until, desc := s.window(tc.loc, newest, tc.anchor)
			check := func(what string, got time.Time, want string) {
				if want == "" {
					if !got.IsZero() {
						t.Errorf("%s = %v, want open", what, got)
					}
					return
				}
				if w := at(want); !got.Equal(w) {
					t.Errorf("%s = %v, want %v", what, got, w)
				}
			}
			check("from", from, tc.from)
			check("until", until, tc.until)
			if desc == "" {
				t.Error("no description of the window")
			}
		})
	}
}

// TestSelectorErrors: every value the window and the filters cannot use
// is a usage error naming the flag and what it accepts.
func TestSelectorErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{Since: "yesterday"}, `--since "yesterday": want a date`},
		{Config{Until: "2024-13-01"}, `--until "2024-13-01"`},
		{Config{Last: "7"}, `--last "7": want a number and a unit`},
		{Config{Last: "0d"}, "want a span from 1d"},
		{Config{Last: "99999999w"}, "up to 100 years"},
		{Config{Last: "7d", Since: "2024-03-01"}, "give one"},
		{Config{Week: "2024-10"}, "want an ISO week such as 2024-W10"},
		{Config{Week: "2021-W53"}, "2021 has no week 53"},
		{Config{Week: "2024-W00"}, "2024 has no week 0"},
		{Config{Week: "last", Until: "2024-03-01"}, "--week is a whole window"},
		{Config{IncludeIP: []string{"10.0.0.0/33"}}, `--include-ip "10.0.0.0/33": want an address`},
		{Config{ExcludeIP: []string{"example.com"}}, `--exclude-ip "example.com"`},
		{Config{IncludePath: []string{"/a[b"}}, "[ without its ]"},
		{Config{ExcludePath: []string{"re:(unclosed"}}, `--exclude-path "re:(unclosed"`},
		{Config{Status: []string{"4x"}}, `--status "4x": want a code (404) or a class (5xx)`},
		{Config{Hosts: []string{""}}, "--host: empty pattern"},
	} {
		tc.cfg.Inputs = []string{"x.log"}
		err := tc.cfg.Validate()
		if err == nil || !IsUsage(err) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want a usage error with %q", tc.cfg, err, tc.want)
		}
	}
	ok := Config{Inputs: []string{"x.log"}, Week: "2020-W53", IncludeIP: []string{"2001:db8::/32", "192.0.2.7", "[2001:db8::1]"},
		IncludePath: []string{"/api/*", "re:^/v[0-9]+/"}, Status: []string{"404", "5XX"}, Hosts: []string{"*.example.com"}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid selection refused: %v", err)
	}
}

// TestPatterns: globs match the whole stem, * crossing slashes; re:
// patterns match anywhere unless anchored; hosts ignore case.
func TestPatterns(t *testing.T) {
	for _, tc := range []struct {
		pat   string
		fold  bool
		value string
		want  bool
	}{
		{"/wp-*", false, "/wp-login.php", true},
		{"/wp-*", false, "/blog/wp-login.php", false},
		{"/static/*", false, "/static/css/a.css", true},
		{"*.php", false, "/x/y.php", true},
		{"*.php", false, "/x/y.php5", false},
		{"/a?c", false, "/abc", true},
		{"/a?c", false, "/ac", false},
		{"/[ab]x", false, "/bx", true},
		{"/[!ab]x", false, "/bx", false},
		{"/[!ab]x", false, "/cx", true},
		{"/a.b", false, "/aXb", false}, // a dot is a dot in a glob
		{"re:\\.env$", false, "/app/.env", true},
		{"re:^/api/", false, "/v1/api/x", false},
		{"*.Example.COM", true, "www.example.com", true},
		{"example.com", true, "www.example.com", false},
	} {
		p, err := parsePattern("--x", tc.pat, tc.fold)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.re.MatchString(tc.value); got != tc.want {
			t.Errorf("%q on %q = %v, want %v", tc.pat, tc.value, got, tc.want)
		}
	}
}

// selectLog is a log of five clients over two weeks, IPv4 and IPv6, two
// virtual hosts, a few paths and codes.
func selectLog(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	clients := []string{"10.1.2.3", "10.9.9.9", "192.0.2.7", "2001:db8::5", "::ffff:198.51.100.1"}
	paths := []string{"/", "/api/users", "/wp-login.php", "/static/a.css"}
	codes := []int{200, 404, 503, 301}
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC) // a Friday
	for i := range 14 * 24 {
		at := start.Add(time.Duration(i) * time.Hour)
		c := clients[i%len(clients)]
		host := "www.example.com"
		if i%3 == 0 {
			host = "api.example.org"
		}
		fmt.Fprintf(&b, "%s %s - - [%s] \"GET %s HTTP/1.1\" %d 100 \"-\" \"Mozilla/5.0\"\n",
			host, c, at.Format("02/Jan/2006:15:04:05 -0700"), paths[i%len(paths)], codes[i%len(codes)])
	}
	path := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRunSelection runs the pipeline with windows and filters and checks
// the records the sections saw (the overview's count), what the report
// states, and that nothing left out reaches a table.
func TestRunSelection(t *testing.T) {
	log := selectLog(t)
	for _, tc := range []struct {
		name    string
		edit    func(c *Config)
		want    int    // records selected
		absent  string // a value no table may hold
		summary string // part of the report's summary
	}{
		{"week", func(c *Config) { c.Week = "2024-W10" }, 7 * 24, "", "ISO week 2024-W10 (2024-03-04 00:00 to 2024-03-11 00:00)"},
		{"last complete week", func(c *Config) { c.Week = "last" }, 7 * 24, "", "the last complete week before 2024-03-14 23:00"},
		{"since until", func(c *Config) { c.Since, c.Until = "2024-03-02", "2024-03-02" }, 24, "", "window 2024-03-02 00:00 to 2024-03-03 00:00"},
		{"exclude a range", func(c *Config) { c.ExcludeIP = []string{"10.0.0.0/8"} }, 14 * 24 * 3 / 5, "10.1.2.3", "no client addresses in 10.0.0.0/8"},
		{"include IPv6 and a mapped IPv4", func(c *Config) { c.IncludeIP = []string{"2001:db8::/32", "198.51.100.1"} }, 14 * 24 * 2 / 5, "192.0.2.7", "only client addresses in 2001:db8::/32, 198.51.100.1"},
		{"exclude paths", func(c *Config) { c.ExcludePath = []string{"/wp-*", "re:\\.css$"} }, 14 * 24 / 2, "/wp-login.php", "no paths matching /wp-*, re:\\.css$"},
		{"status class", func(c *Config) { c.Status = []string{"5xx"} }, 14 * 24 / 4, "/api/users", "only status 5xx"},
		{"host", func(c *Config) { c.Hosts = []string{"API.example.org"} }, 14 * 24 / 3, "", "only hosts API.example.org"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := Config{Inputs: []string{log}, Now: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC), Sections: []string{"overview", "uri_stems", "visitors", "sizes", "status_codes"}}
			if tc.name == "last complete week" {
				cfg.Now = time.Time{}
			}
			tc.edit(&cfg)
			out, err := Run(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := out.Err(); err != nil {
				t.Fatal(err)
			}
			r := out.Report
			if r.Records != tc.want || r.Selection == nil || r.Selection.Selected != tc.want || r.Selection.Read != 14*24 {
				t.Fatalf("records %d, selection %+v; want %d of %d", r.Records, r.Selection, tc.want, 14*24)
			}
			if s := r.Summary(); !strings.Contains(s, tc.summary) {
				t.Errorf("summary %q lacks %q", s, tc.summary)
			}
			if tc.absent != "" {
				for _, s := range r.Sections {
					for _, tb := range s.Tables() {
						for _, row := range tb.Rows {
							for _, c := range row {
								if fmt.Sprint(c) == tc.absent {
									t.Errorf("%s.%s holds %s, which the selection leaves out", s.ID, tb.ID, tc.absent)
								}
							}
						}
					}
				}
			}
		})
	}
}

// TestRunSelectionEmpty: a window or filter that leaves nothing fails the
// run with a message that says why, and a filter on a column no input has
// says so.
func TestRunSelectionEmpty(t *testing.T) {
	log := selectLog(t)
	for _, tc := range []struct {
		edit func(c *Config)
		want string
	}{
		{func(c *Config) { c.Week = "2023-W10" }, "none of the 336 records read is in the selection (window ISO week 2023-W10"},
		{func(c *Config) { c.Status = []string{"418"} }, "none of the 336 records read is in the selection (only status 418)"},
	} {
		cfg := Config{Inputs: []string{log}, Sections: []string{"overview"}}
		tc.edit(&cfg)
		out, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if e := out.Err(); e == nil || !strings.Contains(e.Error(), tc.want) {
			t.Errorf("err %v, want %q", e, tc.want)
		}
	}
	common := filepath.Join(t.TempDir(), "common.log")
	if err := os.WriteFile(common, []byte(threeLines), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := Run(context.Background(), Config{Inputs: []string{common}, Hosts: []string{"example.com"}, Sections: []string{"overview"}})
	if err != nil {
		t.Fatal(err)
	}
	if e := out.Err(); e == nil || !strings.Contains(e.Error(), "the filters need the host column, which no input has") {
		t.Errorf("err %v", e)
	}
}

// TestSubset: a subset frame holds the kept rows, in order, and its
// dictionaries only the values they use.
func TestSubset(t *testing.T) {
	b := frame.NewBuilder()
	b.Begin(frame.Cols(frame.IP, frame.Stem, frame.Bytes))
	for i := range 600 { // more than 256 distinct paths: two-byte codes
		var r frame.Row
		r.Reset()
		r.Time = int64(i)
		r.Str[frame.IP] = []byte(fmt.Sprintf("10.0.0.%d", i%3))
		r.Str[frame.Stem] = []byte(fmt.Sprintf("/p%d", i))
		r.Num[frame.Bytes] = float64(i)
		b.Add(&r)
	}
	f := b.Frame()
	keep := make([]bool, f.Len())
	for i := range keep {
		keep[i] = i%3 == 1 && i < 300
	}
	s := f.Subset(keep)
	if s.Len() != 100 {
		t.Fatalf("len %d", s.Len())
	}
	ips, stems := s.Str(frame.IP), s.Str(frame.Stem)
	if ips.Dict.Len() != 1 || ips.Dict.At(0) != "10.0.0.1" {
		t.Errorf("ip dictionary %d values", ips.Dict.Len())
	}
	if stems.Dict.Len() != 100 || stems.Distinct() != 100 {
		t.Errorf("stem dictionary %d values", stems.Dict.Len())
	}
	for j := range s.Len() {
		i := 1 + 3*j
		if s.Time[j] != int64(i) || stems.Value(j) != fmt.Sprintf("/p%d", i) || s.Num(frame.Bytes)[j] != float64(i) {
			t.Fatalf("row %d: %d %s %v", j, s.Time[j], stems.Value(j), s.Num(frame.Bytes)[j])
		}
	}
	if _, ok := stems.Lookup("/p0"); ok {
		t.Error("a left-out value is still in the dictionary")
	}
	if f.Len() != 600 || f.Str(frame.Stem).Value(0) != "/p0" {
		t.Error("Subset changed its frame")
	}
}

// TestKnownBounds: the bounds known before the read (for skipping S3
// objects) hold the whole window, widened by 14 hours when the zone is
// the log's own and not known yet, and are open for windows that hang on
// the newest record.
func TestKnownBounds(t *testing.T) {
	utc := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		cfg          Config
		loc          *time.Location
		since, until string
	}{
		{Config{Week: "2024-W10"}, time.UTC, "2024-03-04T00:00:00Z", "2024-03-11T00:00:00Z"},
		{Config{Week: "2024-W10"}, nil, "2024-03-03T10:00:00Z", "2024-03-11T14:00:00Z"},
		{Config{Week: "2024-W10", Compare: "previous"}, time.UTC, "2024-02-26T00:00:00Z", "2024-03-11T00:00:00Z"},
		{Config{Since: "2024-03-01T00:00:00Z", Until: "2024-03-02"}, time.UTC, "2024-03-01T00:00:00Z", "2024-03-03T00:00:00Z"},
		{Config{Week: "last"}, time.UTC, "", ""},
		{Config{Last: "7d"}, time.UTC, "", ""},
		{Config{Last: "1d", Until: "2024-03-02"}, time.UTC, "2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z"},
	} {
		s, err := tc.cfg.selector()
		if err != nil {
			t.Fatal(err)
		}
		since, until := s.knownBounds(tc.loc)
		for _, b := range []struct {
			got  time.Time
			want string
		}{{since, tc.since}, {until, tc.until}} {
			if (b.want == "") != b.got.IsZero() || b.want != "" && !b.got.Equal(utc(b.want)) {
				t.Errorf("%+v in %v: bounds %v, %v; want %s, %s", tc.cfg, tc.loc, since, until, tc.since, tc.until)
			}
		}
	}
}

// TestRunCrawlerFilter: --ignore-crawlers leaves out the requests of named
// crawlers and tools (the built-in list and the user's rules), and
// --crawlers-only keeps only them.
func TestRunCrawlerFilter(t *testing.T) {
	agents := []string{"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
		"Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "curl/8.5.0", "InternalProbe/1.0"}
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "192.0.2.%d - - [04/Mar/2024:10:%02d:00 +0000] \"GET /p HTTP/1.1\" 200 10 \"-\" \"%s\"\n", i%4, i, agents[i%4])
	}
	log := filepath.Join(t.TempDir(), "a.log")
	if err := os.WriteFile(log, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		filter string
		rules  []string
		want   int
	}{{"ignore", nil, 20}, {"only", nil, 20}, {"ignore", []string{"Probe=internalprobe"}, 10}, {"only", []string{"Probe=internalprobe"}, 30}} {
		out, err := Run(context.Background(), Config{Inputs: []string{log}, CrawlerFilter: tc.filter, Crawlers: tc.rules, Sections: []string{"overview"}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Report.Records != tc.want || !strings.Contains(out.Report.Summary(), "crawlers") {
			t.Errorf("%s %v: %d records, want %d; %s", tc.filter, tc.rules, out.Report.Records, tc.want, out.Report.Summary())
		}
	}
	if err := (&Config{Inputs: []string{"x"}, CrawlerFilter: "some"}).Validate(); err == nil {
		t.Error("an unknown crawler filter is accepted")
	}
	if err := (&Config{Inputs: []string{"x"}, Site: []string{"http://x/"}}).Validate(); err == nil || !strings.Contains(err.Error(), "--site") {
		t.Errorf("a URL as --site: %v", err)
	}
}
