package ingest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/klauspost/compress/gzip"
	"github.com/logbook/logbook/frame"
)

// fakeS3 is an S3 protocol server on loopback (gofakes3, in memory) that
// counts the listing requests and the most object downloads at once.
type fakeS3 struct {
	backend *s3mem.Backend
	url     string
	mu      sync.Mutex
	lists   int
	gets    int
	active  int
	most    int
}

func newFakeS3(t *testing.T) *fakeS3 {
	t.Helper()
	f := &fakeS3{backend: s3mem.New()}
	h := gofakes3.New(f.backend).Server()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		isGet := r.Method == http.MethodGet && strings.Count(strings.Trim(r.URL.Path, "/"), "/") >= 1
		f.mu.Lock()
		if r.URL.Query().Get("list-type") == "2" {
			f.lists++
		}
		if isGet {
			f.gets++
			f.active++
			f.most = max(f.most, f.active)
		}
		f.mu.Unlock()
		h.ServeHTTP(w, r)
		if isGet {
			f.mu.Lock()
			f.active--
			f.mu.Unlock()
		}
	}))
	t.Cleanup(srv.Close)
	f.url = srv.URL
	// The standard chain, from the environment only: no shared files, no
	// instance metadata.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	return f
}

func (f *fakeS3) put(t *testing.T, bucket, key string, data []byte) {
	t.Helper()
	if _, err := f.backend.PutObject(bucket, key, map[string]string{}, bytes.NewReader(data), int64(len(data)), nil); err != nil {
		t.Fatal(err)
	}
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestS3ReadsEveryObject lists (in pages of 100) and reads 1,200 gzipped
// objects, CloudFront and combined, and one corrupt object: every record of
// the good ones arrives, the bad one is reported by name, and no more than
// the bound of downloads are in flight.
func TestS3ReadsEveryObject(t *testing.T) {
	f := newFakeS3(t)
	if err := f.backend.CreateBucket("logs"); err != nil {
		t.Fatal(err)
	}
	var want []string
	start := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	for i := range 650 {
		h := start.Add(time.Duration(i) * time.Hour)
		var b strings.Builder
		b.WriteString("#Version: 1.0\n" + cfFields33 + "\n")
		for j := range 2 {
			stem := fmt.Sprintf("/cf/%d/%d", i, j)
			want = append(want, stem)
			b.WriteString(cf33(map[int]string{0: h.Format("2006-01-02"), 1: h.Format("15:04:05"), 7: stem}) + "\n")
		}
		f.put(t, "logs", fmt.Sprintf("cf/E2TEST.%s.%08x.gz", h.Format("2006-01-02-15"), i), gz(t, []byte(b.String())))
	}
	for i := range 550 {
		var b strings.Builder
		for j := range 3 {
			stem := fmt.Sprintf("/web/%d/%d", i, j)
			want = append(want, stem)
			fmt.Fprintf(&b, "192.0.2.%d - - [04/Mar/2024:10:%02d:%02d +0000] \"GET %s HTTP/1.1\" 200 512 \"-\" \"curl/8.0\"\n", j, i%60, j, stem)
		}
		f.put(t, "logs", fmt.Sprintf("web/access-%04d.log.gz", i), gz(t, []byte(b.String())))
	}
	bad := gz(t, []byte("192.0.2.9 - - [04/Mar/2024:10:00:00 +0000] \"GET /bad HTTP/1.1\" 200 1 \"-\" \"x\"\n"))
	bad = bad[:len(bad)/2] // a gzip stream cut short
	f.put(t, "logs", "web/broken.log.gz", bad)
	f.put(t, "logs", "other/not-listed.log", []byte("nothing here is read\n"))

	ctx := context.Background()
	client, err := NewS3Client(ctx, f.url)
	if err != nil {
		t.Fatal(err)
	}
	const inFlight = 3
	l, errs := ExpandS3(ctx, client, []string{"s3://logs/cf/", "s3://logs/web/*.gz"}, S3Options{PageSize: 100, InFlight: inFlight})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if l.Objects != 1201 || len(l.Sources) != 1201 || l.Skipped != 0 {
		t.Fatalf("listed %d objects, %d sources, %d skipped; want 1201, 1201, 0", l.Objects, len(l.Sources), l.Skipped)
	}
	if f.lists < 13 {
		t.Errorf("%d listing requests for 1,201 objects in pages of 100; want at least 13", f.lists)
	}
	res := readAll(t, l.Sources, Options{Workers: inFlight})
	stems := column(res.Frame, frame.Stem)
	slices.Sort(stems)
	slices.Sort(want)
	if !slices.Equal(stems, want) {
		t.Errorf("read %d records, want %d (every record of the good objects)", len(stems), len(want))
	}
	failed := res.Failed()
	if len(failed) != 1 || failed[0].Name != "s3://logs/web/broken.log.gz" || !strings.Contains(failed[0].Err.Error(), "s3://logs/web/broken.log.gz: truncated gzip data") {
		t.Errorf("failed sources %v; want the broken object, truncated gzip", failed)
	}
	for _, s := range res.Sources {
		if s.Compression != "gzip" && s.Name != "s3://logs/web/broken.log.gz" {
			t.Errorf("%s: compression %q, want gzip", s.Name, s.Compression)
			break
		}
	}
	if f.most > inFlight {
		t.Errorf("%d downloads at once, want at most %d", f.most, inFlight)
	}
}

// TestS3Bounded shows that a source's open waits for a free slot: with
// three bodies open, a fourth open sends no request and gives up when the
// context ends.
func TestS3Bounded(t *testing.T) {
	f := newFakeS3(t)
	f.backend.CreateBucket("b")
	for i := range 4 {
		f.put(t, "b", fmt.Sprintf("k%d", i), numberedCombined(3))
	}
	ctx, cancel := context.WithCancel(context.Background())
	client, err := NewS3Client(ctx, f.url)
	if err != nil {
		t.Fatal(err)
	}
	l, errs := ExpandS3(ctx, client, []string{"s3://b/"}, S3Options{InFlight: 3})
	if len(errs) > 0 || len(l.Sources) != 4 {
		t.Fatal(errs, len(l.Sources))
	}
	for _, s := range l.Sources[:3] {
		rc, err := s.Open()
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
	}
	cancel()
	if _, err := l.Sources[3].Open(); err == nil || !strings.Contains(err.Error(), "s3://b/k3: context canceled") {
		t.Errorf("fourth open: %v, want it to wait and end with the context", err)
	}
	if f.gets != 3 {
		t.Errorf("%d downloads started, want 3", f.gets)
	}
}

// TestS3Errors: a missing bucket and a prefix with nothing under it are
// errors naming the input; the other inputs are still listed.
func TestS3Errors(t *testing.T) {
	f := newFakeS3(t)
	f.backend.CreateBucket("b")
	f.put(t, "b", "x/a.log", numberedCombined(2))
	ctx := context.Background()
	client, err := NewS3Client(ctx, f.url)
	if err != nil {
		t.Fatal(err)
	}
	l, errs := ExpandS3(ctx, client, []string{"s3://nope/logs/", "s3://b/y/", "s3://b/x/", "s3:///k"}, S3Options{})
	if len(l.Sources) != 1 || l.Sources[0].Name != "s3://b/x/a.log" {
		t.Errorf("sources %v, want s3://b/x/a.log", l.Sources)
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Error())
	}
	if len(msgs) != 3 || !strings.HasPrefix(msgs[0], "s3://nope/logs/: listing: NoSuchBucket") ||
		msgs[1] != "s3://b/y/: no objects match" || !strings.HasPrefix(msgs[2], "s3:///k: no bucket") {
		t.Errorf("errors:\n%s", strings.Join(msgs, "\n"))
	}
}

