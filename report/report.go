package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
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
	// Selection is the time window and the filters the records were
	// chosen by; nil when every record read is in the report.
	Selection *Selection
	// Anonymized is how client addresses were anonymized: "truncate",
	// "hash", or "" when they were not.
	Anonymized string
	// Partial is the partial file the run made of its states, when one of
	// its outputs is a partial (the logbook package writes it).
	Partial []byte
}

// Selection says which of the records read the report covers.
type Selection struct {
	// From and Until bound the window, [From, Until); a zero bound is
	// open. Window says it in words, empty when there is no window.
	From, Until time.Time
	Window      string
	// Filters say what each filter keeps, in words.
	Filters []string
	// Read is the number of records read, Selected the number the report
	// covers; ReadFirst and ReadLast are the first and last records read.
	Read, Selected      int
	ReadFirst, ReadLast time.Time
}

// Coverage says where the records read leave part of the window
// uncovered (the logs begin after its start, or end before its end), or
// "": a week whose logs hold two days must not read as a quiet week.
func (s *Selection) Coverage(loc *time.Location) string {
	if s.Read == 0 {
		return ""
	}
	const layout = "2006-01-02 15:04"
	var parts []string
	if !s.From.IsZero() && s.ReadFirst.After(s.From.Add(time.Hour)) {
		parts = append(parts, "begin only at "+s.ReadFirst.In(loc).Format(layout))
	}
	if !s.Until.IsZero() && s.ReadLast.Before(s.Until.Add(-time.Hour)) && !s.ReadLast.Before(s.From) {
		parts = append(parts, "end at "+s.ReadLast.In(loc).Format(layout))
	}
	if len(parts) == 0 {
		return ""
	}
	return "the logs read " + strings.Join(parts, " and ") + ", inside the window"
}

// Describe is the selection in one phrase: the window, then the filters.
func (s *Selection) Describe() string {
	var parts []string
	if s.Window != "" {
		parts = append(parts, "window "+s.Window)
	}
	parts = append(parts, s.Filters...)
	return strings.Join(parts, "; ")
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
	Name string // html, md, ipynb, json, csv
	Ext  string // file extension with its dot
	// Render writes r to w and returns the files that go beside it
	// (Markdown's plots, in opt.FilesDir), for the caller to write.
	// WriteFile writes a format to a file with its companion files.
	Render func(w io.Writer, r *Report, opt Options) ([]CompanionFile, error)
	// Companions reports whether Render may return companion files; if
	// so, WriteFile removes the plot files a previous run left in
	// Options.FilesDir and this one did not write.
	Companions bool
	// Site reports whether the format is a static site's page, which
	// honours Options.AssetsDir and BaseURL and is placed by SitePath and
	// SiteOptions (Markdown); other formats keep their companion files
	// in FilesDir.
	Site bool
}

