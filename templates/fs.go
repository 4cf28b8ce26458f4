// Package templates holds the report templates and stylesheet, embedded into
// the binary so a report never needs files or network at run time.
package templates

import "embed"

// FS holds report.html.tmpl, style.css and the Markdown templates.
//
//go:embed *.tmpl *.css
var FS embed.FS
