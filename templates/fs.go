// Package templates holds the report templates and stylesheet, embedded into
// the binary so a report never needs files or network at run time.
package templates

import "embed"

// FS holds report.html.tmpl, style.css and requests.py, the pandas code a
// notebook report starts with to load the logs.
//
//go:embed *.tmpl *.css *.py
var FS embed.FS

// StarterConfig is the commented logbook.toml that logbook init writes.
//
//go:embed logbook.toml
var StarterConfig string
