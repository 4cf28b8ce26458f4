package analysis

import (
	"bufio"
	"os"
	"sort"
	"strings"
	"testing"
)

// agentCase is one line of testdata/agents.tsv.
type agentCase struct {
	line               int
	agent, browser, os string
}

func readAgentCases(t *testing.T) []agentCase {
	t.Helper()
	fh, err := os.Open("testdata/agents.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []agentCase
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		f := strings.Split(l, "\t")
		if len(f) != 3 {
			t.Fatalf("testdata/agents.tsv:%d: want agent, browser and OS, tab-separated; got %d fields", n, len(f))
		}
		out = append(out, agentCase{n, f[0], f[1], f[2]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAgentFamilies holds the browser and OS families of every agent in
// testdata/agents.tsv (real agents, their families checked against
// uap-core's regexes), one subtest per browser family so that a family
// that goes wrong shows by name.
func TestAgentFamilies(t *testing.T) {
	cases := readAgentCases(t)
	if len(cases) < 200 {
		t.Fatalf("testdata/agents.tsv has %d agents, want at least 200", len(cases))
	}
	by := map[string][]agentCase{}
	for _, c := range cases {
		by[c.browser] = append(by[c.browser], c)
	}
	families := make([]string, 0, len(by))
	for f := range by {
		families = append(families, f)
	}
	sort.Strings(families)
	// Each family the report must tell apart has agents in the list.
	for _, want := range []string{"Chrome", "Chromium", "Edge", "Firefox", "Safari", "Samsung Internet", "Opera",
		"Maxthon", "UC Browser", "Yandex Browser", "Vivaldi", "Brave", "Internet Explorer",
		"Facebook (in-app)", "Instagram (in-app)", "WeChat (in-app)", familyCrawler} {
		if len(by[want]) == 0 {
			t.Errorf("testdata/agents.tsv has no %s agent", want)
		}
	}
	for _, fam := range families {
		t.Run(fam, func(t *testing.T) {
			for _, c := range by[fam] {
				got := classifyAgent(c.agent, nil)
				if got.browser != c.browser {
					t.Errorf("line %d: browser %q, want %q: %s", c.line, got.browser, c.browser, c.agent)
				}
				if c.os != "*" && got.os != c.os {
					t.Errorf("line %d: OS %q, want %q: %s", c.line, got.os, c.os, c.agent)
				}
			}
		})
	}
}
