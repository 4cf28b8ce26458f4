package logbook

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/logbook/logbook/ingest"
	"github.com/logbook/logbook/report"
)

// Output is one file to write: a path ("-" for standard output) and an
// output format name (html, md, ipynb, json, csv).
type Output struct {
	Path   string
	Format string
}

// ParseOutputs decides which files to write from an -o value and a list of
// output format names, as the command line gives them:
//   - no -o writes logbook-report.EXT in the current directory, for each
//     format (HTML when none is given);
//   - -o FILE takes its format from the extension (or the one format
//     given, which must agree with a known extension);
//   - -o DIR (existing, or ending in a slash), or -o NAME without an
//     extension with several formats, writes DIR/report.EXT for each;
//   - -o - writes one format (JSON when none is given) to standard output.
//
// A log format name among the formats is an error that points to
// --log-format.
func ParseOutputs(out string, formats []string) ([]Output, error) {
	var names []string
	for _, name := range formats {
		of, ok := report.LookupFormat(name)
		if !ok {
			if ingest.LookupFormat(name) != nil {
				return nil, usagef("--format %s: %q is a log format; give it with --log-format %s (--format chooses outputs: %s)",
					name, name, name, strings.Join(report.FormatNames(), ", "))
			}
			return nil, usagef("--format: unknown output format %q (known: %s)", name, strings.Join(report.FormatNames(), ", "))
		}
		if !slices.Contains(names, of.Name) {
			names = append(names, of.Name)
		}
	}
	if out == "-" {
		if len(names) == 0 {
			names = []string{"json"}
		}
		if len(names) > 1 {
			return nil, usagef("-o -: standard output takes one output format")
		}
		return []Output{{Path: "-", Format: names[0]}}, nil
	}
	isDir := strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(os.PathSeparator))
	if st, err := os.Stat(out); out != "" && err == nil && st.IsDir() {
		isDir = true
	}
	if out != "" && !isDir && len(names) > 1 {
		if filepath.Ext(out) != "" {
			return nil, usagef("-o %s: several output formats need a directory", out)
		}
		isDir = true // -o out with several formats: a directory
	}
	if out != "" && !isDir {
		of, ok := report.LookupFormat(filepath.Ext(out))
		switch {
		case !ok && len(names) == 1:
			return []Output{{Path: out, Format: names[0]}}, nil
		case !ok:
			return nil, usagef("-o %s: cannot tell the output format from the extension (want .html, .md, .ipynb or .json, or --format)", out)
		case len(names) == 1 && names[0] != of.Name:
			return nil, usagef("-o %s: the extension says %s but --format says %s", out, of.Name, names[0])
		}
		return []Output{{Path: out, Format: of.Name}}, nil
	}
	if len(names) == 0 {
		names = []string{"html"}
	}
	dir, base := ".", "logbook-report"
	if out != "" {
		dir, base = out, "report"
	}
	var outs []Output
	for _, name := range names {
		of, _ := report.LookupFormat(name)
		outs = append(outs, Output{Path: filepath.Join(dir, base+of.Ext), Format: of.Name})
	}
	return outs, nil
}

// Write writes the report to the configured outputs, each file
// atomically, and calls wrote after each file (not for standard output).
// The JSON file, which draws no plots, is written while the other formats
// are rendered. It stops at the first output that cannot be written.
func (o *Outcome) Write(stdout io.Writer, wrote func(Output)) error {
	if o.Report == nil {
		return errors.New("no report to write")
	}
	outs := o.plan.outputs
	for _, out := range outs {
		if out.Path == "-" {
			continue
		}
		if dir := filepath.Dir(out.Path); dir != "." {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
		}
	}
	aside := func(out resolvedOutput) bool { return out.Path != "-" && out.format.Name == "json" && len(outs) > 1 }
	errs := make([]error, len(outs))
	var jsonDone sync.WaitGroup
	for i, out := range outs {
		if aside(out) {
			jsonDone.Add(1)
			go func() {
				defer jsonDone.Done()
				errs[i] = o.writeOne(out, stdout)
			}()
		}
	}
	defer jsonDone.Wait()
	for i, out := range outs {
		if aside(out) {
			jsonDone.Wait()
		} else {
			errs[i] = o.writeOne(out, stdout)
		}
		if errs[i] != nil {
			return fmt.Errorf("writing %s: %w", out.Path, errs[i])
		}
		if out.Path != "-" && wrote != nil {
			wrote(out.Output)
		}
	}
	return nil
}

func (o *Outcome) writeOne(out resolvedOutput, stdout io.Writer) error {
	if out.Path == "-" {
		// Validate refused the formats with companion files here.
		_, err := out.format.Render(stdout, o.Report, o.plan.opt)
		return err
	}
	return report.WriteFile(out.Path, out.format, o.Report, o.plan.opt)
}
