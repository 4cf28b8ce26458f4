package main

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// TestSQLFlags: --sql with --query reads the rows, says which column was
// read, and a bad query is one line naming the source with exit status 1;
// the flags alone, or an unknown database, are usage errors that show no
// password.
func TestSQLFlags(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "logs.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE TABLE api_access (entry TEXT)"); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(strings.TrimSpace(threeLinesCLI), "\n") {
		if _, err := db.Exec("INSERT INTO api_access VALUES (?)", l); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "r.json")
	_, stderr, err := runCLI(t, "", "report", "-o", out, "--sql", "sqlite:"+path, "--query", "SELECT entry FROM api_access")
	if err != nil {
		t.Fatal(err, stderr)
	}
	in := readJSON(t, out)["input"].(map[string]any)
	src := in["sources"].([]any)[0].(map[string]any)
	if in["records"] != 3.0 || src["name"] != "sqlite:"+path+" (query 1)" || src["format"] != "combined" {
		t.Errorf("input %v, want 3 records from sqlite:%s (query 1), combined", in, path)
	}
	if !strings.Contains(stderr, "sqlite:"+path+" (query 1): column entry read as log lines") {
		t.Errorf("stderr:\n%s", stderr)
	}
	_, stderr, err = runCLI(t, "", "report", "-o", out, "--sql", "sqlite:"+path, "--query", "SELECT entry FROM api_access", "--query", "SELECT nope FROM api_access")
	if exitCode(err) != 1 || !strings.Contains(stderr+err.Error(), "sqlite:"+path+" (query 2): SQL logic error: no such column: nope") {
		t.Errorf("a bad query: exit %d, %v\n%s", exitCode(err), err, stderr)
	}
	for _, args := range [][]string{
		{"report", "--sql", "sqlite:" + path},
		{"report", "--query", "SELECT 1", "x"},
		{"report", "--sql", "oracle://u:s3cret-pw@h/db", "--query", "SELECT 1"},
	} {
		_, stderr, err := runCLI(t, "", args...)
		if exitCode(err) != 2 || strings.Contains(stderr+err.Error(), "s3cret") {
			t.Errorf("%q: exit %d, %v", args, exitCode(err), err)
		}
	}
}

const threeLinesCLI = `10.0.0.1 - - [04/Mar/2024:10:00:00 +0100] "GET / HTTP/1.1" 200 512 "-" "Mozilla/5.0"
10.0.0.2 - - [04/Mar/2024:10:00:05 +0100] "GET /robots.txt HTTP/1.1" 200 20 "-" "Googlebot/2.1"
10.0.0.1 - - [04/Mar/2024:23:30:00 +0100] "GET /a?x=1 HTTP/1.1" 404 0 "-" "Mozilla/5.0"
`
