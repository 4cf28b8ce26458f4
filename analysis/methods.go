package analysis

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "methods",
		Title: "Request methods",
		Doc:   "Which HTTP methods were used, overall and per client IP, and who sent writes (POST, PUT, DELETE, PATCH).",
		Order: 450,
		Cost:  28, // ms per million rows
		Needs: frame.Cols(frame.Method, frame.IP),
		New:   func() Analysis { return methods{} },
	})
}

type methods struct{}

var _ Partial = methods{}

// writeMethods are the methods that change something on the server.
var writeMethods = []string{"POST", "PUT", "DELETE", "PATCH"}

// knownMethods are the methods of HTTP (RFC 9110, and PATCH); anything
// else in a log is a probe, a typo or a protocol other than HTTP.
var knownMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}

func (m methods) Run(ctx context.Context, in *Input) (*Section, error) { return runPartial(ctx, m, in) }

// methodsState counts the requests per client IP and method: the
// method counts are its sums per method.
type methodsState struct {
	Total int
	Pairs ValueTally // methods per ip
}

func (methods) NewState(in *Input) State {
	st := &methodsState{Pairs: NewValueTally()}
	st.Pairs.Borrow(in)
	return st
}

func (st *methodsState) Add(_ context.Context, f *frame.Frame) error {
	st.Total += f.Len()
	st.Pairs.AddColumns(f, frame.IP, frame.Method)
	return nil
}

func (st *methodsState) Merge(other State) error {
	o, err := mergeAs[*methodsState](other)
	if err != nil {
		return err
	}
	st.Total += o.Total
	st.Pairs.Merge(o.Pairs)
	return nil
}

