package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// sqlDB opens the database at addr as the SQL source does, writable.
func sqlDB(t *testing.T, addr string) (*sql.DB, sqlTarget) {
	t.Helper()
	tg, err := parseSQL(addr)
	if err != nil {
		t.Fatal(err)
	}
	if tg.driver == "sqlite" {
		tg.dsn = "file:" + strings.TrimPrefix(tg.name, "sqlite:") // writable, for the test
	}
	db, err := sql.Open(tg.driver, tg.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, tg
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// loadLines puts each line into table(entry), in order, as the original
// notebook's MySQL table api_access held them: one raw log line a row.
func loadLines(t *testing.T, addr, table string, lines []string) {
	t.Helper()
	db, tg := sqlDB(t, addr)
	mustExec(t, db, "DROP TABLE IF EXISTS "+table)
	ph := "?"
	id := "id INTEGER PRIMARY KEY"
	switch tg.driver {
	case "pgx":
		ph, id = "$1", "id SERIAL PRIMARY KEY"
	case "mysql":
		id = "id INTEGER AUTO_INCREMENT PRIMARY KEY"
	}
	mustExec(t, db, fmt.Sprintf("CREATE TABLE %s (%s, entry TEXT)", table, id))
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	st, err := tx.Prepare(fmt.Sprintf("INSERT INTO %s (entry) VALUES (%s)", table, ph))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		var v any = l
		if l == "<NULL>" {
			v = nil
		}
		if _, err := st.Exec(v); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

func sampleLines(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile("../samples/apache/access.log")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
}

// sameFrames compares two reads record by record on the columns a
// combined log fills.
func sameFrames(t *testing.T, got, want *frame.Frame) {
	t.Helper()
	if got.Len() != want.Len() {
		t.Fatalf("%d records, want %d", got.Len(), want.Len())
	}
	if !slices.Equal(got.Time, want.Time) {
		t.Error("times differ")
	}
	for _, c := range []frame.StrCol{frame.IP, frame.Method, frame.Stem, frame.Status, frame.Referer, frame.UserAgent} {
		if g, w := column(got, c), column(want, c); !slices.Equal(g, w) {
			i := 0
			for i < len(g) && g[i] == w[i] {
				i++
			}
			t.Errorf("column %v differs first at record %d: %q, want %q", c, i, g[i], w[i])
		}
	}
	if !slices.EqualFunc(got.Num(frame.Bytes), want.Num(frame.Bytes), sameNum) {
		t.Error("bytes differ")
	}
}

// checkLinesTable loads the sample log into a table of the database at
// addr, reads it back with a query, and checks the records are the file's.
func checkLinesTable(t *testing.T, addr string) {
	lines := sampleLines(t)
	loadLines(t, addr, "api_access", lines)
	src, info, err := SQLSource(context.Background(), addr, "SELECT entry FROM api_access ORDER BY id", 1)
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, []Source{src}, Options{})
	file := readAll(t, []Source{FileSource("../samples/apache/access.log", false)}, Options{})
	if len(res.Failed()) > 0 {
		t.Fatal(res.Failed()[0].Err)
	}
	st := res.Sources[0]
	if st.Format != "combined" || st.Lines != len(lines) || st.Malformed != file.Sources[0].Malformed {
		t.Errorf("format %s, %d lines, %d malformed; want combined, %d, %d", st.Format, st.Lines, st.Malformed, len(lines), file.Sources[0].Malformed)
	}
	sameFrames(t, res.Frame, file.Frame)
	if got := info.Note(); got != "column entry read as log lines" {
		t.Errorf("note %q", got)
	}
}

func TestSQLiteLines(t *testing.T) {
	addr := "sqlite:" + filepath.Join(t.TempDir(), "logs.db")
	checkLinesTable(t, addr)
}

// TestSQLRows: a row holding a line break stays one line (row N is line N);
// a malformed row is counted with its row number; a NULL row is blank.
func TestSQLRows(t *testing.T) {
	addr := "sqlite:" + filepath.Join(t.TempDir(), "logs.db")
	good := `192.0.2.1 - - [04/Mar/2024:10:00:00 +0000] "GET /a HTTP/1.1" 200 5 "-" "curl/8"`
	loadLines(t, addr, "t", []string{
		good,
		good + "\r\n", // a trailing line break is dropped
		"192.0.2.2 - - [04/Mar/2024:10:00:01 +0000] \"GET /b\nHTTP/1.1\" 200 5 \"-\" \"curl/8\"",
		"<NULL>",
		"not a log line",
		good,
	})
	src, info, err := SQLSource(context.Background(), addr, "SELECT entry FROM t ORDER BY id", 2)
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, []Source{src}, Options{})
	st := res.Sources[0]
	if st.Name != "sqlite:"+strings.TrimPrefix(addr, "sqlite:")+" (query 2)" {
		t.Errorf("name %q", st.Name)
	}
	// Row 3's request line holds the two characters \n where the row had
	// a line break: the record is read with them; row 5 is malformed.
	if st.Lines != 6 || st.Records != 4 || st.Malformed != 1 || st.Examples[0].Line != 5 {
		t.Errorf("%d lines, %d records, %d malformed %v; want 6, 4, 1 at row 5", st.Lines, st.Records, st.Malformed, st.Examples)
	}
	if stems := column(res.Frame, frame.Stem); len(stems) != 4 || stems[2] != `/b\nHTTP/1.1` {
		t.Errorf("stems %q, want the third /b\\nHTTP/1.1", stems)
	}
	if got := info.Note(); !strings.Contains(got, `1 row held a line break, written as \n`) {
		t.Errorf("note %q", got)
	}
}

// TestSQLRecords: a query of named columns is read as records, and the
// mapping says which column went where.
func TestSQLRecords(t *testing.T) {
	addr := "sqlite:" + filepath.Join(t.TempDir(), "logs.db")
	db, _ := sqlDB(t, addr)
	mustExec(t, db, `CREATE TABLE hits (id INTEGER PRIMARY KEY, client TEXT, ts TEXT, Method TEXT, uri_stem TEXT, uri_query TEXT,
		status INTEGER, bytes INTEGER, user_agent TEXT, referer TEXT, note TEXT)`)
	mustExec(t, db, `INSERT INTO hits (client, ts, Method, uri_stem, uri_query, status, bytes, user_agent, referer, note) VALUES
		('192.0.2.1', '2024-03-04 10:00:00', 'GET', '/a', 'x=1', 200, 512, 'curl/8.0', '-', 'n'),
		('2001:db8::1', '2024-03-04T10:00:05Z', 'POST', '/login', NULL, 401, 0, 'Mozilla/5.0 "quoted"', 'https://example.com/', NULL),
		('192.0.2.3', 'yesterday', 'GET', '/c', NULL, 200, 1, 'x', '-', NULL)`)
	src, info, err := SQLSource(context.Background(), addr, "SELECT client, ts, Method, uri_stem, uri_query, status, bytes, user_agent, referer, note FROM hits ORDER BY id", 1)
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, []Source{src}, Options{})
	st := res.Sources[0]
	if st.Format != "json" || st.Records != 2 || st.Malformed != 1 || st.Examples[0].Line != 3 {
		t.Fatalf("format %s, %d records, %d malformed (%v); want json, 2, 1 at row 3", st.Format, st.Records, st.Malformed, st.Examples)
	}
	f := res.Frame
	for c, want := range map[frame.StrCol][]string{
		frame.IP: {"192.0.2.1", "2001:db8::1"}, frame.Method: {"GET", "POST"}, frame.Stem: {"/a", "/login"},
		frame.Status: {"200", "401"}, frame.UserAgent: {"curl/8.0", `Mozilla/5.0 "quoted"`},
		frame.Referer: {"", "https://example.com/"},
	} {
		if got := column(f, c); !slices.Equal(got, want) {
			t.Errorf("column %v: %q, want %q", c, got, want)
		}
	}
	if f.Time[0] != utc(t, "2024-03-04T10:00:00Z") || f.Time[1] != utc(t, "2024-03-04T10:00:05Z") {
		t.Errorf("times %v", f.Time)
	}
	if got := f.Num(frame.Bytes); got[0] != 512 || got[1] != 0 {
		t.Errorf("bytes %v", got)
	}
	want := "columns read as records: client → ip, ts → time, Method → method, uri_stem → path, uri_query → query, status → status, bytes → size, user_agent → user_agent, referer → referer; not read: note"
	if got := info.Note(); got != want {
		t.Errorf("note\n%s\nwant\n%s", got, want)
	}
}

