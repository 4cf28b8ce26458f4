package ingest

import (
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
)

// Identity names the bytes of a source, for a partial to record which
// inputs it covers and for a later run to know them again: a file by its
// absolute path, its size and the CRC-32C of its bytes as stored; an S3
// object by its URL, its size and its ETag. Two identities are the same
// input when they are equal. Standard input and SQL queries have none.
type Identity struct {
	Name     string // absolute path, or s3://bucket/key
	Size     int64
	Checksum string // "crc32c:89abcdef", or "etag:..." for an S3 object
}

// Identity returns the source's identity, or ok false when it has none.
func (s Source) Identity() (id Identity, ok bool, err error) {
	if s.ident == nil {
		return Identity{}, false, nil
	}
	id, err = s.ident()
	return id, err == nil, err
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// FileIdentity is the identity of the file at path.
func FileIdentity(path string) (Identity, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Identity{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Identity{}, err
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	n, err := io.Copy(h, f)
	if err != nil {
		return Identity{}, fmt.Errorf("%s: %w", path, err)
	}
	return Identity{Name: abs, Size: n, Checksum: fmt.Sprintf("crc32c:%08x", h.Sum32())}, nil
}
