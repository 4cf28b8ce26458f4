package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Source is one input: a file, or standard input.
type Source struct {
	Name string // as shown in the report: the path, or "stdin"
	// Walked is true for files found by walking a directory; a walked file
	// in no recognised format is skipped with a note rather than an error.
	Walked bool
	open   func() (io.ReadCloser, error)
	// size, if set, returns the source's size in bytes as stored (before
	// decompression), or -1; Read uses it to size the frame up front.
	size func() int64
	// ident, if set, returns the source's Identity.
	ident func() (Identity, error)
}

// Open opens the source for reading. Compression is undone by content.
func (s Source) Open() (io.ReadCloser, error) { return s.open() }

// InputError is an argument, or an entry of a folder, that gave no source.
// Without Note it names nothing, or could not be listed, and fails the
// run; with Note it is a note that does not: a file reached twice and read
// once, a symbolic link loop or a link to nothing left out, a folder entry
// that is not a regular file.
type InputError struct {
	Path string // the argument or the entry, as named
	Note bool
	Err  error
}

func (e *InputError) Error() string { return e.Err.Error() }

func (e *InputError) Unwrap() error { return e.Err }

// Expand turns command-line arguments into sources: "-" is standard input,
// a directory is walked recursively in sorted order (following symbolic
// links, a loop refused), an existing file is itself, and anything else is
// a glob. A file reached more than once (a folder and a file in it, two
// globs, a link and its target) is one source, the first time. Arguments
// that name nothing are returned as errors, notes as *InputError with Note
// set; the others are still expanded.
func Expand(args []string, stdin io.Reader) ([]Source, []error) {
	e := &expander{files: map[string]string{}, dirs: map[string]string{}, walking: map[string]bool{}}
	for _, a := range args {
		if a == "-" {
			if e.stdin {
				e.note(a, errors.New("standard input is named more than once; read once"))
				continue
			}
			e.stdin = true
			e.out = append(e.out, Source{Name: "stdin", open: func() (io.ReadCloser, error) {
				return io.NopCloser(stdin), nil
			}})
			continue
		}
		st, err := os.Stat(a)
		switch {
		case err == nil && st.IsDir():
			e.dir(a)
		case err == nil:
			e.file(a, false)
		default:
			matches, gerr := filepath.Glob(a)
			matches = slices.DeleteFunc(matches, func(m string) bool { return hiddenByWildcard(a, m) })
			if gerr != nil || len(matches) == 0 {
				switch {
				case gerr != nil:
					err = fmt.Errorf("%s: %w", a, gerr)
				case errors.Is(err, fs.ErrNotExist) && strings.ContainsAny(a, "*?["):
					err = fmt.Errorf("%s: no files match", a)
				}
				e.errs = append(e.errs, &InputError{Path: a, Err: err})
				continue
			}
			slices.Sort(matches)
			for _, m := range matches {
				st, err := os.Stat(m)
				switch {
				case err != nil && !strings.ContainsAny(a, "*?["):
					// A link to nothing, or a loop, named as it is.
					e.errs = append(e.errs, &InputError{Path: a, Err: err})
				case err != nil:
					e.note(m, fmt.Errorf("%s: matches %s, which cannot be followed: %w", a, m, errors.Unwrap(err)))
				case st.IsDir():
					e.note(m, fmt.Errorf("%s: matches the folder %s, which a pattern does not walk; name the folder to read it", a, m))
				default:
					e.file(m, false)
				}
			}
		}
	}
	return e.out, e.errs
}

// expander is the state of one Expand: the files and folders reached so
// far, by their real path, with the name each was first reached by.
type expander struct {
	out     []Source
	errs    []error
	stdin   bool
	files   map[string]string
	dirs    map[string]string
	walking map[string]bool // the folders being walked: a link to one is a loop
}

func (e *expander) note(path string, err error) {
	e.errs = append(e.errs, &InputError{Path: path, Note: true, Err: err})
}

// realPath is the path with its symbolic links resolved, to tell when two
// names reach the same file; the absolute path when they cannot be.
func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		p = r
	}
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

// file adds the file at p as a source, unless it was reached before.
func (e *expander) file(p string, walked bool) {
	real := realPath(p)
	if first, ok := e.files[real]; ok {
		e.note(p, fmt.Errorf("%s: the same file as %s; read once", p, first))
		return
	}
	e.files[real] = p
	e.out = append(e.out, FileSource(p, walked))
}

