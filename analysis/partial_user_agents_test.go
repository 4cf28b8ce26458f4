package analysis

import (
	"bytes"
	"context"
	"encoding/gob"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// uaRow is a record of a chunk built by hand: its time (seconds after t0)
// and the columns the chunk has.
type uaRow struct {
	at              int64
	ip, stem, agent string
	size            float64
}

// uaChunk builds a chunk with the columns cols of rows (the others left
// out, as a log format without them would).
func uaChunk(cols frame.Set, rows []uaRow) *frame.Frame {
	var b frame.Builder
	b.Begin(cols)
	var r frame.Row
	for _, x := range rows {
		r.Reset()
		r.Time = t0 + x.at
		r.Str[frame.IP], r.Str[frame.Stem], r.Str[frame.UserAgent] = []byte(x.ip), []byte(x.stem), []byte(x.agent)
		r.Num[frame.Bytes] = x.size
		b.Add(&r)
	}
	return b.Frame()
}

var uaAllCols = frame.Cols(frame.IP, frame.Stem, frame.UserAgent, frame.Bytes)

// uaMerged is the section finished, without a frame, from one state per
// chunk, each written with gob and read back, merged in the order given.
func uaMerged(t *testing.T, in *Input, chunks []*frame.Frame, order []int) *Section {
	t.Helper()
	ctx := context.Background()
	var st State
	for _, i := range order {
		one := userAgents{}.NewState(in)
		if err := one.Add(ctx, chunks[i]); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(one); err != nil {
			t.Fatal(err)
		}
		back := userAgents{}.NewState(in)
		if err := gob.NewDecoder(&buf).Decode(back); err != nil {
			t.Fatal(err)
		}
		if st == nil {
			st = back
			continue
		}
		if err := st.Merge(back); err != nil {
			t.Fatal(err)
		}
	}
	noFrame := *in
	noFrame.Frame = nil
	s, err := st.Finish(ctx, &noFrame)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func uaJSON(t *testing.T, s *Section) string {
	t.Helper()
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// uaWhole is the input of the chunks' records in one frame (columns a
// chunk lacks read as empty, bytes as missing).
func uaWhole(chunks []*frame.Frame) *Input {
	whole := &frame.Frame{}
	for _, c := range chunks {
		whole.Append(c)
	}
	return &Input{Frame: whole, Loc: time.UTC}
}

// TestUserAgentsReaderInLaterChunk: a client with Firefox's agent fetches
// pages in one chunk and /robots.txt in a later one. Alone, the first
// chunk has no robots.txt reader; merged, either way round, the client's
// three requests and their bytes move to the crawlers, as on one frame.
func TestUserAgentsReaderInLaterChunk(t *testing.T) {
	first := uaChunk(uaAllCols, []uaRow{
		{0, "10.0.0.3", "/", firefox, 100},
		{1, "10.0.0.3", "/a", firefox, 100},
		{2, "10.0.0.1", "/", chrome, 100},
		{3, "10.0.0.7", "/", gbot, 100},
	})
	later := uaChunk(uaAllCols, []uaRow{
		{10, "10.0.0.3", "/robots.txt", firefox, 10},
		{11, "10.0.0.1", "/b", chrome, 100},
	})
	chunks := []*frame.Frame{first, later}
	in := uaWhole(chunks)
	run, err := userAgents{}.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := uaJSON(t, run)
	wantCrawlers := [][]any{
		// crawler, kind, requests, share, clients, user_agents, robots_txt_requests
		{robotsReader, kindRobotsReader, 3, 0.5, 1, 1, 1},
		{"Googlebot", KindSearch, 1, 1.0 / 6, 1, 1, 0},
	}
	if got := rows(tableByID(run, "crawlers")); !reflect.DeepEqual(got, wantCrawlers) {
		t.Errorf("crawlers:\n got %v\nwant %v", got, wantCrawlers)
	}
	wantBrowsers := [][]any{{familyCrawler, 4, 4.0 / 6}, {"Chrome", 2, 2.0 / 6}}
	if got := rows(tableByID(run, "browser_families")); !reflect.DeepEqual(got, wantBrowsers) {
		t.Errorf("browser_families:\n got %v\nwant %v", got, wantBrowsers)
	}
	// 100 (Googlebot) + 210 (the reader) of 510 bytes.
	wantConclusions(t, run, "1 client with a browser-like agent fetched `/robots.txt`; its 3 requests are counted as crawler traffic.",
		"They received 60.78% of the bytes")

	alone := uaMerged(t, &Input{Frame: first, Loc: time.UTC}, []*frame.Frame{first}, []int{0})
	if got := rows(tableByID(alone, "crawlers")); len(got) != 1 || got[0][0] != "Googlebot" {
		t.Errorf("the first chunk alone: crawlers %v, want Googlebot only", got)
	}
	for _, order := range [][]int{{0, 1}, {1, 0}} {
		if s := uaJSON(t, uaMerged(t, in, chunks, order)); s != want {
			t.Errorf("chunks merged in order %v differ from Run on one frame:\n%s", order, uaFirstDiff(want, s))
		}
	}
}

// TestUserAgentsFeedTieAcrossChunks: a feed reader announces 3 and then 5
// subscribers for the same feed at the same second, from two chunks; an
// older request announced 9. The latest count is the one of the greatest
// time, and at the same second the largest: 5, whichever chunk comes
// first, and in one state whichever row comes first.
func TestUserAgentsFeedTieAcrossChunks(t *testing.T) {
	agent := func(n string) string {
		return "Feedfetcher-Google; (+http://www.google.com/feedfetcher.html; " + n + " subscribers; feed-id=42)"
	}
	a := uaChunk(uaAllCols, []uaRow{{0, "10.0.0.9", "/feed.xml", agent("9"), 10}, {60, "10.0.0.9", "/feed.xml", agent("3"), 10}})
	b := uaChunk(uaAllCols, []uaRow{{60, "10.0.0.9", "/feed.xml", agent("5"), 10}})
	wantFeeds := [][]any{{"Feedfetcher-Google", "/feed.xml", "42", 5, localTime(t0+60, time.UTC)}}
	for _, order := range [][]int{{0, 1}, {1, 0}} {
		chunks := []*frame.Frame{a, b}
		in := uaWhole([]*frame.Frame{chunks[order[0]], chunks[order[1]]})
		run, err := userAgents{}.Run(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		if got := rows(tableByID(run, "feed_readers")); !reflect.DeepEqual(got, wantFeeds) {
			t.Errorf("one frame, chunks in order %v: feed_readers\n got %v\nwant %v", order, got, wantFeeds)
		}
		merged := uaMerged(t, in, chunks, order)
		if got := rows(tableByID(merged, "feed_readers")); !reflect.DeepEqual(got, wantFeeds) {
			t.Errorf("merged in order %v: feed_readers\n got %v\nwant %v", order, got, wantFeeds)
		}
		if s, want := uaJSON(t, merged), uaJSON(t, run); s != want {
			t.Errorf("merged in order %v differs from Run:\n%s", order, uaFirstDiff(want, s))
		}
	}
}

// TestUserAgentsMixedColumns: chunks from formats with different columns,
// merged in every order after a gob round trip, give Run's section on the
// frame that holds them all, where a missing IP or stem reads as empty and
// missing bytes as missing: the requests without an IP are no client (not
// counted among GPTBot's clients, and their fetch of /robots.txt with a
// browser's agent makes no reader: they may be many people's), while a
// client of a chunk without agents that fetched /robots.txt is a reader;
// the tables keep their clients, robots.txt and bytes figures.
func TestUserAgentsMixedColumns(t *testing.T) {
	full := uaChunk(uaAllCols, []uaRow{
		{0, "10.0.0.1", "/", chrome, 1000},
		{1, "10.0.0.2", "/", firefox, 1000},
		{2, "10.0.0.4", "/robots.txt", gptbot, 50},
		{3, "10.0.0.4", "/a", gptbot, 500},
	})
	noIP := uaChunk(frame.Cols(frame.Stem, frame.UserAgent), []uaRow{
		{4, "", "/robots.txt", firefox, 0},
		{5, "", "/", firefox, 0},
		{6, "", "/", gptbot, 0},
	})
	noStem := uaChunk(frame.Cols(frame.IP, frame.UserAgent), []uaRow{
		{7, "10.0.0.1", "", chrome, 0},
		{8, "10.0.0.5", "", gptbot, 0},
	})
	// A format without agents: its request reads as one without an agent,
	// which is not a crawler by name, so its client read /robots.txt.
	noAgent := uaChunk(frame.Cols(frame.IP, frame.Stem, frame.Bytes), []uaRow{
		{9, "10.0.0.6", "/robots.txt", "", 100},
	})
	chunks := []*frame.Frame{full, noIP, noStem, noAgent}
	in := uaWhole(chunks)
	run, err := userAgents{}.Run(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	want := uaJSON(t, run)
	wantCrawlers := [][]any{
		// crawler, kind, requests, share, clients, user_agents, robots_txt_requests
		{"GPTBot", KindAI, 4, 0.4, 2, 1, 1},
		{robotsReader, kindRobotsReader, 1, 0.1, 1, 1, 1},
	}
	if got := rows(tableByID(run, "crawlers")); !reflect.DeepEqual(got, wantCrawlers) {
		t.Errorf("crawlers:\n got %v\nwant %v", got, wantCrawlers)
	}
	// GPTBot and the reader had 650 of the 2,650 bytes.
	wantConclusions(t, run, "They received 24.53% of the bytes", "1 client with a browser-like agent fetched `/robots.txt`; that request is counted as crawler traffic.")
	for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 0, 1}, {1, 3, 2, 0}, {2, 1, 0, 3}} {
		if s := uaJSON(t, uaMerged(t, in, chunks, order)); s != want {
			t.Errorf("order %v differs from Run:\n%s", order, uaFirstDiff(want, s))
		}
	}
}

func uaFirstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-200)
	return "want …" + a[lo:min(len(a), i+200)] + "…\n got …" + b[lo:min(len(b), i+200)] + "…"
}
