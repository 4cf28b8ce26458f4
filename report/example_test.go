package report_test

import (
	"fmt"
	"time"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/report"
)

// A section as an analysis returns it, rendered as Markdown: the log value
// in the table is escaped, the one in the conclusion is a code span.
func ExampleRenderMarkdown() {
	s := &analysis.Section{ID: "user_agents", Title: "User agents", Doc: "Who is asking."}
	t := analysis.NewTable("user_agents", "Requests per user agent",
		analysis.Column{Name: "user_agent", Kind: analysis.Text}, analysis.Column{Name: "requests", Kind: analysis.Integer})
	t.Add("curl/8.5.0", 1200)
	t.Add("<script>alert(1)</script> | *x*", 3)
	s.Compute(`requests.user_agent.value_counts()`, analysis.Output{Table: t})
	s.Conclude("The most frequent user agent is " + analysis.Code("curl/8.5.0") + ".")

	r := &report.Report{Title: "Weekly report", Generated: time.Date(2024, 3, 11, 6, 0, 0, 0, time.UTC), Loc: time.UTC,
		Records: 1203, Sources: []analysis.Source{{Name: "access.log", Format: "combined"}},
		First: time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), Last: time.Date(2024, 3, 10, 23, 59, 0, 0, time.UTC),
		Sections: []*analysis.Section{s}}
	doc, err := report.RenderMarkdown(r, report.Options{FrontMatter: "hugo", FilesDir: "weekly_files"})
	if err != nil {
		panic(err)
	}
	fmt.Print(string(doc.Text))
	// Output:
	// ---
	// title: "Weekly report"
	// date: 2024-03-11T06:00:00Z
	// draft: false
	// description: "1,203 requests from 1 source, 2024-03-04 00:00 to 2024-03-10 23:59 (UTC)."
	// ---
	//
	// 1,203 requests from 1 source, 2024-03-04 00:00 to 2024-03-10 23:59 (UTC).
	//
	// Generated 2024-03-11T06:00:00Z by logbook 0.1.0.
	//
	// **Contents**
	//
	// 1. [Key findings](#key-findings)
	// 2. [User agents](#user-agents)
	//
	// ## Key findings
	//
	// Nothing needs attention: no section raised a notice or a warning.
	//
	// ## User agents
	//
	// *Who is asking.*
	//
	// **In [1]:**
	//
	// ```python
	// requests.user_agent.value_counts()
	// ```
	//
	// **Out[1]:** Requests per user agent
	//
	// |  | user\_agent | requests |
	// | --: | :-- | --: |
	// | 0 | curl/8.5.0 | 1,200 |
	// | 1 | &lt;script&gt;alert(1)&lt;/script&gt; \| \*x\* | 3 |
	//
	// *2 rows × 2 columns*
	//
	// ### Conclusions
	//
	// The most frequent user agent is `curl/8.5.0`.
	//
	// ---
	//
	// *logbook 0.1.0 · 1 source · all tables, with every row, are in the JSON output (`-o report.json`).*
}