// dir walks the folder at p in sorted order: hidden entries are left out,
// symbolic links followed (a link to a folder being walked is a loop, and
// not followed), a folder reached before is not walked again.
func (e *expander) dir(p string) {
	real := realPath(p)
	if e.walking[real] {
		e.note(p, fmt.Errorf("%s: a symbolic link to %s, a folder it is in (a loop); not followed", p, e.dirs[real]))
		return
	}
	if first, ok := e.dirs[real]; ok {
		e.note(p, fmt.Errorf("%s: the same folder as %s; read once", p, first))
		return
	}
	e.dirs[real] = p
	e.walking[real] = true
	defer delete(e.walking, real)
	entries, err := os.ReadDir(p)
	if err != nil {
		// The entries read before the error are still walked.
		e.errs = append(e.errs, &InputError{Path: p, Err: err})
	}
	for _, d := range entries {
		if strings.HasPrefix(d.Name(), ".") {
			continue
		}
		q := filepath.Join(p, d.Name())
		typ := d.Type()
		if typ&fs.ModeSymlink != 0 {
			st, err := os.Stat(q)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				e.note(q, fmt.Errorf("%s: a symbolic link to nothing; skipped", q))
				continue
			case err != nil:
				// A link to itself, or a chain too long: the error says so.
				e.note(q, fmt.Errorf("%s: not followed: %w", q, errors.Unwrap(err)))
				continue
			}
			typ = st.Mode().Type()
		}
		switch {
		case typ.IsDir():
			e.dir(q)
		case typ.IsRegular():
			e.file(q, true)
		default:
			e.note(q, fmt.Errorf("%s: not a regular file (%s); skipped", q, typ))
		}
	}
}

// hiddenByWildcard reports whether a wildcard of pattern matched a name
// starting with a dot, which a shell glob would not match and a directory
// walk skips: "logs/*" does not read "logs/.access.log.swp".
func hiddenByWildcard(pattern, match string) bool {
	pe := strings.Split(filepath.ToSlash(filepath.Clean(pattern)), "/")
	me := strings.Split(filepath.ToSlash(filepath.Clean(match)), "/")
	if len(pe) != len(me) {
		return false
	}
	for i, m := range me {
		if strings.HasPrefix(m, ".") && !strings.HasPrefix(pe[i], ".") && strings.ContainsAny(pe[i], "*?[") {
			return true
		}
	}
	return false
}

// TotalSize is the sum of the sources' sizes as stored, and whether every
// size is known (standard input's is not).
func TotalSize(sources []Source) (int64, bool) {
	var total int64
	for _, s := range sources {
		if s.size == nil {
			return 0, false
		}
		n := s.size()
		if n < 0 {
			return 0, false
		}
		total += n
	}
	return total, true
}

// FileSource returns the file at path as a source.
func FileSource(path string, walked bool) Source {
	return Source{Name: path, Walked: walked, open: func() (io.ReadCloser, error) { return os.Open(path) },
		ident: func() (Identity, error) { return FileIdentity(path) },
		size: func() int64 {
			if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
				return st.Size()
			}
			return -1
		}}
}

// ReaderSource returns a source that reads r once.
func ReaderSource(name string, r io.Reader) Source {
	return Source{Name: name, open: func() (io.ReadCloser, error) { return io.NopCloser(r), nil }}
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// decompressed wraps r in a decompressor when its first bytes are gzip's or
// zstd's magic. It returns the compression's name ("" for none), and pos,
// which tells how many bytes of r the data read so far came from (for a
// decompressor, up to what it holds buffered).
func decompressed(r io.Reader) (rd io.Reader, closeFn func(), comp string, pos func() int64, err error) {
	cr := &countingReader{r: r}
	br := bufio.NewReaderSize(cr, 256<<10)
	pos = func() int64 { return cr.n - int64(br.Buffered()) }
	rd, closeFn, comp, err = decompressor(br)
	return rd, closeFn, comp, pos, err
}

func decompressor(br *bufio.Reader) (io.Reader, func(), string, error) {
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, "gzip", err
		}
		return zr, func() { zr.Close() }, "gzip", nil
	case bytes.HasPrefix(head, zstdMagic):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, nil, "zstd", err
		}
		return zr, zr.Close, "zstd", nil
	}
	return br, func() {}, "", nil
}