// Options tune rendering.
type Options struct {
	FrontMatter string // Markdown: jekyll, hugo or none
	// FilesDir is the folder beside the report that holds its companion
	// files, as the report links them: a slash-separated path relative
	// to the report's directory. WriteFile makes it FilesDir(path) when
	// empty; Render then uses report_files.
	FilesDir string
	// AssetsDir, when set, is where the companion files go instead: a
	// folder anywhere (relative to the current directory, or absolute),
	// such as a static site's assets folder. The page links them at
	// BaseURL, or by the relative path from the report's folder.
	AssetsDir string
	// BaseURL, when set, is the URL of the folder the page links its
	// companion files at: /assets/weekly, or https://example.com/x.
	BaseURL string
	// SiteRoot says that BaseURL is a path from a Jekyll site's root,
	// which the page then links through Liquid's relative_url filter, so
	// that a site served under a baseurl (a GitHub project page) finds
	// the plots too. SiteOptions sets it for a post in _posts.
	SiteRoot bool
	// datedName: the report is a Jekyll post whose file name gives its
	// date, which a date in the front matter would override (and with
	// it the post's URL).
	datedName bool
	// Dir is the folder the report is written in (Prepare sets it), so
	// that a notebook can name its sources relative to itself.
	Dir string
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
// For a format with Companions, plot and table files a previous run left
// in the companion folder and this one did not write are removed.
func WriteFile(path string, f Format, r *Report, opt Options) error {
	return WriteFileContext(context.Background(), path, f, r, opt)
}

// WriteFileContext is WriteFile that stops when ctx is cancelled: the
// write in progress is abandoned, its temporary files are removed, and
// whatever was at path (and in its companion folder) is left as it was.
func WriteFileContext(ctx context.Context, path string, f Format, r *Report, opt Options) error {
	p, err := Prepare(ctx, path, f, r, opt)
	if err != nil {
		return err
	}
	return p.Commit()
}

// Pending is a report rendered into temporary files beside its path, with
// its companion files, not yet in place: Commit puts them there, Discard
// removes them. Nothing at the report's path or in its companion folder
// changes before Commit.
//
// The files are created with mode 0666 less the umask, or, when the report
// or a companion file exists, with that file's permissions less the umask:
// never wider than the file they replace.
type Pending struct {
	path    string
	tmp     *tempFile
	files   []*tempFile // companion files, in the order rendered
	dirs    []string    // folders made for the companion files, deepest last
	stale   []string    // globs of the previous run's plot and table files, when f has Companions
	settled bool
}

// Prepare renders r in format f into a temporary file beside path, and
// its companion files into temporary files beside theirs. It checks ctx as
// it writes; on cancellation or any error it removes what it made and
// returns the error.
func Prepare(ctx context.Context, path string, f Format, r *Report, opt Options) (p *Pending, err error) {
	if opt.FilesDir == "" {
		opt.FilesDir = FilesDir(path)
	}
	if !f.Site {
		opt.AssetsDir, opt.BaseURL, opt.SiteRoot = "", "", false
	} else if opt, err = SiteOptions(path, opt); err != nil {
		return nil, err
	}
	if opt.Dir == "" {
		opt.Dir = filepath.Dir(path)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	dir := filepath.Dir(path)
	p = &Pending{path: path}
	defer func() {
		if err != nil {
			p.Discard()
			p = nil
		}
	}()
	if p.tmp, err = createTemp(path); err != nil {
		return p, err
	}
	files, err := f.Render(&ctxWriter{ctx: ctx, w: p.tmp.f}, r, opt)
	if err == nil {
		err = ctx.Err()
	}
	if err != nil {
		return p, fmt.Errorf("writing %s: %w", path, err)
	}
	if err := p.tmp.finish(); err != nil {
		return p, fmt.Errorf("writing %s: %w", path, err)
	}
	for _, cf := range files {
		name := filepath.FromSlash(cf.Name)
		if !filepath.IsLocal(name) {
			return p, fmt.Errorf("companion file %q is not inside the report's directory", cf.Name)
		}
		if err := ctx.Err(); err != nil {
			return p, err
		}
		cp := filepath.Join(dir, name)
		if rest, ok := strings.CutPrefix(cf.Name, opt.FilesDir+"/"); ok && opt.AssetsDir != "" {
			cp = filepath.Join(opt.AssetsDir, filepath.FromSlash(rest))
		}
		if err := p.mkdirs(filepath.Dir(cp)); err != nil {
			return p, err
		}
		t, err := createTemp(cp)
		if err != nil {
			return p, err
		}
		p.files = append(p.files, t)
		if _, err := t.f.Write(cf.Data); err != nil {
			return p, fmt.Errorf("writing %s: %w", cp, err)
		}
		if err := t.finish(); err != nil {
			return p, fmt.Errorf("writing %s: %w", cp, err)
		}
	}
	if f.Companions {
		files := CompanionDir(path, opt)
		p.stale = []string{filepath.Join(files, plotFilePrefix+"*.svg"), filepath.Join(files, tableFilePrefix+"*.csv")}
	}
	return p, nil
}

// mkdirs makes dir and the folders above it that are missing, and notes
// the ones it made, for Discard.
func (p *Pending) mkdirs(dir string) error {
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := p.mkdirs(parent); err != nil {
			return err
		}
	}
	if err := os.Mkdir(dir, 0o777); err != nil {
		if errors.Is(err, fs.ErrExist) {
			if st, serr := os.Stat(dir); serr == nil && st.IsDir() {
				return nil
			}
		}
		return err
	}
	p.dirs = append(p.dirs, dir)
	temps.add(dir)
	return nil
}

// Commit renames the companion files into place, then the report, and
// syncs their folders, so that the report never links to a file that is
// not there yet and survives a crash once Commit returns. Plot and table
// files a previous run left in the companion folder and this one did not
// write are removed.
func (p *Pending) Commit() error {
	if p.settled {
		return errors.New("report: Commit of a settled write")
	}
	written := map[string]bool{}
	syncDirs := map[string]bool{}
	for _, t := range append(p.files, p.tmp) {
		if err := t.rename(); err != nil {
			p.Discard()
			return err
		}
		written[t.path] = true
		syncDirs[filepath.Dir(t.path)] = true
	}
	p.settled = true
	for _, d := range p.dirs {
		temps.remove(d)
		syncDirs[filepath.Dir(d)] = true
	}
	var err error
	for d := range syncDirs {
		err = errors.Join(err, syncDir(d))
	}
	for _, glob := range p.stale {
		old, _ := filepath.Glob(glob)
		for _, f := range old {
			if !written[f] {
				os.Remove(f)
			}
		}
	}
	return err
}

// Discard removes the temporary files and the folders Prepare made; the
// files that were in place stay as they were. It is a no-op after Commit.
func (p *Pending) Discard() {
	if p == nil || p.settled {
		return
	}
	p.settled = true
	for _, t := range append(p.files, p.tmp) {
		t.discard()
	}
	for i := len(p.dirs) - 1; i >= 0; i-- {
		os.Remove(p.dirs[i]) // only if empty: it may have gained files of another writer
		temps.remove(p.dirs[i])
	}
}

// ctxWriter fails its writes once ctx is cancelled, so that a renderer
// stops at its next write.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c *ctxWriter) Write(b []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.w.Write(b)
}

