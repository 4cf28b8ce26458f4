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
