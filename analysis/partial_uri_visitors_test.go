package analysis

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// TestReadersAcrossChunks: a browser-like client that reads /robots.txt in
// one chunk and pages in another is no person in the merge of the two, as
// in the whole log: the people's stems and the human visitors leave it
// out.
func TestReadersAcrossChunks(t *testing.T) {
	recs := []uaRec{
		{"10.0.0.8", "/admin", firefox, 0}, {"10.0.0.8", "/admin", firefox, 0}, {"10.0.0.8", "/admin", firefox, 0},
		{"192.0.2.1", "/post", chrome, 0}, {"192.0.2.2", "/about", firefox, 0},
		{"10.0.0.8", "/robots.txt", firefox, 0},
	}
	f := uaFrame(recs)
	in := &Input{Frame: f, Loc: time.UTC}
	for _, name := range []string{"uri_stems", "visitors"} {
		p := configured(t, name, nil).(Partial)
		run, err := p.Run(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		first, second := make([]bool, f.Len()), make([]bool, f.Len())
		for i := range first {
			first[i] = i < 5
			second[i] = !first[i]
		}
		a, b := p.NewState(in), p.NewState(in)
		if err := a.Add(context.Background(), f.Subset(first)); err != nil {
			t.Fatal(err)
		}
		if err := b.Add(context.Background(), f.Subset(second)); err != nil {
			t.Fatal(err)
		}
		if err := b.Merge(a); err != nil {
			t.Fatal(err)
		}
		got, err := b.Finish(context.Background(), &Input{Loc: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(run)
		js, _ := json.Marshal(got)
		if string(js) != string(want) {
			t.Errorf("%s: merged chunks differ from the whole log:\n%s\n%s", name, js, want)
		}
		switch name {
		case "uri_stems":
			if want := [][]any{{"/about", 1, 0.5}, {"/post", 1, 0.5}}; !reflect.DeepEqual(rows(tableByID(got, "human_uri_stems")), want) {
				t.Errorf("human_uri_stems %v, want %v", rows(tableByID(got, "human_uri_stems")), want)
			}
		case "visitors":
			if r := rows(tableByID(got, "visitors_by_day")); len(r) != 1 || r[0][1] != 3 || r[0][4] != 2 {
				t.Errorf("visitors_by_day %v, want 3 visitors, 2 of them human", r)
			}
		}
	}
}

// TestClientStemsCompact: a uri_stems state fed many chunks merges its
// runs of clients' stems, and still leaves out a robots.txt reader whose
// requests are spread over them, as the whole log does.
func TestClientStemsCompact(t *testing.T) {
	var recs []uaRec
	recs = append(recs, uaRec{"10.0.0.8", "/admin", firefox, 0})
	for i := range 120_000 {
		recs = append(recs, uaRec{"192.0.2." + strconv.Itoa(i%200), "/p/" + strconv.Itoa(i%30_000), []string{chrome, firefox, gbot}[i%3], 0})
		if i%10_000 == 0 {
			recs = append(recs, uaRec{"10.0.0.8", "/admin", firefox, 0})
		}
	}
	recs = append(recs, uaRec{"10.0.0.8", "/robots.txt", firefox, 0})
	f := uaFrame(recs)
	in := &Input{Frame: f, Loc: time.UTC}
	p := configured(t, "uri_stems", nil).(Partial)
	run, err := p.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	st := p.NewState(in).(*uriStemsState)
	addInRuns(t, st, f, 16)
	distinct := map[[3]string]bool{} // of the people but the reader, whose pairs moved to ReaderHuman
	for _, r := range recs {
		if r.agent != gbot && r.ip != "10.0.0.8" {
			distinct[[3]string{r.ip, r.agent, r.stem}] = true
		}
	}
	if len(st.People) != len(distinct) {
		t.Errorf("%d (client, stem) held for %d distinct", len(st.People), len(distinct))
	}
	got, err := st.Finish(context.Background(), &Input{Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(run)
	js, _ := json.Marshal(got)
	if string(js) != string(want) {
		t.Errorf("compacted chunks differ from the whole log")
	}
	for _, r := range rows(tableByID(got, "human_uri_stems")) {
		if r[0] == "/admin" {
			t.Errorf("the robots.txt reader's /admin is among the people's stems: %v", r)
		}
	}
}

// TestVisitorsCompact: a visitors state fed many chunks merges its runs, and counts each visitor once however many chunks name it, the
// robots.txt reader not among the people, as the whole log does.
func TestVisitorsCompact(t *testing.T) {
	var recs []uaRec
	for i := range 150_000 {
		recs = append(recs, uaRec{"192.0.2." + strconv.Itoa(i%250) + "." + strconv.Itoa(i%97), "/p", []string{chrome, firefox, gbot}[i%3], 0})
	}
	recs = append(recs, uaRec{"192.0.2.1.1", "/robots.txt", []string{chrome, firefox, gbot}[1], 0})
	f := uaFrame(recs)
	in := &Input{Frame: f, Loc: time.UTC}
	p := configured(t, "visitors", nil).(Partial)
	run, err := p.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	const chunks = 16
	st := p.NewState(in).(*visitorsState)
	for c := range chunks {
		if err := st.Add(context.Background(), f.Subset(dealt(f.Len(), c, chunks))); err != nil {
			t.Fatal(err)
		}
	}
	distinct := map[string]bool{} // day, IP and agent of each record (uaFrame's times: t0 + its index)
	for i, r := range recs {
		distinct[fmt.Sprint((t0+int64(i))/86400, r.ip, r.agent)] = true
	}
	held := 0
	for _, set := range st.Visitors {
		eachBit(set, func(uint32) { held++ })
	}
	if held != len(distinct) {
		t.Errorf("%d visitors held, want %d", held, len(distinct))
	}
	got, err := st.Finish(context.Background(), &Input{Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(run)
	js, _ := json.Marshal(got)
	if string(js) != string(want) {
		t.Errorf("compacted chunks differ from the whole log:\n%s\n%s", js, want)
	}
}

// TestCodedTallies: the visitors state's tallies of stems, referers and
// hosts merged from chunks, each state read back from gob as a partial
// holds it, equal those of one state given the whole frame, and both
// count as Tally.AddColumn does; a chunk without a column counts its rows
// as the empty string. The state of the whole frame builds no index of
// its strings.
func TestCodedTallies(t *testing.T) {
	var b frame.Builder
	b.Begin(frame.Cols(frame.IP, frame.UserAgent, frame.Stem, frame.Referer, frame.Host))
	var r frame.Row
	for i := range 6000 {
		r.Reset()
		r.Time = t0 + int64(i)
		r.Str[frame.IP] = []byte("192.0.2." + strconv.Itoa(i%250))
		r.Str[frame.UserAgent] = []byte([]string{chrome, firefox, gbot}[i%3])
		r.Str[frame.Stem] = []byte("/p/" + strconv.Itoa(i*7%900))
		if i%5 != 0 {
			r.Str[frame.Referer] = []byte("https://ref" + strconv.Itoa(i%37) + ".example.org/from/" + strconv.Itoa(i%400))
		}
		r.Str[frame.Host] = []byte([]string{"example.com", "www.example.com", "cdn.example.com"}[i%7%3])
		b.Add(&r)
	}
	f := b.Frame()
	noCols := handFrame([]rec{{6000, "192.0.2.9", "GET", "/x", "200"}, {6001, "192.0.2.9", "GET", "/p/7", "200"}})
	var whole frame.Frame
	whole.Append(f)
	whole.Append(noCols)

	p := configured(t, "visitors", nil).(Partial)
	one := p.NewState(&Input{Frame: &whole, Loc: time.UTC}).(*visitorsState)
	if err := one.Add(context.Background(), &whole); err != nil {
		t.Fatal(err)
	}
	noFrame := &Input{Loc: time.UTC}
	var merged *visitorsState
	chunks := []*frame.Frame{f.Subset(dealt(f.Len(), 0, 3)), noCols, f.Subset(dealt(f.Len(), 1, 3)), f.Subset(dealt(f.Len(), 2, 3))}
	for _, c := range chunks {
		st := p.NewState(noFrame)
		if err := st.Add(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(st); err != nil {
			t.Fatal(err)
		}
		back := p.NewState(noFrame).(*visitorsState)
		if err := gob.NewDecoder(&buf).Decode(back); err != nil {
			t.Fatal(err)
		}
		if merged == nil {
			merged = back
		} else if err := merged.Merge(back); err != nil {
			t.Fatal(err)
		}
	}
	asTally := func(ct *CodedTally) Tally {
		out := Tally{}
		for c, n := range ct.Counts() {
			if n > 0 {
				out[ct.Dict.At(uint32(c))] += n
			}
		}
		return out
	}
	for _, tc := range []struct {
		col       frame.StrCol
		one, many *CodedTally
	}{
		{frame.Stem, &one.Stems, &merged.Stems},
		{frame.Referer, &one.Refs, &merged.Refs},
		{frame.Host, &one.Hosts, &merged.Hosts},
	} {
		want := Tally{}
		want.AddColumn(&whole, tc.col)
		if got := asTally(tc.one); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: one state counts %d strings, AddColumn %d; differ", tc.col, len(got), len(want))
		}
		if got := asTally(tc.many); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: merged chunks count %d strings, AddColumn %d; differ", tc.col, len(got), len(want))
		}
		if tc.one.Dict.index != nil {
			t.Errorf("%s: the state of one frame built an index of its strings", tc.col)
		}
	}
	if n := asTally(&merged.Refs)[""]; n != 1200+2 {
		t.Errorf("merged: %d requests without a referer, want 1202 (1200, and the 2 of the chunk without the column)", n)
	}
	if n := asTally(&merged.Stems)["/p/7"]; n != 7+1 {
		t.Errorf("merged: /p/7 counted %d times, want 8", n)
	}
	got, err := merged.Finish(context.Background(), noFrame)
	if err != nil {
		t.Fatal(err)
	}
	wantSec, err := one.Finish(context.Background(), noFrame)
	if err != nil {
		t.Fatal(err)
	}
	js, _ := json.Marshal(got)
	wantJS, _ := json.Marshal(wantSec)
	if string(js) != string(wantJS) {
		t.Errorf("merged chunks finish differently from one frame:\n%s\n%s", js, wantJS)
	}
}

// TestPeopleEvicted: past peopleKeysMax (client, stem) pairs, a uri_stems
// state lets go of the pairs of the clients with the fewest requests; the
// people's total stays exact, the stems whose pairs all stayed show exact
// counts, and a stem shown that lost pairs counts at most the requests
// of readers of /robots.txt the state let go, which a sentence states. A
// reader known before its pairs would go loses none.
func TestPeopleEvicted(t *testing.T) {
	defer func(n int) { peopleKeysMax = n }(peopleKeysMax)
	peopleKeysMax = 64
	var recs []uaRec
	// 600 clients of one request each; the reader 10.0.0.8 asks for a
	// popular stem first, as light a client as the others (its pair may
	// go), and reads /robots.txt last; the reader 10.0.0.9 reads it first,
	// then asks for /p/1 and /p/2 (known: nothing of it goes).
	recs = append(recs, uaRec{"10.0.0.8", "/p/0", firefox, 0}, uaRec{"10.0.0.9", "/robots.txt", firefox, 0})
	for i := range 600 {
		recs = append(recs, uaRec{"192.0.2." + strconv.Itoa(i), "/p/" + strconv.Itoa(i%7*i%13), chrome, 0})
		if i == 300 {
			recs = append(recs, uaRec{"10.0.0.9", "/p/1", firefox, 0}, uaRec{"10.0.0.9", "/p/2", firefox, 0})
		}
	}
	recs = append(recs, uaRec{"10.0.0.8", "/robots.txt", firefox, 0}, uaRec{"203.0.113.9", "/x", gbot, 0})
	f := uaFrame(recs)
	p := configured(t, "uri_stems", nil).(Partial)
	st := p.NewState(&Input{Loc: time.UTC}).(*uriStemsState)
	addInRuns(t, st, f, 8)
	if len(st.People) > peopleKeysMax {
		t.Fatalf("%d pairs kept, over %d", len(st.People), peopleKeysMax)
	}
	evicted := 0
	for _, e := range st.Evicted {
		if e {
			evicted++
		}
	}
	if evicted == 0 {
		t.Fatalf("no stem evicted with %d distinct pairs", len(recs))
	}
	got, err := st.Finish(context.Background(), &Input{Loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	// The truth: people's requests per stem, the reader's left out.
	truth := map[string]int{}
	people := 0
	for _, r := range recs {
		if r.agent == chrome {
			truth[r.stem]++
			people++
		}
	}
	tab := tableByID(got, "human_uri_stems")
	if tab == nil {
		t.Fatalf("no people's table")
	}
	js, _ := json.Marshal(got)
	if !strings.Contains(string(js), Int(people)+" of the") {
		t.Errorf("the people's total is not %d: %s", people, js)
	}
	// The readers' requests the state let go.
	unplaced := 0
	for _, ip := range []string{"10.0.0.8", "10.0.0.9"} {
		c, ok := st.Clients.LookupPair(Pair{ip, firefox})
		if ok && int(c) < len(st.Dropped) {
			if unplaced += st.Dropped[c]; ip == "10.0.0.9" && st.Dropped[c] > 0 {
				t.Errorf("the reader known from its first request lost %d requests", st.Dropped[c])
			}
		}
	}
	if unplaced != 1 {
		t.Fatalf("%d of the late reader's requests let go, want its first", unplaced)
	}
	wantConclusions(t, got, fmt.Sprintf("may include up to %s of the 2 clients that fetched", Count(unplaced, "request")))
	for _, r := range rows(tab) {
		stem, n := r[0].(string), r[1].(int)
		c, _ := st.StemDict.Lookup(stem)
		if st.Evicted[c] {
			if n < truth[stem] || n > truth[stem]+unplaced {
				t.Errorf("%s (evicted): %d, want within [%d, %d]", stem, n, truth[stem], truth[stem]+unplaced)
			}
		} else if n != truth[stem] {
			t.Errorf("%s: %d, want %d", stem, n, truth[stem])
		}
	}
}

// addInRuns adds f to st as n chunks of consecutive rows.
func addInRuns(t *testing.T, st State, f *frame.Frame, n int) {
	t.Helper()
	for c := range n {
		keep := make([]bool, f.Len())
		for i := c * f.Len() / n; i < (c+1)*f.Len()/n; i++ {
			keep[i] = true
		}
		if err := st.Add(context.Background(), f.Subset(keep)); err != nil {
			t.Fatal(err)
		}
	}
}

// dealt is the rows of chunk c of n when rows are dealt like cards.
func dealt(rows, c, n int) []bool {
	keep := make([]bool, rows)
	for i := c; i < rows; i += n {
		keep[i] = true
	}
	return keep
}