func (st *methodsState) Finish(_ context.Context, in *Input) (*Section, error) {
	total := st.Total
	perMethod := st.Pairs.Totals()
	s := &Section{}
	s.Prose("Which request methods did clients use? Reads (`GET`, `HEAD`) are the bulk of most sites; writes (`POST`, `PUT`, `DELETE`, `PATCH`) and unusual methods say who does more than read.")

	ranked, methodDict := perMethod.Ranked()
	counts := countsTable("method_counts", "Requests per method", "request_method", ranked, "share", total)
	s.Compute(`requests.method.value_counts()`, Output{Table: counts})

	// The method given the client, the first rows in the clients' order;
	// then the writes per IP and method, most first, in a pass over all
	// the conditional rows, a client at a time, in any order.
	given := NewTable("request_methods_ip", "Request method given the client IP",
		Column{"ip", Text}, Column{"request_method", Text}, Column{"proba_method_given_ip", Share}).Limit(in.MaxRows)
	groups := st.Pairs.CondGroups()
	groups.addFirstRows(given)
	rows := 0
	top := newTopRows(in.MaxRows, byCountRow)
	// Per write method: its requests, its clients, and its row with the
	// most requests; the requests without a client IP (missingIP) are
	// counted apart, no client.
	type writeStat struct {
		n, clients int
		noIP       int // of n, without a client IP
		top        CondRow
	}
	perWrite := make([]writeStat, len(writeMethods))
	isNoIP := missingIPCodes(&st.Pairs.Keys)
	groups.EachByCode(func(g []CondRow) {
		rows += len(g)
		for _, r := range g {
			if m := slices.Index(writeMethods, r.Value); m >= 0 {
				top.offer(r)
				w := &perWrite[m]
				w.n += r.N
				if isNoIP(r.key) {
					w.noIP += r.N
					continue
				}
				if w.clients++; w.clients == 1 || byCountRow(r, w.top) < 0 {
					w.top = r
				}
			}
		}
	})
	skipped := rows - len(given.Rows)
	given.Skip(skipped)
	s.Compute(`requests.groupby("ip").method.value_counts(normalize=True)`, Output{Table: given})

	writes, nWrites := top.sorted()
	if len(writes) > 0 {
		tab := NewTable("write_methods_by_ip", "Writes (POST, PUT, DELETE, PATCH) per IP and method",
			Column{"ip", Text}, Column{"request_method", Text}, Column{"requests", Integer}, Column{"share_of_ip_requests", Share}).Limit(in.MaxRows)
		for _, r := range writes {
			tab.Add(st.Pairs.KeyOf(r), r.Value, r.N, r.Proba)
		}
		tab.Skip(nWrites - len(writes))
		s.Compute(`requests[requests.method.isin(["POST", "PUT", "DELETE", "PATCH"])].groupby(["ip", "method"]).size().sort_values(ascending=False)`,
			Output{Table: tab})
	}

	// Conclusions.
	if len(ranked) == 1 {
		s.Conclude(fmt.Sprintf("%s %s %s.", allOf(total, "request"), verb(total, "was", "were"), Code(ranked[0].key)))
	} else {
		var rest []string
		for _, r := range ranked[1:min(4, len(ranked))] {
			rest = append(rest, fmt.Sprintf("%s (%s)", Code(r.key), Percent(float64(r.n)/float64(total))))
		}
		if len(ranked) > 4 {
			rest = append(rest, fmt.Sprintf("%s more %s", Int(len(ranked)-4), Plural(len(ranked)-4, "method")))
		}
		s.Conclude(fmt.Sprintf("%s made up %s of %s, followed by %s.", Code(ranked[0].key),
			Percent(float64(ranked[0].n)/float64(total)), Count(total, "request"), List(rest)))
	}
	writeTotal := 0
	var wparts []string
	for i, m := range writeMethods {
		n, clients, noIP, top := perWrite[i].n, perWrite[i].clients, perWrite[i].noIP, perWrite[i].top
		if n == 0 {
			continue
		}
		writeTotal += n
		nIP := n - noIP // from clients that gave their IP
		part := fmt.Sprintf("%s came from %s", Count(nIP, Code(m)+" request"), Count(clients, "IP"))
		switch {
		case nIP == 0 && n == 1:
			part = fmt.Sprintf("the only %s request came without a client IP", Code(m))
		case nIP == 0:
			part = fmt.Sprintf("all %s came without a client IP", Count(n, Code(m)+" request"))
		case n == 1:
			part = fmt.Sprintf("the only %s request came from %s", Code(m), Code(st.Pairs.KeyOf(top)))
		case nIP == 1:
			part = fmt.Sprintf("1 %s request came from %s", Code(m), Code(st.Pairs.KeyOf(top)))
		case clients == 1 && noIP == 0:
			part = fmt.Sprintf("all %s came from %s", Count(n, Code(m)+" request"), Code(st.Pairs.KeyOf(top)))
		case clients == 1:
			part = fmt.Sprintf("%s came from %s", Count(nIP, Code(m)+" request"), Code(st.Pairs.KeyOf(top)))
		case top.N == 1:
			part += ", one each"
		default:
			part += fmt.Sprintf(", the most (%s) from %s", Int(top.N), Code(st.Pairs.KeyOf(top)))
		}
		if noIP > 0 && nIP > 0 {
			part += fmt.Sprintf(", and %s more without a client IP", Int(noIP))
		}
		wparts = append(wparts, part)
	}
	if len(wparts) > 0 {
		w := strings.Join(wparts, "; ")
		s.Conclude(strings.ToUpper(w[:1]) + w[1:] + ".")
	}
	if writeTotal > 0 {
		s.Find("write_requests", SevInfo, writeTotal, fmt.Sprintf("%s (%s) used a method that writes (POST, PUT, DELETE or PATCH).",
			Count(writeTotal, "request"), Percent(float64(writeTotal)/float64(total))))
	}
	var odd []string
	oddN := 0
	for _, r := range ranked {
		if !slices.Contains(knownMethods, methodDict[r.code]) {
			oddN += r.n
			if len(odd) < 5 {
				odd = append(odd, fmt.Sprintf("%s (%s)", Code(r.key), Int(r.n)))
			}
		}
	}
	if oddN > 0 {
		msg := fmt.Sprintf("%s used no standard HTTP method: %s", Count(oddN, "request"), List(odd))
		if extra := countUnknown(ranked, methodDict) - len(odd); extra > 0 {
			msg += fmt.Sprintf(" and %s more", Count(extra, "other value"))
		}
		if _, ok := perMethod[""]; ok {
			msg += "; `-` stands for a request line without a method"
		}
		s.Conclude(msg + ".")
		s.Find("unusual_methods", SevNotice, oddN, fmt.Sprintf("%s used no standard HTTP method.", Count(oddN, "request")))
	}
	return s, nil
}

func countUnknown(ranked []keyCount, dict []string) int {
	n := 0
	for _, r := range ranked {
		if !slices.Contains(knownMethods, dict[r.code]) {
			n++
		}
	}
	return n
}
