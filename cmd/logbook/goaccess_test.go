package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestUniqueVisitorsMatchGoAccess runs the real GoAccess on the committed
// combined logs and holds the visitors section to its unique visitors, in
// total and per day: a visitor is a distinct IP, user agent and day, 4xx
// responses left out (GoAccess's defaults). It skips when goaccess is not
// installed, and fails then with LOGBOOK_REQUIRE_TOOLS=1.
func TestUniqueVisitorsMatchGoAccess(t *testing.T) {
	bin, err := exec.LookPath("goaccess")
	if err != nil {
		if os.Getenv("LOGBOOK_REQUIRE_TOOLS") == "1" {
			t.Fatal("goaccess is not installed (LOGBOOK_REQUIRE_TOOLS=1); apt-get install goaccess")
		}
		t.Skip("goaccess is not installed (apt-get install goaccess); skipping (set LOGBOOK_REQUIRE_TOOLS=1 to fail instead)")
	}
	for _, log := range []string{"../../samples/apache/access.log", "../../samples/synthetic/combined-outage.log"} {
		t.Run(filepath.Base(log), func(t *testing.T) {
			dir := t.TempDir()
			gaOut := filepath.Join(dir, "goaccess.json")
			cmd := exec.Command(bin, log, "--log-format=COMBINED", "--no-progress", "-o", gaOut)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("goaccess: %v\n%s", err, out)
			}
			data, err := os.ReadFile(gaOut)
			if err != nil {
				t.Fatal(err)
			}
			var ga struct {
				General struct {
					UniqueVisitors int `json:"unique_visitors"`
				} `json:"general"`
				Visitors struct {
					Data []struct {
						Data     string `json:"data"` // YYYYMMDD
						Visitors struct {
							Count int `json:"count"`
						} `json:"visitors"`
					} `json:"data"`
				} `json:"visitors"`
			}
			if err := json.Unmarshal(data, &ga); err != nil {
				t.Fatalf("goaccess's JSON: %v", err)
			}
			if ga.General.UniqueVisitors == 0 || len(ga.Visitors.Data) == 0 {
				t.Fatalf("goaccess counted no visitors: %s", data[:min(len(data), 400)])
			}
			want := map[string]int{}
			for _, d := range ga.Visitors.Data {
				if len(d.Data) != 8 {
					t.Fatalf("goaccess day %q: want YYYYMMDD", d.Data)
				}
				want[d.Data[:4]+"-"+d.Data[4:6]+"-"+d.Data[6:]] = d.Visitors.Count
			}

			lbOut := filepath.Join(dir, "report.json")
			if _, stderr, err := runCLI(t, "", "report", "--now", "2024-01-01T00:00:00Z", "--sections", "visitors", "-o", lbOut, log); err != nil {
				t.Fatalf("logbook: %v\n%s", err, stderr)
			}
			got, sum := map[string]int{}, 0
			for _, r := range table(t, readJSON(t, lbOut), "visitors", "visitors_by_day") {
				n := int(r[1].(float64))
				got[r[0].(string)] = n
				sum += n
			}
			if sum != ga.General.UniqueVisitors {
				t.Errorf("unique visitors: logbook %d, goaccess %d", sum, ga.General.UniqueVisitors)
			}
			for day, n := range want {
				if got[day] != n {
					t.Errorf("%s: logbook %d visitors, goaccess %d", day, got[day], n)
				}
			}
			if len(got) != len(want) {
				t.Errorf("days: logbook %v, goaccess %v", got, want)
			}
		})
	}
}

// TestCrawlerFlag: --crawler names a crawler the list does not know, in
// the crawlers table with its kind; it is repeatable.
func TestCrawlerFlag(t *testing.T) {
	dir := t.TempDir()
	log := filepath.Join(dir, "access.log")
	lines := `192.0.2.1 - - [04/Mar/2024:10:00:00 +0000] "GET / HTTP/1.1" 200 10 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 InternalCheck/3"
192.0.2.2 - - [04/Mar/2024:10:00:01 +0000] "GET / HTTP/1.1" 200 10 "-" "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36"
192.0.2.3 - - [04/Mar/2024:10:00:02 +0000] "GET / HTTP/1.1" 200 10 "-" "acme-poller 1.0"
`
	if err := os.WriteFile(log, []byte(lines), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "report.json")
	if _, stderr, err := runCLI(t, "", "report", "--now", "2024-01-01T00:00:00Z", "--sections", "user_agents",
		"--crawler", "Internal check=internalcheck/", "--crawler", "Acme=ACME-POLLER", "-o", out, log); err != nil {
		t.Fatalf("logbook: %v\n%s", err, stderr)
	}
	got := table(t, readJSON(t, out), "user_agents", "crawlers")
	if len(got) != 2 || got[0][0] != "Acme" || got[1][0] != "Internal check" || got[0][1] != "added by --crawler" {
		t.Errorf("crawlers = %v, want Acme and Internal check, added by --crawler", got)
	}
}