// TestS3Window: objects dated by their names wholly outside the window are
// counted and not downloaded; CloudFront files of the next 24 hours, which
// may hold late entries, are kept.
func TestS3Window(t *testing.T) {
	f := newFakeS3(t)
	f.backend.CreateBucket("b")
	keys := []string{
		"cf/E2TEST.2024-03-01-23.aaaa.gz", // before: ends 03-02 00:00
		"cf/E2TEST.2024-03-02-00.aaaa.gz", // kept: its hour starts at since
		"cf/E2TEST.2024-03-03-23.aaaa.gz", // kept: the last hour inside
		"cf/E2TEST.2024-03-04-12.aaaa.gz", // kept: late entries from 03-03 12:00 on
		"cf/E2TEST.2024-03-05-00.aaaa.gz", // after: 24 h before it is until
		"alb/1234_elasticloadbalancing_eu-west-2_app.lb.cb82_20240301T2000Z_3.9.40.91_3p9141h0.log.gz", // before
		"alb/1234_elasticloadbalancing_eu-west-2_app.lb.cb82_20240302T0005Z_3.9.40.91_3p9141h0.log.gz", // kept
		"alb/1234_elasticloadbalancing_eu-west-2_app.lb.cb82_20240304T0300Z_3.9.40.91_3p9141h0.log.gz", // after
		"other/access.log", // no date: kept
	}
	for _, k := range keys {
		f.put(t, "b", k, numberedCombined(1))
	}
	ctx := context.Background()
	client, err := NewS3Client(ctx, f.url)
	if err != nil {
		t.Fatal(err)
	}
	since := time.Date(2024, 3, 2, 0, 0, 0, 0, time.UTC)
	until := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	l, errs := ExpandS3(ctx, client, []string{"s3://b/"}, S3Options{Since: since, Until: until})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var names []string
	for _, s := range l.Sources {
		names = append(names, strings.TrimPrefix(s.Name, "s3://b/"))
	}
	want := []string{keys[6], keys[1], keys[2], keys[3], keys[8]}
	slices.Sort(want)
	if l.Objects != 9 || l.Skipped != 4 || !slices.Equal(names, want) {
		t.Errorf("objects %d, skipped %d, kept:\n%s\nwant 9, 4, kept:\n%s", l.Objects, l.Skipped,
			strings.Join(names, "\n"), strings.Join(want, "\n"))
	}
	if f.gets != 0 {
		t.Errorf("%d downloads while listing, want none", f.gets)
	}
}