// TestSQLFailures: a bad query, a missing file, columns that are not a log,
// and a password kept out of every message.
func TestSQLFailures(t *testing.T) {
	dir := t.TempDir()
	addr := "sqlite:" + filepath.Join(dir, "logs.db")
	loadLines(t, addr, "t", []string{"x"})
	mustExec(t, func() *sql.DB { db, _ := sqlDB(t, addr); return db }(), "CREATE TABLE two (a TEXT, b TEXT)")
	for _, tc := range []struct{ addr, query, want string }{
		{addr, "SELECT entry FROM nosuch", addr + " (query 1): SQL logic error: no such table: nosuch"},
		{"sqlite:" + filepath.Join(dir, "missing.db"), "SELECT 1", "sqlite:" + filepath.Join(dir, "missing.db") + " (query 1): stat "},
		{addr, "SELECT a, b FROM two", addr + " (query 1): the query's columns (a, b) are neither one column of log lines nor records"},
	} {
		src, _, err := SQLSource(context.Background(), tc.addr, tc.query, 1)
		if err != nil {
			t.Fatal(err)
		}
		res := readAll(t, []Source{src}, Options{})
		if err := res.Sources[0].Err; err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q...", tc.query, err, tc.want)
		}
	}
	// Nothing listens on port 1: the connection fails, naming the source
	// without its password.
	src, _, err := SQLSource(context.Background(), "mysql://u:s3cret-pw@127.0.0.1:1/logs", "SELECT entry FROM t", 1)
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, []Source{src}, Options{})
	e := res.Sources[0].Err
	if e == nil || !strings.HasPrefix(e.Error(), "mysql://127.0.0.1:1/logs (query 1): ") || strings.Contains(e.Error(), "s3cret") || strings.Contains(src.Name, "s3cret") {
		t.Errorf("error %v", e)
	}
	if _, _, err := SQLSource(context.Background(), "oracle://u:s3cret-pw@h/db", "SELECT 1", 1); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("unknown database: %v", err)
	}
}

