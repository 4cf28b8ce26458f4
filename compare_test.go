package logbook

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// twoWeeks is a log of two ISO weeks: the second has 50% more requests,
// three new clients probing /wp-login.php (404), and GPTBot, which the
// first week did not see.
func twoWeeks(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	line := func(at time.Time, ip, path string, status int, agent string) {
		fmt.Fprintf(&b, "%s - - [%s] \"GET %s HTTP/1.1\" %d 500 \"-\" \"%s\"\n", ip, at.Format("02/Jan/2006:15:04:05 -0700"), path, status, agent)
	}
	start := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC) // Monday of 2024-W10
	browser := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
	for week := range 2 {
		n := 1000 + week*500
		for i := range n {
			at := start.AddDate(0, 0, 7*week).Add(time.Duration(i) * 7 * 24 * time.Hour / time.Duration(n))
			line(at, fmt.Sprintf("10.0.%d.%d", week, i%40), fmt.Sprintf("/page%d", i%10), 200, browser)
		}
		if week == 1 {
			for i := range 90 {
				at := start.AddDate(0, 0, 8).Add(time.Duration(i) * time.Minute)
				line(at, fmt.Sprintf("203.0.113.%d", i%3), "/wp-login.php", 404, "python-requests/2.31")
			}
			for i := range 30 {
				line(start.AddDate(0, 0, 9).Add(time.Duration(i)*time.Minute), "20.15.240.1", fmt.Sprintf("/page%d", i%10), 200, "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)")
			}
		}
	}
	path := filepath.Join(t.TempDir(), "access.log")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCompare(t *testing.T) {
	log := twoWeeks(t)
	out, err := Run(context.Background(), Config{Inputs: []string{log}, Week: "2024-W11", Compare: "previous"})
	if err != nil {
		t.Fatal(err)
	}
	secs := out.Report.Sections
	if len(secs) < 2 || secs[1].ID != "comparison" {
		t.Fatalf("no comparison section after the overview")
	}
	c := secs[1]
	all := strings.Join(c.Conclusions, "\n")
	for _, want := range []string{
		"Requests rose 62% week over week (1,000 → 1,620)",
		"404 responses went from none to 90 week over week, most of all on `/wp-login.php` (+90).",
		"2 crawlers came that did not in the previous period: `python-requests` (90 requests), `GPTBot` (30 requests).",
		"3 probing clients came that did not in the previous period: `203.0.113.0` (30 requests), `203.0.113.1` (30 requests), `203.0.113.2` (30 requests)",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("conclusions lack %q:\n%s", want, all)
		}
	}
	if !strings.Contains(c.Cells[0].Markdown, "2024-03-04 00:00 to 2024-03-11 00:00, with 1,000 records") {
		t.Errorf("prose %q", c.Cells[0].Markdown)
	}
	var ids []string
	for _, f := range c.Findings {
		ids = append(ids, f.ID)
	}
	if strings.Join(ids, ",") != "requests_changed,new_scanners" {
		t.Errorf("findings %v", ids)
	}
	// The metrics table holds both periods.
	mt := c.Tables()[0]
	if mt.ID != "period_metrics" || fmt.Sprint(mt.Rows[0]) != "[requests {integer 1000} {integer 1620} 0.62]" {
		t.Errorf("%s: %v", mt.ID, mt.Rows[0])
	}
	if out.Report.Records != 1620 {
		t.Errorf("the report covers %d records, want the current week's 1,620", out.Report.Records)
	}

	// A window of unknown length cannot be compared.
	err = (&Config{Inputs: []string{log}, Since: "2024-03-04", Compare: "previous"}).Validate()
	if err == nil || !strings.Contains(err.Error(), "needs a window of known length") {
		t.Errorf("since alone: %v", err)
	}
}

// TestComparisonPartlyCovered: when the logs begin well after the start of
// the previous period, the comparison says first that it is only partly
// covered; when they cover it, it does not.
func TestComparisonPartlyCovered(t *testing.T) {
	log := selectLog(t) // 2024-03-01 to 03-14
	for _, tc := range []struct {
		edit func(c *Config)
		want string // "" for no such sentence
	}{
		{func(c *Config) { c.Week = "2024-W10" }, "The logs read begin at 2024-03-01 00:00, 4 days into the previous period: it is only partly covered"},
		{func(c *Config) { c.Since, c.Until = "2024-03-08", "2024-03-10" }, ""},
		{func(c *Config) { c.Since, c.Until = "2024-03-01", "2024-03-01" }, "The logs read begin at 2024-03-01 00:00, after the previous period ends"},
	} {
		cfg := Config{Inputs: []string{log}, Compare: "previous", Now: time.Date(2024, 4, 1, 0, 0, 0, 0, time.UTC)}
		tc.edit(&cfg)
		out, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		var conclusions []string
		for _, s := range out.Report.Sections {
			if s.ID == "comparison" {
				conclusions = s.Conclusions
			}
		}
		got := strings.Join(conclusions, "\n")
		if tc.want == "" && strings.Contains(got, "The logs read begin") || tc.want != "" && !strings.HasPrefix(got, tc.want) {
			t.Errorf("%+v: conclusions\n%s\nwant first %q", cfg, got, tc.want)
		}
	}
}
