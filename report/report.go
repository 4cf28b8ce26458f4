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

// A Format renders a report.
type Format struct {
	Name string // html, md, ipynb, json
	Ext  string // file extension with its dot
	// Render writes r to w and returns the files that go beside it
	// (Markdown's plots, in opt.FilesDir), for the caller to write.
	// WriteFile writes a format to a file with its companion files.
	Render func(w io.Writer, r *Report, opt Options) ([]CompanionFile, error)
	// Companions reports whether Render may return companion files; if
	// so, WriteFile removes the plot files a previous run left in
	// Options.FilesDir and this one did not write.
	Companions bool
}

// Options tune rendering.
type Options struct {
	FrontMatter string // Markdown: jekyll, hugo or none
	// FilesDir is the folder beside the report that holds its companion
	// files, as the report links them: a slash-separated path relative
	// to the report's directory. WriteFile makes it FilesDir(path) when
	// empty; Render then uses report_files.
	FilesDir string
}

// CompanionFile is a file that goes beside a report.
type CompanionFile struct {
	Name string // slash-separated, relative to the report's directory
	Data []byte
}

// FilesDir is the folder beside a report that holds its companion files:
// report_files for report.md.
func FilesDir(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base)) + "_files"
}

// defaultFilesDir is the companion folder of a report rendered with no
// Options.FilesDir: FilesDir("report.md").
const defaultFilesDir = "report_files"

// WriteFile renders r in format f to path, atomically, and its companion
// files beside it: the companion files first, each atomically, then the
// report, so that a report never links to a file that is not there yet.
// For a format with Companions, plot files a previous run left in the
// companion folder and this one did not write are removed.
func WriteFile(path string, f Format, r *Report, opt Options) error {
	if opt.FilesDir == "" {
		opt.FilesDir = FilesDir(path)
	}
	dir := filepath.Dir(path)
	written := map[string]bool{}
	// The report goes to a temporary file, renamed once this returns,
	// and the companion files go into place before that.
	err := writeAtomic(path, func(w io.Writer) error {
		files, err := f.Render(w, r, opt)
		if err != nil {
			return err
		}
		for _, cf := range files {
			name := filepath.FromSlash(cf.Name)
			if !filepath.IsLocal(name) {
				return fmt.Errorf("companion file %q is not inside the report's directory", cf.Name)
			}
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := WriteFileAtomic(p, cf.Data); err != nil {
				return err
			}
			written[p] = true
		}
		return nil
	})
	if err != nil || !f.Companions {
		return err
	}
	old, _ := filepath.Glob(filepath.Join(dir, filepath.FromSlash(opt.FilesDir), plotFilePrefix+"*.svg"))
	for _, p := range old {
		if !written[p] {
			os.Remove(p)
		}
	}
	return nil
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
// directory that are not access logs, inputs not read (not found, or
// reached before), empty ones (with a note) and ones that could not be
// opened do not count.
func (r *Report) LogSources() int {
	n := 0
	for _, s := range r.Sources {
		if s.Skipped == "" && !s.Unread && s.Note == "" && (s.Err == "" || s.Lines > 0) {
			n++
		}
	}
	return n
}
