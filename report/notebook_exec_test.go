package report

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/logbook/logbook/ingest"
)

// nbExecPython is a python3 that can execute a notebook with pandas
// (Debian's python3-nbconvert, python3-ipykernel, python3-pandas and
// python3-matplotlib for the plot cells), or "" and why not.
func nbExecPython() (string, string) {
	var cands []string
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		cands = append(cands, "/usr/bin/python3")
	}
	if p, err := exec.LookPath("python3"); err == nil && p != "/usr/bin/python3" {
		cands = append(cands, p)
	}
	for _, p := range cands {
		if exec.Command(p, "-c", "import nbconvert, ipykernel, pandas, matplotlib").Run() == nil {
			return p, ""
		}
	}
	return "", "no python3 can import nbconvert, ipykernel, pandas and matplotlib (tried " + strings.Join(cands, ", ") +
		"; apt-get install python3-nbconvert python3-ipykernel python3-pandas python3-matplotlib)"
}

type nbExecCell struct {
	ID       string `json:"id"`
	CellType string `json:"cell_type"`
	Outputs  []struct {
		OutputType string              `json:"output_type"`
		Data       map[string]any      `json:"data"`
		Text       any                 `json:"text"`
		EName      string              `json:"ename"`
		EValue     string              `json:"evalue"`
		Metadata   map[string]any      `json:"metadata"`
		Extra      map[string][]string `json:"-"`
	} `json:"outputs"`
}

func nbJoin(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case []any:
		var b strings.Builder
		for _, s := range v {
			b.WriteString(fmt.Sprint(s))
		}
		return b.String()
	}
	return ""
}

