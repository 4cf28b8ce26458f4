package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image/png"
	"strings"
	"testing"

	"github.com/logbook/logbook/ingest"
)

// TestNotebookPNG: every plot output of the notebook carries a PNG beside
// its SVG, a real image of the plot's size at 96 dpi, with pixels that
// are not all one colour.
func TestNotebookPNG(t *testing.T) {
	r := readReport(t, ingest.Options{}, "../samples/apache/access.log")
	data, err := Notebook(r)
	if err != nil {
		t.Fatal(err)
	}
	var nb struct {
		Cells []struct {
			Outputs []struct {
				Data map[string]any `json:"data"`
			} `json:"outputs"`
		} `json:"cells"`
	}
	if err := json.Unmarshal(data, &nb); err != nil {
		t.Fatal(err)
	}
	plots := 0
	for _, c := range nb.Cells {
		for _, o := range c.Outputs {
			if _, ok := o.Data["image/svg+xml"]; !ok {
				continue
			}
			plots++
			lines, _ := o.Data["image/png"].([]any)
			var b64 strings.Builder
			for _, l := range lines {
				b64.WriteString(l.(string))
			}
			raw, err := base64.StdEncoding.DecodeString(b64.String())
			if err != nil {
				t.Fatalf("plot %d: image/png is not base64: %v", plots, err)
			}
			img, err := png.Decode(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("plot %d: not a PNG: %v", plots, err)
			}
			bounds := img.Bounds()
			if bounds.Dx() != 768 || bounds.Dy() < 200 {
				t.Errorf("plot %d: %v, want 768 px wide (8 in at 96 dpi)", plots, bounds)
			}
			first, same := img.At(0, 0), true
			for y := bounds.Min.Y; y < bounds.Max.Y && same; y += 7 {
				for x := bounds.Min.X; x < bounds.Max.X; x += 7 {
					if img.At(x, y) != first {
						same = false
						break
					}
				}
			}
			if same {
				t.Errorf("plot %d: a blank image", plots)
			}
		}
	}
	if plots < 3 {
		t.Errorf("%d plots in the notebook", plots)
	}
}
