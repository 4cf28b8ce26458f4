package analysis

import "slices"

// KeyCounts counts per packed key: a uint64 made of a state's codes (a
// client and a stem, a day and a visitor), as sorted runs of distinct keys
// with their counts. A run is added sorted and merged with the last ones
// while they are no more than twice its size, so that the runs stay few
// (about log₂ of the keys), each key is in one run once the runs have
// merged, and a key costs 16 bytes in pointer-free slices: no map entry,
// no string, nothing for the garbage collector to scan. Runs may name the
// same key until they merge; what reads them sums (Each).
type KeyCounts struct {
	Runs []KeyRun
}

// KeyRun is keys in ascending order, each once, with their counts.
type KeyRun struct {
	Keys   []uint64
	Counts []int
}

// Len is how many (key, count) the runs hold.
func (kc *KeyCounts) Len() int {
	n := 0
	for _, r := range kc.Runs {
		n += len(r.Keys)
	}
	return n
}

// AddKeys counts each of keys once (a key per record); max is at least
// the largest key (a bound for the sort). keys is reordered.
func (kc *KeyCounts) AddKeys(keys []uint64, max uint64) {
	if len(keys) == 0 {
		return
	}
	radixSort(keys, max)
	runs := 1
	for i := 1; i < len(keys); i++ {
		if keys[i] != keys[i-1] {
			runs++
		}
	}
	r := KeyRun{Keys: make([]uint64, 0, runs), Counts: make([]int, 0, runs)}
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j] == keys[i] {
			j++
		}
		r.Keys = append(r.Keys, keys[i])
		r.Counts = append(r.Counts, j-i)
		i = j
	}
	kc.addRun(r)
}

// AddRun adds a run whose keys are distinct, in any order (a run of
// another state whose codes were remapped): it is sorted first.
func (kc *KeyCounts) AddRun(r KeyRun) {
	if len(r.Keys) == 0 {
		return
	}
	if !slices.IsSorted(r.Keys) {
		order := make([]int, len(r.Keys))
		for i := range order {
			order[i] = i
		}
		slices.SortFunc(order, func(a, b int) int {
			if r.Keys[a] < r.Keys[b] {
				return -1
			}
			return 1 // the keys are distinct
		})
		s := KeyRun{Keys: make([]uint64, len(order)), Counts: make([]int, len(order))}
		for i, o := range order {
			s.Keys[i], s.Counts[i] = r.Keys[o], r.Counts[o]
		}
		r = s
	}
	kc.addRun(r)
}

func (kc *KeyCounts) addRun(r KeyRun) {
	kc.Runs = append(kc.Runs, r)
	for n := len(kc.Runs); n >= 2 && len(kc.Runs[n-2].Keys) <= 2*len(kc.Runs[n-1].Keys); n = len(kc.Runs) {
		kc.Runs[n-2] = mergeKeyRuns(kc.Runs[n-2], kc.Runs[n-1])
		kc.Runs = kc.Runs[:n-1]
	}
}

// Merge adds the counts of o, taking over its runs.
func (kc *KeyCounts) Merge(o KeyCounts) {
	for _, r := range o.Runs {
		kc.addRun(r)
	}
}

// Each calls fn for each key of every run with its count (a key in
// several runs is called once per run, unordered across runs).
func (kc *KeyCounts) Each(fn func(key uint64, n int)) {
	for _, r := range kc.Runs {
		for i, k := range r.Keys {
			fn(k, r.Counts[i])
		}
	}
}

// mergeKeyRuns merges two sorted runs into one, summing the counts of a
// key in both.
func mergeKeyRuns(a, b KeyRun) KeyRun {
	out := KeyRun{Keys: make([]uint64, 0, len(a.Keys)+len(b.Keys)), Counts: make([]int, 0, len(a.Keys)+len(b.Keys))}
	i, j := 0, 0
	for i < len(a.Keys) && j < len(b.Keys) {
		switch ka, kb := a.Keys[i], b.Keys[j]; {
		case ka < kb:
			out.Keys, out.Counts = append(out.Keys, ka), append(out.Counts, a.Counts[i])
			i++
		case kb < ka:
			out.Keys, out.Counts = append(out.Keys, kb), append(out.Counts, b.Counts[j])
			j++
		default:
			out.Keys, out.Counts = append(out.Keys, ka), append(out.Counts, a.Counts[i]+b.Counts[j])
			i, j = i+1, j+1
		}
	}
	out.Keys, out.Counts = append(out.Keys, a.Keys[i:]...), append(out.Counts, a.Counts[i:]...)
	out.Keys, out.Counts = append(out.Keys, b.Keys[j:]...), append(out.Counts, b.Counts[j:]...)
	if len(out.Keys) < cap(out.Keys)*3/4 { // many keys in both: give the spare capacity back
		out.Keys, out.Counts = slices.Clone(out.Keys), slices.Clone(out.Counts)
	}
	return out
}

// pack2 packs two codes in a key, a first.
func pack2(a, b uint32) uint64 { return uint64(a)<<32 | uint64(b) }

// unpack2 is pack2's inverse.
func unpack2(k uint64) (a, b uint32) { return uint32(k >> 32), uint32(k) }

// packBound is a bound of the keys pack2 makes of codes below na and nb.
func packBound(na, nb int) uint64 {
	if na == 0 || nb == 0 {
		return 0
	}
	return pack2(uint32(na-1), uint32(nb-1))
}

// growTo returns s with at least n elements, the new ones zero.
func growTo(s []int, n int) []int {
	if len(s) >= n {
		return s
	}
	return append(s, make([]int, n-len(s))...)
}
