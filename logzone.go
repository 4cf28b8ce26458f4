package logbook

import (
	"fmt"
	"strings"
	"time"

	"github.com/logbook/logbook/ingest"
)

// zoneNote is what was assumed about a source whose times carry no zone.
type zoneNote struct {
	source int  // index in the read's sources
	first  bool // the source holds the frame's first record
	name   string
	msg    string // without the source's name
}

// zoneProblems says the notes once per distinct note, with the sources it
// concerns (a folder of rotated logs gets one line, not one per file).
func zoneProblems(notes []zoneNote) []Problem {
	var order []string
	names := map[string][]string{}
	for _, n := range notes {
		if names[n.msg] == nil {
			order = append(order, n.msg)
		}
		names[n.msg] = append(names[n.msg], n.name)
	}
	var out []Problem
	for _, m := range order {
		src := names[m]
		who := strings.Join(src, ", ")
		if len(src) > 3 {
			who = fmt.Sprintf("%s, %s and %d more sources", src[0], src[1], len(src)-2)
		}
		out = append(out, Problem{Kind: ZonelessTimes, Message: who + ": " + m})
	}
	return out
}

// zonelessTimes finds the sources read in a format whose times carry no
// zone (ingest.Format.Zoneless: HAProxy's accept date), shifts their
// records' times from the wall clock they were read as (UTC) to loc when
// loc is given, and says, per source, what was assumed. The rows of a
// source are contiguous in the frame, in source order (ingest.Read). A
// source that changed format part-way, to or from a zone-less one, is not
// shifted (its rows per format are not known here), and the note says so.
//
// With byChunk, the records were read chunk by chunk and each chunk of a
// zone-less format was shifted as it came (shiftWallClock): only the notes
// are made, and a source that changed format had its zone-less part
// shifted.
func zonelessTimes(res *ingest.Result, loc *time.Location, byChunk bool) []zoneNote {
	zoneless := map[string]bool{}
	for _, f := range ingest.Formats() {
		if f.Zoneless {
			zoneless[f.Name] = true
		}
	}
	var notes []zoneNote
	row := 0
	for i, s := range res.Sources {
		start := row
		row += s.Records
		if s.Records == 0 {
			continue
		}
		all, some := zoneless[s.Format], zoneless[s.Format]
		for _, sp := range s.Formats {
			all = all && zoneless[sp.Format]
			some = some || zoneless[sp.Format]
		}
		if !some {
			continue
		}
		n := zoneNote{source: i, first: start == 0}
		switch {
		case loc == nil:
			n.msg = fmt.Sprintf("%s logs write their times without a zone; they were read as UTC (--log-tz ZONE gives the zone of the server's clock)",
				s.Format)
		case !all && !byChunk:
			n.msg = fmt.Sprintf("the %s times carry no zone and were read as UTC, not as %s: the source changed format part-way",
				s.Format, loc)
		case byChunk:
			n.msg = fmt.Sprintf("%s logs write their times without a zone; they were read as %s time (--log-tz)", s.Format, loc)
		default:
			shiftWallClock(res.Frame.Time[start:row], loc)
			if n.first {
				_, off := time.Unix(res.Frame.Time[start], 0).In(loc).Zone()
				res.Frame.Offset = int32(off)
			}
			n.msg = fmt.Sprintf("%s logs write their times without a zone; they were read as %s time (--log-tz)", s.Format, loc)
		}
		n.name = s.Name
		notes = append(notes, n)
	}
	return notes
}

// shiftWallClock turns times read as UTC, which are the wall clock of loc,
// into true Unix times. The offset is looked up once per quarter hour of
// wall clock (zones change offset on quarter hours); in the hour a clock
// is set back, the earlier of the two times is taken, as time.Date does.
func shiftWallClock(ts []int64, loc *time.Location) {
	const q = 900
	var lastQ, lastOff int64 = -1 << 62, 0
	for i, t := range ts {
		k := t / q
		if t < 0 && t%q != 0 {
			k--
		}
		if k != lastQ {
			w := time.Unix(k*q, 0).UTC()
			u := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc).Unix()
			lastQ, lastOff = k, k*q-u
		}
		ts[i] = t - lastOff
	}
}