func readNotebookCells(t *testing.T, path string) []nbExecCell {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []nbExecCell `json:"cells"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return nb.Cells
}

var captionRE = regexp.MustCompile(`<caption>(.*?)</caption>`)

// TestNotebookExecutes writes the notebook of a report on samples that
// cover every section into a folder away from the samples, executes it
// with nbconvert as Jupyter would, and checks that every code cell ran and
// that the cells' values are logbook's numbers, at least one per section.
func TestNotebookExecutes(t *testing.T) {
	if testing.Short() {
		t.Skip("executing a notebook takes half a minute")
	}
	py, why := nbExecPython()
	if py == "" {
		missingTool(t, "%s", why)
	}
	r := readReport(t, ingest.Options{}, "../samples/synthetic", "../samples/apache", "../samples/cloudfront")
	dir := filepath.Join(t.TempDir(), "out")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	nbPath := filepath.Join(dir, "report.ipynb")
	for _, name := range []string{"ipynb", "json"} {
		f, _ := LookupFormat(name)
		if err := WriteFile(filepath.Join(dir, "report."+name), f, r, Options{}); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(py, "-m", "nbconvert", "--to", "notebook", "--execute", "--allow-errors",
		"--ExecutePreprocessor.timeout=600", "--output", "executed.ipynb", nbPath)
	cmd.Dir = t.TempDir() // not the notebook's folder: the sources are found from the notebook
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("nbconvert --execute: %v\n%s", err, out)
	}
	written := readNotebookCells(t, nbPath)
	executed := readNotebookCells(t, filepath.Join(dir, "executed.ipynb"))
	if len(written) != len(executed) {
		t.Fatalf("%d cells written, %d executed", len(written), len(executed))
	}

	// Every code cell ran.
	code := 0
	value := map[string]string{} // logbook's table title -> the executed cell's value
	for i, c := range executed {
		if c.CellType != "code" {
			continue
		}
		code++
		var val string
		for _, o := range c.Outputs {
			switch o.OutputType {
			case "error":
				t.Errorf("cell %s: %s: %s", c.ID, o.EName, o.EValue)
			case "execute_result":
				val = nbJoin(o.Data["text/plain"])
			}
		}
		if c.ID == "overview-2" {
			value["overview"] = val
		}
		for _, o := range written[i].Outputs {
			if m := captionRE.FindStringSubmatch(nbJoin(o.Data["text/html"])); m != nil {
				value[htmlUnescape(m[1])] = val
				break
			}
		}
	}
	if code < 40 {
		t.Errorf("%d code cells, want every section's", code)
	}

	var js struct {
		Sections []struct {
			ID     string `json:"id"`
			Tables []struct {
				ID      string   `json:"id"`
				Title   string   `json:"title"`
				Columns []string `json:"columns"`
				Rows    [][]any  `json:"rows"`
			} `json:"tables"`
		} `json:"sections"`
	}
	data, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &js); err != nil {
		t.Fatal(err)
	}
	type table = struct {
		title string
		cols  []string
		rows  [][]any
	}
	tables := map[string]table{}
	for _, s := range js.Sections {
		for _, tb := range s.Tables {
			tables[tb.ID] = table{tb.Title, tb.Columns, tb.Rows}
		}
	}

	// The overview's tuple: records, first, last, unique IPs, unique
	// agents, bytes.
	summary := map[string]any{}
	for _, row := range tables["summary"].rows {
		summary[fmt.Sprint(row[0])] = row[1]
	}
	nums := regexp.MustCompile(`(?m)^ ?\(?(\d+),?\)?$`).FindAllStringSubmatch(value["overview"], -1)
	if len(nums) != 4 {
		t.Errorf("overview cell's value: %q, want 4 whole numbers in the tuple", value["overview"])
	} else {
		for i, name := range []string{"records", "unique IPs", "", "bytes sent"} {
			if name == "" {
				continue // unique agents: logbook counts an empty agent apart
			}
			want, _ := summary[name].(float64)
			if got := nums[i][1]; got != strconv.FormatFloat(want, 'f', -1, 64) {
				t.Errorf("overview: pandas %s %s, logbook %v", name, got, summary[name])
			}
		}
	}

	// For each table, the value pandas shows for the key in logbook's first
	// row (the key column) must be logbook's value in the named column.
	checks := []struct {
		table, key, column string
		row                int
	}{
		{"requests_by_day", "day", "requests", 0},
		{"uri_stem_share", "uri_stem", "share", 0},
		{"not_found_paths", "uri_stem", "requests", 0},
		{"not_found_clients", "ip", "requests", 0},
		{"status_counts", "status_code", "requests", 0},
		{"status_counts", "status_code", "requests", 2},
		{"method_counts", "request_method", "requests", 0},
		{"user_agents", "user_agent", "requests", 0},
		{"size_by_ip", "ip", "average_request_size", 0},
		{"size_outliers", "ip", "average_request_size", 0},
		{"probe_families", "family", "requests", 0},
		{"page_types", "kind", "share", 0},
		{"visitors_by_day", "day", "visitors", 0},
		{"cloudfront_edge_locations", "edge_location", "share", 0},
		{"edge_locations", "edge_location", "share", 0},
		{"edge_result_types", "edge_result_type", "share", 0},
		{"latency_percentiles", "metric", "mean", -1},
	}
	checked := map[string]bool{}
	for _, c := range checks {
		tb, ok := tables[c.table]
		if !ok {
			continue
		}
		if len(tb.rows) <= c.row {
			t.Errorf("%s: %d rows", c.table, len(tb.rows))
			continue
		}
		col := func(name string) int {
			for i, n := range tb.cols {
				if n == name {
					return i
				}
			}
			t.Fatalf("%s has no column %s: %v", c.table, name, tb.cols)
			return -1
		}
		val, ok := value[tb.title]
		if !ok {
			t.Errorf("no executed cell shows %s (%q)", c.table, tb.title)
			continue
		}
		if c.row < 0 { // latency: pandas' describe() has the metrics as columns, its mean row
			for i, row := range tb.rows {
				want := row[col(c.column)].(float64)
				got, ok := describeValue(val, "mean", i)
				if !ok || !shownAs(got, want) {
					t.Errorf("%s %v: pandas %v (%v), logbook %v\n%s", c.table, row[0], got, ok, want, val)
				}
			}
			checked[c.table] = true
			continue
		}
		row := tb.rows[c.row]
		key := fmt.Sprint(row[col(c.key)])
		if f, ok := row[col(c.key)].(float64); ok {
			key = strconv.FormatFloat(f, 'f', -1, 64)
		}
		want, _ := row[col(c.column)].(float64)
		got, ok := lineValue(val, key)
		if !ok || !shownAs(got, want) {
			t.Errorf("%s, %s %q: pandas %v (found %v), logbook %v\n%s", c.table, c.key, key, got, ok, want, val)
		}
		checked[c.table] = true
	}
	checked["summary"] = len(nums) == 4
	for _, s := range js.Sections {
		if len(s.Tables) == 0 {
			continue
		}
		compared := false
		for _, tb := range s.Tables {
			compared = compared || checked[tb.ID]
		}
		if !compared {
			t.Errorf("section %s: none of its numbers was compared with the notebook's", s.ID)
		}
	}
}

// shownAs reports whether want, rounded as pandas showed it, is shown.
func shownAs(shown string, want float64) bool {
	got, err := strconv.ParseFloat(shown, 64)
	if err != nil {
		return false
	}
	mant, exp := shown, 0
	if i := strings.IndexAny(shown, "eE"); i >= 0 {
		mant = shown[:i]
		exp, _ = strconv.Atoi(shown[i+1:])
	}
	decimals := 0
	if i := strings.IndexByte(mant, '.'); i >= 0 {
		decimals = len(mant) - i - 1
	}
	return math.Abs(got-want) <= 0.5*math.Pow(10, float64(exp-decimals))*(1+1e-9)+1e-12
}

// lineValue finds the line of a pandas text value that starts with key
// followed by two spaces or more, and returns the first number after it.
func lineValue(plain, key string) (string, bool) {
	for _, l := range strings.Split(plain, "\n") {
		rest, ok := strings.CutPrefix(l, key)
		rest = midnight.ReplaceAllString(rest, "")
		if !ok || !strings.HasPrefix(rest, "  ") {
			continue
		}
		f := strings.Fields(midnight.ReplaceAllString(rest, ""))
		if len(f) == 0 {
			continue
		}
		if _, err := strconv.ParseFloat(f[0], 64); err == nil {
			return f[0], true
		}
	}
	return "", false
}

// midnight is the time pandas shows after a day's date in a daily index.
var midnight = regexp.MustCompile(`^ 00:00:00(?:[+-]\d\d:\d\d)?`)

// describeValue is the i-th column of the row named stat in pandas'
// describe() output.
func describeValue(plain, stat string, i int) (string, bool) {
	for _, l := range strings.Split(plain, "\n") {
		f := strings.Fields(l)
		if len(f) > i+1 && f[0] == stat {
			return f[i+1], true
		}
	}
	return "", false
}

func htmlUnescape(s string) string {
	r := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&amp;", "&")
	return r.Replace(s)
}

// TestNotebookLoaderSaysWhatItSkips runs the parameters and loading cells on
// a combined log and a HAProxy log: the loader reads the first, and says
// plainly that it cannot read the second and leaves it out.
func TestNotebookLoaderSaysWhatItSkips(t *testing.T) {
	py, why := nbExecPython()
	if py == "" {
		missingTool(t, "%s", why)
	}
	r := readReport(t, ingest.Options{}, hostileLog, "../samples/haproxy/haproxy.log")
	params, load, err := notebookLoad(r, ".")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-c", "import sys; exec(sys.stdin.read()); print(len(requests), requests.ip.nunique())")
	cmd.Stdin = strings.NewReader(params + "\n" + load)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("running the loader: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`Not read: \S*samples/haproxy/haproxy\.log \(haproxy\): this cell reads only combined, common, CloudFront and W3C logs`).Match(out) {
		t.Errorf("the loader does not say it left the HAProxy log out:\n%s", out)
	}
	hostile := 0
	for _, s := range r.Sources {
		if s.Name == hostileLog {
			hostile = s.Records
		}
	}
	f := strings.Fields(string(out))
	if n, _ := strconv.Atoi(f[len(f)-2]); hostile == 0 || n != hostile {
		t.Errorf("pandas read %d requests, logbook %d from %s\n%s", n, hostile, hostileLog, out)
	}
}
