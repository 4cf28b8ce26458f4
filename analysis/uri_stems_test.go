package analysis

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// TestURIStems computes the contract table uri_stem_share by hand: shares
// of all requests, by count then stem, an empty stem shown as "-", and the
// plot cut to the top parameter.
func TestURIStems(t *testing.T) {
	recs := []rec{
		{0, "192.0.2.1", "GET", "/b", "200"},
		{1, "192.0.2.1", "GET", "/a", "200"},
		{2, "192.0.2.2", "GET", "/b", "200"},
		{3, "192.0.2.3", "GET", "/robots.txt", "200"},
		{4, "192.0.2.3", "GET", "", "400"},
		{5, "192.0.2.2", "GET", "/b", "304"},
		{6, "192.0.2.4", "GET", "/a", "200"},
		{7, "192.0.2.4", "GET", "/c", "200"},
	}
	s, err := configured(t, "uri_stems", map[string]string{"top": "2"}).Run(context.Background(), &Input{Frame: handFrame(recs), Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]any{
		{"/b", 3, 3.0 / 8},
		{"/a", 2, 2.0 / 8},
		{"-", 1, 1.0 / 8},
		{"/c", 1, 1.0 / 8},
		{"/robots.txt", 1, 1.0 / 8},
	}
	if got := rows(tableByID(s, "uri_stem_share")); !reflect.DeepEqual(got, want) {
		t.Errorf("uri_stem_share rows\n got %v\nwant %v", got, want)
	}
	var plot *Plot
	for _, c := range s.Cells {
		for _, o := range c.Outputs {
			if o.Plot != nil {
				plot = o.Plot
			}
		}
	}
	if plot == nil || !reflect.DeepEqual(plot.Labels, []string{"/b", "/a"}) {
		t.Errorf("plot with top=2: %+v", plot)
	}
	wantConclusions(t, s,
		"8 requests went to 5 distinct URI stems. The most requested, `/b`, received 3 requests (37.50%).",
		"3 of the 5 stems were requested only once.",
		"`/robots.txt` was requested 1 time (rank 5)",
	)
}
