package ingest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// A SQL source is the result of a query, read as a log:
//
//   - a query with one column reads each row as one log line, in any
//     format the ingest knows (detected as for a file): the rows joined by
//     newlines. A row's trailing line break is dropped; a line break inside
//     a row is written as the two characters \n, so that a row is always
//     one line and line N of the source is row N. A NULL row is a blank
//     line.
//   - a query with several columns reads each row as a record, its columns
//     taken by name (sqlColumns; case does not matter): each row is written
//     as one JSON object with the key the JSON lines format reads for that
//     column, and the JSON lines format reads it. A row that is not a
//     record (no time, a status that is not one) is a malformed line with
//     its row number.
//
// Rows stream: the reader holds one row at a time, never the result set.

// sqlColumns maps the column names a structured query may have to the JSON
// lines key they are written as (jsonKeys in jsonlog.go says what each key
// fills). The names are the frame's (ip, time, method, path, status, size,
// user_agent, referer ...), W3C/CloudFront's (c_ip, cs_uri_stem, sc_status,
// sc_bytes, cs_user_agent ...) and nginx's variable names.
var sqlColumns = map[string]string{
	"ip": "ip", "client_ip": "ip", "c_ip": "ip", "remote_addr": "ip", "client": "ip", "clientip": "ip",
	"time": "time", "timestamp": "time", "ts": "time", "datetime": "time", "date_time": "time",
	"time_local": "time", "time_iso8601": "time", "created_at": "time", "logged_at": "time",
	"method": "method", "request_method": "method", "cs_method": "method", "verb": "method",
	"path": "path", "uri_stem": "path", "cs_uri_stem": "path", "uri": "path", "request_uri": "path", "url": "path",
	"query": "query", "uri_query": "query", "cs_uri_query": "query", "query_string": "query",
	"request": "request", "request_line": "request",
	"protocol": "protocol", "server_protocol": "protocol", "cs_protocol_version": "protocol",
	"status": "status", "sc_status": "status", "status_code": "status", "response_code": "status",
	"size": "size", "bytes": "size", "sc_bytes": "size", "body_bytes_sent": "size", "bytes_sent": "size", "response_size": "size",
	"request_bytes": "request_length", "cs_bytes": "request_length", "request_length": "request_length",
	"user_agent": "user_agent", "useragent": "user_agent", "agent": "user_agent", "cs_user_agent": "user_agent", "http_user_agent": "user_agent",
	"referer": "referer", "referrer": "referer", "cs_referer": "referer", "http_referer": "referer",
	"host": "host", "cs_host": "host", "vhost": "host", "http_host": "host", "x_host_header": "host",
	"user": "user", "remote_user": "user", "cs_username": "user", "username": "user",
	"time_taken": "request_time", "request_time": "request_time", "duration": "request_time", "response_time": "request_time",
	"upstream_response_time": "upstream_response_time",
	"forwarded_for":          "x_forwarded_for", "x_forwarded_for": "x_forwarded_for", "http_x_forwarded_for": "x_forwarded_for",
}

// SQLInfo tells how a SQL source's rows were read, once its query has run.
type SQLInfo struct {
	mu sync.Mutex
	// Mapping says which columns were read as what: "entry, read as log
	// lines", or "client → ip, ts → time, ...; not read: note".
	Mapping string
	// Broken counts the rows whose line breaks were written as \n.
	Broken int
}

