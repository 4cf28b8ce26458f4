package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/logbook/logbook/analysis"
)

// Version is the logbook version written into every report.
const Version = "0.1.0"

// Report is everything a renderer needs.
type Report struct {
	Title     string
	Generated time.Time
	Loc       *time.Location // the zone days and hours were counted in
	Sources   []analysis.Source
	Records   int
	First     time.Time // zero when there are no records
	Last      time.Time
	Sections  []*analysis.Section
}

// Malformed is the number of malformed lines over all sources.
func (r *Report) Malformed() int {
	n := 0
	for _, s := range r.Sources {
		n += s.Malformed
	}
	return n
}

// KeyFinding is a notable finding and the section it came from.
type KeyFinding struct {
	Section *analysis.Section
	analysis.Finding
}

// KeyFindings lists the notice and warning findings of all sections,
// warnings first, then in report order.
func (r *Report) KeyFindings() []KeyFinding {
	var out []KeyFinding
	for _, sev := range []analysis.Severity{analysis.SevWarning, analysis.SevNotice} {
		for _, s := range r.Sections {
			for _, f := range s.Findings {
				if f.Severity == sev {
					out = append(out, KeyFinding{Section: s, Finding: f})
				}
			}
		}
	}
	return out
}

// A Format renders a report into a file.
type Format struct {
	Name string // html, md, ipynb, json
	Ext  string // file extension with its dot
	// Write renders r to path, atomically. Formats that write companion
	// files (Markdown's plot folder) write them beside path.
	Write func(path string, r *Report, opt Options) error
}

// Options tune rendering.
type Options struct {
	FrontMatter string // Markdown: jekyll, hugo or none
}

var formats []Format

func registerFormat(f Format) { formats = append(formats, f) }

// Formats lists the output formats.
func Formats() []Format { return slices.Clone(formats) }

// LookupFormat finds a format by name or extension (with or without dot).
func LookupFormat(name string) (Format, bool) {
	name = strings.ToLower(strings.TrimPrefix(name, "."))
	if name == "markdown" {
		name = "md"
	}
	for _, f := range formats {
		if f.Name == name || strings.TrimPrefix(f.Ext, ".") == name {
			return f, true
		}
	}
	return Format{}, false
}

// FormatNames lists the names of the output formats.
func FormatNames() []string {
	var out []string
	for _, f := range formats {
		out = append(out, f.Name)
	}
	return out
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory and a rename, so a reader never sees a partial file.
func WriteFileAtomic(path string, data []byte) error {
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// writeAtomic is WriteFileAtomic for content written by write, which may
// stream it rather than hold it all in memory. If write fails, nothing is
// left at path.
func writeAtomic(path string, write func(io.Writer) error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	if err := write(tmp); err != nil {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(name, 0o644); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}

// LogSources is the number of sources read as logs: inputs found in a
// directory that are not access logs do not count.
func (r *Report) LogSources() int {
	n := 0
	for _, s := range r.Sources {
		if s.Skipped == "" {
			n++
		}
	}
	return n
}
