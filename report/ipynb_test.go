package report

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/ingest"
)

// validateScript reads each notebook as it is (no conversion) and checks it
// against the nbformat schema; warnings (a missing cell id, say) count.
const validateScript = `
import sys, warnings
import nbformat
warnings.simplefilter("error")
bad = 0
for path in sys.argv[1:]:
    try:
        with open(path, encoding="utf-8") as f:
            nb = nbformat.read(f, as_version=nbformat.NO_CONVERT)
        nbformat.validate(nb)
        if (nb.nbformat, nb.nbformat_minor) != (4, 5):
            raise ValueError("nbformat %d.%d, want 4.5" % (nb.nbformat, nb.nbformat_minor))
    except Exception as e:
        bad += 1
        print("%s: %s: %s" % (path, type(e).__name__, e))
sys.exit(1 if bad else 0)
`

// validateNotebooks checks notebooks with nbformat.validate in python3.
func validateNotebooks(t *testing.T, paths ...string) {
	t.Helper()
	py, why := nbPython()
	if py == "" {
		missingTool(t, "cannot validate notebooks: %s", why)
		return
	}
	out, err := exec.Command(py, append([]string{"-c", validateScript}, paths...)...).CombinedOutput()
	if err != nil {
		t.Errorf("nbformat.validate: %v\n%s", err, out)
		return
	}
	t.Logf("nbformat (%s) validated %d notebook(s)", py, len(paths))
}

var cellIDRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

// TestNotebookShape checks in Go what Jupyter relies on: cell ids,
// execution counts in order, execute_result carrying its count.
func TestNotebookShape(t *testing.T) {
	r := hostileReport(t)
	data, err := Notebook(r)
	if err != nil {
		t.Fatal(err)
	}
	var nb map[string]any
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	if nb["nbformat"] != 4.0 || nb["nbformat_minor"] != 5.0 {
		t.Errorf("nbformat %v.%v, want 4.5", nb["nbformat"], nb["nbformat_minor"])
	}
	meta := nb["metadata"].(map[string]any)
	if ks := meta["kernelspec"].(map[string]any); ks["name"] != "python3" {
		t.Errorf("kernelspec %v", ks)
	}
	if li := meta["language_info"].(map[string]any); li["name"] != "python" {
		t.Errorf("language_info %v", li)
	}
	ids := map[string]bool{}
	count := 0
	for i, c := range nb["cells"].([]any) {
		cell := c.(map[string]any)
		id, _ := cell["id"].(string)
		if !cellIDRE.MatchString(id) || ids[id] {
			t.Errorf("cell %d: id %q is not a unique nbformat cell id", i, id)
		}
		ids[id] = true
		switch cell["cell_type"] {
		case "markdown":
			if _, ok := cell["outputs"]; ok {
				t.Errorf("markdown cell %s has outputs", id)
			}
		case "code":
			count++
			if n, _ := cell["execution_count"].(float64); int(n) != count {
				t.Errorf("code cell %s: execution_count %v, want %d", id, cell["execution_count"], count)
			}
			for _, o := range cell["outputs"].([]any) {
				out := o.(map[string]any)
				if out["output_type"] == "execute_result" && out["execution_count"] != cell["execution_count"] {
					t.Errorf("code cell %s: execute_result count %v", id, out["execution_count"])
				}
			}
		default:
			t.Errorf("cell %s: type %v", id, cell["cell_type"])
		}
	}
	// The first code cells are the parameters and the loader; the HTML's
	// In [n] is cell n+2.
	if count != strings.Count(string(mustHTML(t, r)), "In [")+2 {
		t.Errorf("%d code cells, want one per computation plus the parameters and the loader", count)
	}
	first := nb["cells"].([]any)
	for _, c := range first {
		cell := c.(map[string]any)
		if cell["cell_type"] != "code" {
			continue
		}
		tags, _ := cell["metadata"].(map[string]any)["tags"].([]any)
		if cell["id"] != "parameters" || len(tags) != 1 || tags[0] != "parameters" {
			t.Errorf("first code cell %v, tags %v: want the cell tagged parameters", cell["id"], tags)
		}
		break
	}
}

func mustHTML(t *testing.T, r *Report) []byte {
	t.Helper()
	out, err := HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNotebooksValidate writes notebooks of several kinds of report and
// validates them all with nbformat.
func TestNotebooksValidate(t *testing.T) {
	dir := t.TempDir()
	empty := &Report{Title: "Empty", Generated: pinned, Loc: time.UTC,
		Sources:  []analysis.Source{{Name: "stdin", Format: "combined"}, {Name: "notes.txt", Skipped: "not a recognised access log"}},
		Sections: []*analysis.Section{{ID: "overview", Title: "Overview", Skipped: "skipped: there are no records to analyse"}}}
	reports := map[string]*Report{
		"hostile": hostileReport(t),
		"empty":   empty,
		"zone":    readReport(t, ingest.Options{}, hostileLog),
	}
	reports["zone"].Loc = time.FixedZone("+0530", 5*3600+1800)
	if _, err := os.Stat("../samples"); err == nil {
		reports["samples"] = readReport(t, ingest.Options{}, "../samples")
	}
	var paths []string
	for name, r := range reports {
		data, err := Notebook(r)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p := filepath.Join(dir, name+".ipynb")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	validateNotebooks(t, paths...)
}

// TestNotebookLoaderRuns runs the first cell of a notebook with pandas and
// checks it reads as many requests as logbook did. It needs pandas, which
// CI does not install, so it only ever skips without it.
func TestNotebookLoaderRuns(t *testing.T) {
	r := readReport(t, ingest.Options{}, hostileLog)
	src, err := loadCell(r)
	if err != nil {
		t.Fatal(err)
	}
	py, _ := nbPython()
	if py == "" {
		var err error
		if py, err = exec.LookPath("python3"); err != nil {
			t.Skip("python3 is not installed")
		}
	}
	// The cell must at least be valid Python.
	cmd := exec.Command(py, "-c", "import sys; compile(sys.stdin.read(), 'load-requests', 'exec')")
	cmd.Stdin = strings.NewReader(src)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the loader cell does not compile: %v\n%s", err, out)
	}
	if exec.Command(py, "-c", "import pandas").Run() != nil {
		t.Skip("pandas is not installed; the loader cell compiled but did not run")
	}
	cmd = exec.Command(py, "-c", "import sys; exec(sys.stdin.read()); print(len(requests), requests.ip.nunique(), requests.uri_stem.nunique())")
	cmd.Stdin = strings.NewReader(src)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("running the loader cell: %v\n%s", err, out)
	}
	f := strings.Fields(string(out))
	if len(f) < 3 {
		t.Fatalf("loader printed %q", out)
	}
	if n, _ := strconv.Atoi(f[len(f)-3]); n != r.Records {
		t.Errorf("pandas read %d requests, logbook %d", n, r.Records)
	}
}
