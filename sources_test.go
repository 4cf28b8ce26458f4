package logbook

import (
	"bytes"
	"context"
	"database/sql"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// markdown runs cfg and renders its report (as JSON).
func markdown(t *testing.T, cfg Config) (string, *Outcome) {
	t.Helper()
	cfg.Title, cfg.Now = "same title", time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cfg.Outputs = []Output{{Path: "-", Format: "json"}}
	out, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := out.Write(&b, nil); err != nil {
		t.Fatal(err)
	}
	return b.String(), out
}

// TestRunSQLEqualsFile: the sample log loaded into a SQLite table a line a
// row, as the original notebook's MySQL table held it, gives the report
// the file gives, but for the source's name; the columns read are said.
func TestRunSQLEqualsFile(t *testing.T) {
	data, err := os.ReadFile("samples/apache/access.log")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "logs.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE api_access (id INTEGER PRIMARY KEY, entry TEXT)"); err != nil {
		t.Fatal(err)
	}
	tx, _ := db.Begin()
	for _, l := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if _, err := tx.Exec("INSERT INTO api_access (entry) VALUES (?)", l); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	want, _ := markdown(t, Config{Inputs: []string{"samples/apache/access.log"}})
	got, out := markdown(t, Config{SQL: "sqlite:" + path, Query: []string{"SELECT entry FROM api_access ORDER BY id"}})
	got = strings.ReplaceAll(got, "sqlite:"+path+" (query 1)", "samples/apache/access.log")
	if got != want {
		t.Errorf("the report from SQLite differs from the file's:\n%s", firstDiff(got, want))
	}
	var notes []string
	for _, p := range out.Problems {
		if p.Kind == SourceNote {
			notes = append(notes, p.Message)
		}
	}
	if len(notes) != 1 || notes[0] != "sqlite:"+path+" (query 1): column entry read as log lines" {
		t.Errorf("notes %q", notes)
	}
}

// TestRunS3EqualsFiles: the CloudFront samples in a bucket (an S3 server on
// loopback) give the report the folder gives, but for the names.
func TestRunS3EqualsFiles(t *testing.T) {
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	backend.CreateBucket("logs")
	files, _ := filepath.Glob("samples/cloudfront/*.gz")
	if len(files) < 2 {
		t.Fatal("no CloudFront samples")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := backend.PutObject("logs", filepath.ToSlash(f), map[string]string{}, bytes.NewReader(data), int64(len(data)), nil); err != nil {
			t.Fatal(err)
		}
	}
	want, _ := markdown(t, Config{Inputs: []string{"samples/cloudfront"}})
	got, out := markdown(t, Config{Inputs: []string{"s3://logs/samples/cloudfront/"}, S3Endpoint: srv.URL})
	if err := out.Err(); err != nil {
		t.Fatal(err)
	}
	got = strings.ReplaceAll(got, "s3://logs/samples/", "samples/")
	if got != want {
		t.Errorf("the report from S3 differs from the folder's:\n%s", firstDiff(got, want))
	}
	_, out = markdown(t, Config{Inputs: []string{"s3://nosuch/x/", "samples/apache/access.log"}, S3Endpoint: srv.URL})
	if err := out.Err(); err == nil || !strings.Contains(err.Error(), "s3://nosuch/x/: listing: NoSuchBucket") {
		t.Errorf("a missing bucket: %v", err)
	}
	if out.Report.Records == 0 {
		t.Error("the file after a missing bucket was not read")
	}
}

// firstDiff shows the first line where two texts differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return "line " + g[i] + "\nwant " + w[i]
		}
	}
	return "lengths differ"
}
