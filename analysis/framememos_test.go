package analysis

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/logbook/logbook/frame"
)

// TestFrameMemosBuiltOnce runs every section on one frame of distinct
// clients (which the large memos are for), with the memos dropped once
// their readers are done and without: the sections are the same, each
// memo is built as many times (once: a reader missing from frameMemos,
// running after the drop, builds it again), and the columns hold none of
// frameMemos' memos at the end. Each section run alone leaves none of
// them behind: it reads only those that list it.
func TestFrameMemosBuiltOnce(t *testing.T) {
	jobs := Defaults(All())
	cols := []frame.StrCol{frame.IP, frame.UserAgent}
	run := func(release bool) (secs []*Section, held, built []int) {
		releaseMemos = release
		defer func() { releaseMemos = true }()
		f := uniqueFrame(3000)
		secs = RunAll(context.Background(), &Input{Frame: f, Loc: time.UTC}, jobs)
		for _, c := range cols {
			v, _ := f.View(c)
			h, b := v.Memos()
			held, built = append(held, h), append(built, b)
		}
		return secs, held, built
	}
	kept, keptHeld, keptBuilt := run(false)
	dropped, droppedHeld, droppedBuilt := run(true)
	if !reflect.DeepEqual(keptBuilt, droppedBuilt) {
		t.Errorf("memos built on the IP and agent columns: %v kept, %v dropped when read: a section reads one after its last listed reader", keptBuilt, droppedBuilt)
	}
	for k, c := range cols {
		want := 0
		for _, m := range frameMemos {
			if m.col == c {
				want++
			}
		}
		if keptBuilt[k] < want {
			t.Errorf("column %v: %d memos built, fewer than the %d of frameMemos: the test's frame does not make them", c, keptBuilt[k], want)
		}
		if droppedHeld[k] != keptHeld[k]-want {
			t.Errorf("column %v: %d memos held at the end, want %d (of %d, less frameMemos' %d)", c, droppedHeld[k], keptHeld[k]-want, keptHeld[k], want)
		}
	}
	// Each section alone: a memo of frameMemos it leaves behind is one it
	// reads without being listed (a listed reader, the only one, drops it).
	for _, j := range jobs {
		f := uniqueFrame(3000)
		RunAll(context.Background(), &Input{Frame: f, Loc: time.UTC}, []Job{j})
		for _, m := range frameMemos {
			v, _ := f.View(m.col)
			left := false
			v.Forget(func(key any) bool { left = left || m.matches(key); return false })
			if left {
				t.Errorf("section %s reads a memo of column %v, not listed among its readers %v", j.Info.Name, m.col, m.readers)
			}
		}
	}
	for i := range kept {
		kept[i].Elapsed, dropped[i].Elapsed = 0, 0
	}
	if !reflect.DeepEqual(kept, dropped) {
		t.Error("the sections differ when the memos are dropped")
	}
}