// Note says, in a line, how the source was read; "" before its query ran.
func (i *SQLInfo) Note() string {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.Mapping == "" {
		return ""
	}
	s := i.Mapping
	if i.Broken > 0 {
		s += fmt.Sprintf("; %d %s held a line break, written as \\n to keep each row one line", i.Broken, plural(i.Broken, "row", "rows"))
	}
	return s
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// IsSQL reports whether a string is a database address logbook reads:
// mysql://, postgres:// (or postgresql://), or sqlite:PATH.
func IsSQL(dsn string) bool {
	for _, p := range []string{"mysql://", "postgres://", "postgresql://", "sqlite:"} {
		if strings.HasPrefix(dsn, p) {
			return true
		}
	}
	return false
}

// sqlTarget is a parsed database address.
type sqlTarget struct {
	driver, dsn string
	name        string // the address without password or parameters
	secret      string // the password, to be kept out of messages
}

func parseSQL(addr string) (sqlTarget, error) {
	if path, ok := strings.CutPrefix(addr, "sqlite:"); ok {
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			return sqlTarget{}, errors.New("sqlite: no file (want sqlite:PATH)")
		}
		// Read-only: a mistyped path is an error, not a new empty database.
		v := url.Values{"mode": {"ro"}}
		return sqlTarget{driver: "sqlite", dsn: "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + v.Encode(), name: "sqlite:" + path}, nil
	}
	u, err := url.Parse(addr)
	if err != nil || u.Host == "" && u.Query().Get("socket") == "" && u.Query().Get("host") == "" {
		return sqlTarget{}, fmt.Errorf("%s: not a database address (want mysql://user:password@host/database, postgres://... or sqlite:PATH)", redactAddr(addr))
	}
	pass, _ := u.User.Password()
	t := sqlTarget{secret: pass}
	db := strings.TrimPrefix(u.Path, "/")
	t.name = u.Scheme + "://" + u.Host + "/" + db
	switch u.Scheme {
	case "postgres", "postgresql":
		t.driver, t.dsn = "pgx", addr
	case "mysql":
		q := u.Query()
		netw, host := "tcp", u.Host
		if s := q.Get("socket"); s != "" {
			netw, host = "unix", s
			q.Del("socket")
		} else if u.Port() == "" {
			host += ":3306"
		}
		cfg, err := mysql.ParseDSN("/?" + q.Encode())
		if err != nil {
			return sqlTarget{}, fmt.Errorf("%s: %v", t.name, err)
		}
		cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName = u.User.Username(), pass, netw, host, db
		t.driver, t.dsn = "mysql", cfg.FormatDSN()
	default:
		return sqlTarget{}, fmt.Errorf("%s: unknown database (want mysql, postgres or sqlite)", t.name)
	}
	return t, nil
}

// redactAddr is an address as it may be shown: the password replaced.
func redactAddr(addr string) string {
	if u, err := url.Parse(addr); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
		return u.String()
	}
	return addr
}

// clean keeps the password out of an error's message.
func (t sqlTarget) clean(err error) string {
	msg := err.Error()
	if t.secret != "" {
		msg = strings.ReplaceAll(msg, t.secret, "xxxxx")
		msg = strings.ReplaceAll(msg, url.QueryEscape(t.secret), "xxxxx")
	}
	return msg
}

// SQLSource returns the result of query n (counted from 1) on the database
// at addr as a source named like "mysql://host/logs (query 1)": nothing
// is connected until it is opened, and every failure of the connection,
// the query or the rows is the source's error, the rows before it kept.
// The address is a usage error when it does not parse.
func SQLSource(ctx context.Context, addr, query string, n int) (Source, *SQLInfo, error) {
	t, err := parseSQL(addr)
	if err != nil {
		return Source{}, nil, err
	}
	if strings.TrimSpace(query) == "" {
		return Source{}, nil, fmt.Errorf("%s: no query (give --query 'SELECT ...')", t.name)
	}
	info := &SQLInfo{}
	name := fmt.Sprintf("%s (query %d)", t.name, n)
	return Source{Name: name, open: func() (io.ReadCloser, error) {
		if t.driver == "sqlite" {
			if _, err := os.Stat(strings.TrimPrefix(t.name, "sqlite:")); err != nil {
				return nil, fmt.Errorf("%s: %v", name, err)
			}
		}
		db, err := sql.Open(t.driver, t.dsn)
		if err != nil {
			return nil, fmt.Errorf("%s: %s", name, t.clean(err))
		}
		db.SetMaxOpenConns(1)
		rows, err := db.QueryContext(ctx, query)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("%s: %s", name, t.clean(err))
		}
		r, err := newRowsReader(rows, info)
		if err != nil {
			rows.Close()
			db.Close()
			return nil, fmt.Errorf("%s: %s", name, t.clean(err))
		}
		r.db, r.target = db, t
		return r, nil
	}}, info, nil
}

// rowsReader yields a query's rows as lines, one row at a time.
type rowsReader struct {
	rows   *sql.Rows
	db     *sql.DB
	target sqlTarget
	info   *SQLInfo
	cols   []string // per column, its JSON key; nil for text rows
	vals   []any
	ptrs   []any
	buf    []byte
	off    int
	done   error
}