// requireServer gives the address of a database server for the tests from
// the environment variable, or skips (fails with LOGBOOK_REQUIRE_TOOLS=1).
func requireServer(t *testing.T, env string) string {
	addr := os.Getenv(env)
	if addr == "" {
		msg := env + " is not set: no server to test against (bash .ci/databases.sh starts one and prints it)"
		if os.Getenv("LOGBOOK_REQUIRE_TOOLS") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return addr
}

func TestPostgresLines(t *testing.T) { checkLinesTable(t, requireServer(t, "LOGBOOK_TEST_POSTGRES")) }
func TestMySQLLines(t *testing.T)    { checkLinesTable(t, requireServer(t, "LOGBOOK_TEST_MYSQL")) }

// TestSQLStreams reads a result far larger than the reader's buffer in
// small reads: every row comes, in order, as a line.
func TestSQLStreams(t *testing.T) {
	addr := "sqlite:" + filepath.Join(t.TempDir(), "logs.db")
	lines := strings.Split(strings.TrimSuffix(string(numberedCombined(20000)), "\n"), "\n")
	loadLines(t, addr, "t", lines)
	src, _, _ := SQLSource(context.Background(), addr, "SELECT entry FROM t ORDER BY id", 1)
	rc, err := src.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var b bytes.Buffer
	p := make([]byte, 100)
	for {
		n, err := rc.Read(p)
		b.Write(p[:n])
		if err != nil {
			break
		}
	}
	if b.String() != strings.Join(lines, "\n")+"\n" {
		t.Errorf("read %d bytes, want the %d rows joined by newlines", b.Len(), len(lines))
	}
}

// checkRecordsTable loads the sample log's records into a table of named,
// typed columns, reads them back as records, and checks they are the
// file's.
func checkRecordsTable(t *testing.T, addr string) {
	file := readAll(t, []Source{FileSource("../samples/apache/access.log", false)}, Options{})
	f := file.Frame
	db, tg := sqlDB(t, addr)
	mustExec(t, db, "DROP TABLE IF EXISTS hits")
	ts, ph := "DATETIME", []string{"?", "?", "?", "?", "?", "?", "?", "?", "?"}
	switch tg.driver {
	case "pgx":
		ts = "TIMESTAMPTZ"
		for i := range ph {
			ph[i] = fmt.Sprintf("$%d", i+1)
		}
	case "sqlite":
		ts = "TEXT"
	}
	mustExec(t, db, "CREATE TABLE hits (id INTEGER, client_ip VARCHAR(45), ts "+ts+", method VARCHAR(16), path TEXT, status INTEGER, bytes BIGINT, user_agent TEXT, referer TEXT)")
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	st, err := tx.Prepare("INSERT INTO hits VALUES (" + strings.Join(ph, ", ") + ")")
	if err != nil {
		t.Fatal(err)
	}
	ips, methods, stems := column(f, frame.IP), column(f, frame.Method), column(f, frame.Stem)
	statuses, agents, refs := column(f, frame.Status), column(f, frame.UserAgent), column(f, frame.Referer)
	sizes := f.Num(frame.Bytes)
	for i := range f.Len() {
		var when any = time.Unix(f.Time[i], 0).UTC()
		if tg.driver == "sqlite" {
			when = time.Unix(f.Time[i], 0).UTC().Format(time.RFC3339)
		}
		var size any
		if !math.IsNaN(sizes[i]) {
			size = int64(sizes[i])
		}
		status, _ := strconv.Atoi(statuses[i])
		if _, err := st.Exec(i, ips[i], when, methods[i], stems[i], status, size, agents[i], refs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	src, info, err := SQLSource(context.Background(), addr, "SELECT client_ip, ts, method, path, status, bytes, user_agent, referer FROM hits ORDER BY id", 1)
	if err != nil {
		t.Fatal(err)
	}
	res := readAll(t, []Source{src}, Options{})
	if e := res.Sources[0].Err; e != nil {
		t.Fatal(e)
	}
	if res.Sources[0].Format != "json" || res.Sources[0].Malformed != 0 {
		t.Errorf("format %s, %d malformed %v", res.Sources[0].Format, res.Sources[0].Malformed, res.Sources[0].Examples)
	}
	sameFrames(t, res.Frame, f)
	want := "columns read as records: client_ip → ip, ts → time, method → method, path → path, status → status, bytes → size, user_agent → user_agent, referer → referer"
	if got := info.Note(); got != want {
		t.Errorf("note %q", got)
	}
}

func TestSQLiteRecords(t *testing.T) {
	checkRecordsTable(t, "sqlite:"+filepath.Join(t.TempDir(), "logs.db"))
}
func TestPostgresRecords(t *testing.T) {
	checkRecordsTable(t, requireServer(t, "LOGBOOK_TEST_POSTGRES"))
}
func TestMySQLRecords(t *testing.T) { checkRecordsTable(t, requireServer(t, "LOGBOOK_TEST_MYSQL")) }

// TestPostgresDropped: a connection ended by the server while rows are
// read is the source's error, naming it without the password, after the
// rows read before it.
func TestPostgresDropped(t *testing.T) {
	addr := requireServer(t, "LOGBOOK_TEST_POSTGRES")
	tg, _ := parseSQL(addr)
	// Rows without end, as a stream: the server sends them as it makes them.
	q := `SELECT 'logbook-dropped-test ' || g FROM generate_series(1, 100000) a, generate_series(1, 100000) g`
	src, _, err := SQLSource(context.Background(), addr, q, 1)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := src.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	p := make([]byte, 64<<10)
	var got int
	for got < 1<<20 {
		n, err := rc.Read(p)
		if err != nil {
			t.Fatalf("after %d bytes: %v", got, err)
		}
		got += n
	}
	db, _ := sqlDB(t, addr)
	var ended int
	if err := db.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE query LIKE 'SELECT ''logbook-dropped-test%' AND pid <> pg_backend_pid()`).Scan(&ended); err != nil || ended != 1 {
		t.Fatalf("ending the connection: %v, %d ended", err, ended)
	}
	for err == nil {
		_, err = rc.Read(p)
	}
	if err == io.EOF || tg.secret != "" && strings.Contains(err.Error(), tg.secret) {
		t.Errorf("after the connection ended: %v, want an error without the password", err)
	}
}