// tempFile is a file being written beside its destination, path.
type tempFile struct {
	path string
	name string // the temporary file's path
	f    *os.File
	done bool // renamed or removed
}

// createTemp creates a temporary file beside path, with the mode of the
// file at path if there is one, else 0666, the umask applied by the
// system. It is registered for RemoveTemporary until it is renamed or
// removed.
func createTemp(path string) (*tempFile, error) {
	perm := fs.FileMode(0o666)
	if st, err := os.Stat(path); err == nil {
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("%s exists and is not a regular file", path)
		}
		perm = st.Mode().Perm()
	}
	dir, base := filepath.Split(path)
	for range 100 {
		name := filepath.Join(dir, "."+base+".tmp"+strconv.FormatUint(uint64(rand.Uint32()), 36))
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		t := &tempFile{path: path, name: name, f: f}
		temps.add(name)
		return t, nil
	}
	return nil, fmt.Errorf("writing %s: cannot create a temporary file beside it", path)
}

// finish flushes the file to the disk and closes it.
func (t *tempFile) finish() error {
	if err := t.f.Sync(); err != nil {
		return err
	}
	return t.f.Close()
}

// rename puts the finished file in place: the folder is synced before the
// rename (the temporary file's entry) and, by Commit, after it.
func (t *tempFile) rename() error {
	if err := syncDir(filepath.Dir(t.name)); err != nil {
		return err
	}
	if err := os.Rename(t.name, t.path); err != nil {
		return err
	}
	t.done = true
	temps.remove(t.name)
	return nil
}

func (t *tempFile) discard() {
	if t == nil || t.done {
		return
	}
	t.f.Close()
	os.Remove(t.name)
	t.done = true
	temps.remove(t.name)
}

// syncDir flushes a folder's entries to the disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, errors.ErrUnsupported) {
		return nil // a file system that cannot sync a folder
	}
	return err
}

// tempSet is the temporary files and folders being written, for
// RemoveTemporary.
type tempSet struct {
	mu    sync.Mutex
	names map[string]bool
}

var temps = &tempSet{names: map[string]bool{}}

func (s *tempSet) add(name string) {
	s.mu.Lock()
	s.names[name] = true
	s.mu.Unlock()
}

func (s *tempSet) remove(name string) {
	s.mu.Lock()
	delete(s.names, name)
	s.mu.Unlock()
}

