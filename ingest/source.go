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
}

// Open opens the source for reading. Compression is undone by content.
func (s Source) Open() (io.ReadCloser, error) { return s.open() }

// Expand turns command-line arguments into sources: "-" is standard input,
// a directory is walked recursively in sorted order, an existing file is
// itself, and anything else is a glob. Arguments that name nothing are
// returned as errors; the others are still expanded.
func Expand(args []string, stdin io.Reader) ([]Source, []error) {
	var out []Source
	var errs []error
	for _, a := range args {
		if a == "-" {
			out = append(out, Source{Name: "stdin", open: func() (io.ReadCloser, error) {
				return io.NopCloser(stdin), nil
			}})
			continue
		}
		st, err := os.Stat(a)
		switch {
		case err == nil && st.IsDir():
			werr := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
				if err != nil {
					errs = append(errs, err)
					if d != nil && d.IsDir() {
						return fs.SkipDir
					}
					return nil
				}
				if strings.HasPrefix(d.Name(), ".") && p != a {
					if d.IsDir() {
						return fs.SkipDir
					}
					return nil
				}
				if d.Type().IsRegular() {
					out = append(out, FileSource(p, true))
				}
				return nil
			})
			if werr != nil {
				errs = append(errs, werr)
			}
		case err == nil:
			out = append(out, FileSource(a, false))
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
				errs = append(errs, err)
				continue
			}
			slices.Sort(matches)
			for _, m := range matches {
				if st, err := os.Stat(m); err == nil && !st.IsDir() {
					out = append(out, FileSource(m, false))
				}
			}
		}
	}
	return out, errs
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

// FileSource returns the file at path as a source.
func FileSource(path string, walked bool) Source {
	return Source{Name: path, Walked: walked, open: func() (io.ReadCloser, error) { return os.Open(path) },
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
