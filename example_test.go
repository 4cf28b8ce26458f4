package logbook_test

import (
	"context"
	"fmt"
	"time"

	"github.com/logbook/logbook"
)

// Run a report from Go on the committed Apache sample: two sections, the
// generation time pinned, and a look at what came back. Outcome.Write
// would then write cfg.Outputs.
func ExampleRun() {
	cfg := logbook.Config{
		Inputs:   []string{"samples/apache/access.log"},
		Sections: []string{"overview", "status_codes"},
		Params:   map[string]string{"status_codes.redirects_top": "10"},
		TimeZone: "UTC",
		Now:      time.Date(2024, 3, 10, 0, 0, 0, 0, time.UTC),
		Outputs:  []logbook.Output{{Path: "report.json", Format: "json"}},
	}
	out, err := logbook.Run(context.Background(), cfg)
	if err != nil {
		fmt.Println("error:", err)
		return
	}
	rep := out.Report
	fmt.Println(rep.Records, "records from", rep.First.UTC().Format(time.DateOnly), "to", rep.Last.UTC().Format(time.DateOnly))
	for _, s := range rep.Sections {
		fmt.Println(s.ID, len(s.Tables()), "tables")
	}
	fmt.Println(rep.Sections[1].Conclusions[0])
	fmt.Println("problems:", len(out.Problems))
	// Output:
	// 10000 records from 2015-05-17 to 2015-05-20
	// overview 3 tables
	// status_codes 5 tables
	// The most common status was `200`, returned for 91.26% of 10,000 requests. By class: 2xx 9,171 (91.71%), 3xx 609 (6.09%), 4xx 217 (2.17%) and 5xx 3 (0.03%).
	// problems: 0
}
