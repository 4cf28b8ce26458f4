package frame

import "sync"

// A column keeps values derived from it that several analyses need, built
// once and shared: analyses running in parallel each classify the same
// million distinct user agents otherwise. A memo holds for the column as it
// was when it was built (its dictionary's length and its rows); a column
// that grows after gets a fresh one.

type memo struct {
	once      sync.Once
	dict, len int
	val       any
}

// memoTable is a column's memos by key, and how many it has built.
type memoTable struct {
	mu    sync.Mutex
	m     map[any]*memo
	built int
}

// Memo returns the value build made for key on this column, calling build
// once per key (per state of the column) however many goroutines ask at
// the same time: the others wait for it. The value is shared by every
// caller, who must not modify it. key must be comparable; a key names what
// build computes, including whatever build depends on besides the column.
func (v CodeView) Memo(key any, build func() any) any {
	s := v.col
	if s == nil {
		return build()
	}
	t := &s.memos
	t.mu.Lock()
	if t.m == nil {
		t.m = map[any]*memo{}
	}
	m := t.m[key]
	if m == nil || m.dict != v.Dict.Len() || m.len != v.Len() {
		m = &memo{dict: v.Dict.Len(), len: v.Len()}
		t.m[key] = m
		t.built++
	}
	t.mu.Unlock()
	m.once.Do(func() { m.val = build() })
	return m.val
}

// Forget drops the column's memos whose keys match: for a caller who
// knows that no one will ask for them again (the last analysis that reads
// them has finished), so that their memory goes before the column's does.
// A holder of a value keeps it; a later Memo of the same key builds it
// again.
func (v CodeView) Forget(match func(key any) bool) {
	if v.col == nil {
		return
	}
	t := &v.col.memos
	t.mu.Lock()
	defer t.mu.Unlock()
	for k := range t.m {
		if match(k) {
			delete(t.m, k)
		}
	}
}

// Memos reports how many memos the column holds, and how many it has
// built in all (a memo forgotten and asked for again counts twice).
func (v CodeView) Memos() (held, built int) {
	if v.col == nil {
		return 0, 0
	}
	t := &v.col.memos
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.m), t.built
}