func newRowsReader(rows *sql.Rows, info *SQLInfo) (*rowsReader, error) {
	names, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	r := &rowsReader{rows: rows, info: info, vals: make([]any, len(names)), ptrs: make([]any, len(names))}
	for i := range r.vals {
		r.ptrs[i] = &r.vals[i]
	}
	if len(names) == 1 {
		info.mu.Lock()
		info.Mapping = fmt.Sprintf("column %s read as log lines", names[0])
		info.mu.Unlock()
		return r, nil
	}
	r.cols = make([]string, len(names))
	var mapped, unread []string
	has := map[string]bool{}
	for i, n := range names {
		key, ok := sqlColumns[strings.ToLower(n)]
		if !ok || has[key] {
			unread = append(unread, n)
			continue
		}
		has[key] = true
		r.cols[i] = key
		mapped = append(mapped, n+" → "+key)
	}
	if !has["time"] || !has["status"] && !has["request"] || !has["method"] && !has["path"] && !has["request"] {
		return nil, fmt.Errorf("the query's columns (%s) are neither one column of log lines nor records: want at least a time, a status and a method or path (columns named like ip, time, method, path, status, size, user_agent, referer)",
			strings.Join(names, ", "))
	}
	m := "columns read as records: " + strings.Join(mapped, ", ")
	if len(unread) > 0 {
		m += "; not read: " + strings.Join(unread, ", ")
	}
	info.mu.Lock()
	info.Mapping = m
	info.mu.Unlock()
	return r, nil
}

func (r *rowsReader) Read(p []byte) (int, error) {
	for r.off == len(r.buf) {
		if r.done != nil {
			return 0, r.done
		}
		r.buf, r.off = r.buf[:0], 0
		if !r.rows.Next() {
			r.done = io.EOF
			if err := r.rows.Err(); err != nil {
				r.done = errors.New(r.target.clean(err))
			}
			continue
		}
		if err := r.rows.Scan(r.ptrs...); err != nil {
			r.done = errors.New(r.target.clean(err))
			continue
		}
		if r.cols == nil {
			r.appendLine()
		} else {
			r.appendRecord()
		}
		r.buf = append(r.buf, '\n')
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

func (r *rowsReader) Close() error {
	err := r.rows.Close()
	if r.db != nil {
		r.db.Close()
	}
	return err
}

// appendLine writes a one-column row as a line.
func (r *rowsReader) appendLine() {
	var line []byte
	switch v := r.vals[0].(type) {
	case nil:
	case []byte:
		line = v
	case string:
		line = []byte(v)
	default:
		line = fmt.Appendf(nil, "%v", v)
	}
	line = bytes.TrimRight(line, "\r\n")
	if bytes.ContainsAny(line, "\r\n") {
		r.info.mu.Lock()
		r.info.Broken++
		r.info.mu.Unlock()
		for _, b := range line {
			switch b {
			case '\n':
				r.buf = append(r.buf, `\n`...)
			case '\r':
				r.buf = append(r.buf, `\r`...)
			default:
				r.buf = append(r.buf, b)
			}
		}
		return
	}
	r.buf = append(r.buf, line...)
}

// appendRecord writes a row of named columns as a JSON object.
func (r *rowsReader) appendRecord() {
	r.buf = append(r.buf, '{')
	first := true
	var path, query string
	for i, key := range r.cols {
		if key == "" || r.vals[i] == nil {
			continue
		}
		if key == "path" || key == "query" {
			s := sqlText(r.vals[i])
			if key == "path" {
				path = s
			} else if s != "-" {
				query = s
			}
			continue
		}
		if !first {
			r.buf = append(r.buf, ',')
		}
		first = false
		r.buf = append(append(append(r.buf, '"'), key...), '"', ':') // keys are plain ASCII
		switch v := r.vals[i].(type) {
		case int64:
			r.buf = strconv.AppendInt(r.buf, v, 10)
		case float64:
			r.buf = strconv.AppendFloat(r.buf, v, 'g', -1, 64)
		default:
			r.buf = appendJSONString(r.buf, sqlText(v))
		}
	}
	if path != "" {
		if query != "" {
			path += "?" + query
		}
		if !first {
			r.buf = append(r.buf, ',')
		}
		r.buf = append(r.buf, `"path":`...)
		r.buf = appendJSONString(r.buf, path)
	}
	r.buf = append(r.buf, '}')
}

// sqlText is a column's value as text; times in RFC 3339.
func sqlText(v any) string {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case string:
		return v
	case time.Time:
		return v.Format(time.RFC3339Nano)
	default:
		return fmt.Sprint(v)
	}
}

func appendJSONString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a string always marshals
	return append(b, q...)
}
