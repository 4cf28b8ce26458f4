package logbook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

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
		of, ok := lookupOutputFormat(name)
		if !ok {
			if ingest.LookupFormat(name) != nil {
				return nil, usagef("--format %s: %q is a log format; give it with --log-format %s (--format chooses outputs: %s)",
					name, name, name, strings.Join(report.FormatNames(), ", "))
			}
			return nil, usagef("--format: unknown output format %q (known: %s)", name, strings.Join(outputFormatNames(), ", "))
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
		of, ok := lookupOutputFormat(filepath.Ext(out))
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
		of, _ := lookupOutputFormat(name)
		outs = append(outs, Output{Path: filepath.Join(dir, base+of.Ext), Format: of.Name})
	}
	return outs, nil
}

// Write writes the report to the configured outputs, and calls wrote
// after each file is in place (not for standard output). It is
// WriteContext with a context that is never cancelled.
func (o *Outcome) Write(stdout io.Writer, wrote func(Output)) error {
	return o.WriteContext(context.Background(), stdout, nil, wrote)
}

// WriteContext writes the report to the configured outputs: each file is
// rendered into a temporary file beside it, with its companion files, and
// only once every output is rendered are they renamed into place, so that
// a failure or a cancellation of ctx leaves every previous report as it
// was and no temporary file behind. The JSON file, which draws no plots,
// is rendered while the other formats are. rendered, if set, is called as
// each output is rendered (standard output included); wrote, if set, as
// each file is put in place.
func (o *Outcome) WriteContext(ctx context.Context, stdout io.Writer, rendered, wrote func(Output)) (err error) {
	if o.Report == nil {
		return errors.New("no report to write")
	}
	outs := o.plan.outputs
	// The folders the outputs go in are made first; those made here are
	// removed again if the write does not complete (when still empty).
	var made []string
	defer func() {
		if err != nil {
			for i := len(made) - 1; i >= 0; i-- {
				os.Remove(made[i])
			}
		}
	}()
	for _, out := range outs {
		if out.Path == "-" {
			continue
		}
		if err := mkdirs(filepath.Dir(out.Path), &made); err != nil {
			return fmt.Errorf("writing %s: %w", out.Path, err)
		}
	}
	aside := func(out resolvedOutput) bool { return out.Path != "-" && out.format.Name == "json" && len(outs) > 1 }
	errs := make([]error, len(outs))
	pending := make([]*report.Pending, len(outs))
	defer func() {
		for _, p := range pending {
			p.Discard() // a no-op for the committed ones
		}
	}()
	var jsonDone sync.WaitGroup
	for i, out := range outs {
		if aside(out) {
			jsonDone.Add(1)
			go func() {
				defer jsonDone.Done()
				pending[i], errs[i] = o.prepare(ctx, out, stdout)
			}()
		}
	}
	defer jsonDone.Wait()
	for i, out := range outs {
		if aside(out) {
			jsonDone.Wait()
		} else {
			pending[i], errs[i] = o.prepare(ctx, out, stdout)
		}
		if errs[i] == nil {
			errs[i] = ctx.Err()
		}
		if errs[i] != nil {
			jsonDone.Wait()
			return fmt.Errorf("writing %s: %w", out.Path, errs[i])
		}
		if rendered != nil {
			rendered(out.Output)
		}
	}
	// Past this point the outputs go into place, each with one rename;
	// a cancellation before it leaves them all as they were.
	if err := ctx.Err(); err != nil {
		return err
	}
	for i, out := range outs {
		if pending[i] == nil {
			continue
		}
		if err := pending[i].Commit(); err != nil {
			return fmt.Errorf("writing %s: %w", out.Path, err)
		}
		if wrote != nil {
			wrote(out.Output)
		}
	}
	return nil
}

// prepare renders one output: to standard output at once, or into
// temporary files for Commit.
func (o *Outcome) prepare(ctx context.Context, out resolvedOutput, stdout io.Writer) (*report.Pending, error) {
	if out.Path == "-" {
		// Validate refused the formats with companion files here.
		_, err := out.format.Render(stdout, o.Report, o.plan.opt)
		return nil, err
	}
	return report.Prepare(ctx, out.Path, out.format, o.Report, o.plan.opt)
}

// mkdirs makes dir and the folders above it that are missing, and appends
// the ones it made to made, outermost first.
func mkdirs(dir string, made *[]string) error {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return fmt.Errorf("%s is not a folder", dir)
		}
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := mkdirs(parent, made); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o777); err != nil {
		if st, serr := os.Stat(dir); serr == nil && st.IsDir() {
			return nil // made meanwhile by another
		}
		return err
	}
	*made = append(*made, dir)
	return nil
}

// checkOutputs checks, before anything is read, that every output can be
// written: its folder is a folder (or can be made in the nearest one that
// exists) and takes new files, the path is not a folder, and a companion
// folder is not a file. A path that cannot be a file is a *UsageError.
func checkOutputs(outs []resolvedOutput, opt report.Options) error {
	probed := map[string]error{}
	for _, out := range outs {
		if out.Path == "-" {
			continue
		}
		if st, err := os.Stat(out.Path); err == nil && !st.Mode().IsRegular() {
			return usagef("output %s: exists and is not a regular file", out.Path)
		}
		if out.format.Companions {
			opt := opt
			if !out.format.Site {
				opt.AssetsDir = ""
			} else if sopt, err := report.SiteOptions(out.Path, opt); err != nil {
				return usagef("output %s: %v", out.Path, err)
			} else {
				opt = sopt
			}
			files := report.CompanionDir(out.Path, opt)
			if st, err := os.Stat(files); err == nil && !st.IsDir() {
				return usagef("output %s: its plots go in %s, which is a file", out.Path, files)
			}
		}
		// The nearest folder that exists: the report's, or the one the
		// missing folders will be made in.
		dir := filepath.Dir(out.Path)
		for {
			st, err := os.Stat(dir)
			if err == nil {
				if !st.IsDir() {
					return usagef("output %s: %s is not a folder", out.Path, dir)
				}
				break
			}
			if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
				return fmt.Errorf("output %s: %w", out.Path, err)
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				return fmt.Errorf("output %s: %w", out.Path, err)
			}
			dir = parent
		}
		if _, done := probed[dir]; !done {
			probed[dir] = probeWritable(dir)
		}
		if err := probed[dir]; err != nil {
			return fmt.Errorf("output %s: cannot write in %s: %w", out.Path, dir, err)
		}
	}
	return nil
}

// probeWritable creates and removes a file in dir: the one test of
// writability that permissions, ACLs and read-only mounts all answer.
func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".logbook-probe*")
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return pe.Err
		}
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}