// RemoveTemporary removes the temporary files (and the companion folders
// made for them) of the writes in progress, for a program that must exit
// at once, on a second interrupt, without waiting for them to stop.
func RemoveTemporary() {
	temps.mu.Lock()
	defer temps.mu.Unlock()
	var dirs []string
	for name := range temps.names {
		if st, err := os.Lstat(name); err == nil && st.IsDir() {
			dirs = append(dirs, name)
			continue
		}
		os.Remove(name)
	}
	slices.SortFunc(dirs, func(a, b string) int { return len(b) - len(a) }) // deepest first
	for _, d := range dirs {
		os.Remove(d)
	}
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
// directory and a rename, so a reader never sees a partial file. The mode
// is as for Pending.
func WriteFileAtomic(path string, data []byte) error {
	t, err := createTemp(path)
	if err != nil {
		return err
	}
	if _, err := t.f.Write(data); err != nil {
		t.discard()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := t.finish(); err != nil {
		t.discard()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := t.rename(); err != nil {
		t.discard()
		return err
	}
	return syncDir(filepath.Dir(path))
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

// CompanionDir is the folder a report at path puts its companion files
// in, with opt as SiteOptions completes it: opt.AssetsDir when set, else
// opt.FilesDir (FilesDir(path) when empty) beside the report.
func CompanionDir(path string, opt Options) string {
	if opt.AssetsDir != "" {
		return opt.AssetsDir
	}
	if opt.FilesDir == "" {
		opt.FilesDir = FilesDir(path)
	}
	return filepath.Join(filepath.Dir(path), filepath.FromSlash(opt.FilesDir))
}

// SiteOptions completes opt for a Markdown report written to path, for
// the static site it is in:
//   - a Jekyll post (front matter jekyll, path in a folder named _posts)
//     with no AssetsDir puts its plots in the site's assets/NAME folder,
//     the site root being the parent of _posts (Jekyll does not publish
//     folders inside _posts), and with no BaseURL either links them from
//     the site's root, /assets/NAME/plot-x.svg, through relative_url,
//     which adds the site's baseurl: that holds whatever URL the date in
//     the name and the permalink style give the post;
//   - an AssetsDir with no BaseURL is linked by its path relative to the
//     report's folder, or for a post, from the site's root through
//     relative_url (it must then be inside the site).
//
// A Hugo page is made a page bundle by SitePath instead.
func SiteOptions(path string, opt Options) (Options, error) {
	stem := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	post := opt.FrontMatter == "jekyll" && filepath.Base(filepath.Dir(path)) == "_posts"
	if post {
		// Jekyll publishes only the posts named YYYY-MM-DD-TITLE.
		dated := len(stem) > 11 && stem[10] == '-'
		if dated {
			_, err := time.Parse("2006-01-02", stem[:10])
			dated = err == nil
		}
		if !dated {
			return opt, errors.New("Jekyll publishes a post only if its name begins with its date, as 2025-06-09-weekly.md")
		}
		opt.datedName = true
	}
	if post && opt.AssetsDir == "" {
		opt.AssetsDir = filepath.Join(filepath.Dir(filepath.Dir(path)), "assets", stem)
		if opt.BaseURL == "" {
			opt.BaseURL = "/assets/" + url.PathEscape(stem)
			opt.SiteRoot = true
		}
	}
	if opt.AssetsDir == "" || opt.BaseURL != "" {
		return opt, nil
	}
	// The link from the post's URL is unknown; from the site's root, or
	// from the report's folder, it is the path there.
	from := filepath.Dir(path)
	if post {
		from = filepath.Dir(from)
	}
	rel, err := relPath(from, opt.AssetsDir)
	if err != nil {
		return opt, fmt.Errorf("assets folder %s: %w", opt.AssetsDir, err)
	}
	if post {
		if !filepath.IsLocal(rel) {
			return opt, fmt.Errorf("assets folder %s: a Jekyll post's plots must be inside the site (%s), or linked at a base URL", opt.AssetsDir, from)
		}
		rel, opt.SiteRoot = "/"+rel, true
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	for i, part := range parts {
		parts[i] = url.PathEscape(part)
	}
	opt.BaseURL = strings.Join(parts, "/")
	return opt, nil
}

// relPath is the path from the folder from to the folder to.
func relPath(from, to string) (string, error) {
	from, err := filepath.Abs(from)
	if err != nil {
		return "", err
	}
	if to, err = filepath.Abs(to); err != nil {
		return "", err
	}
	return filepath.Rel(from, to)
}

// SitePath is where a Markdown report asked for at path is written: with
// Hugo front matter, a page bundle, NAME/index.md for NAME.md (index.md
// and _index.md stay), so that Hugo publishes its plots, which go beside
// it in index_files, with the page; else path itself.
func SitePath(path, frontMatter string) string {
	base := filepath.Base(path)
	if frontMatter != "hugo" || base == "index.md" || base == "_index.md" || path == "-" {
		return path
	}
	return filepath.Join(filepath.Dir(path), strings.TrimSuffix(base, filepath.Ext(base)), "index.md")
}
