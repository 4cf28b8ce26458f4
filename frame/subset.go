package frame

// Subset returns a new frame of the rows i where keep[i] is true, in order.
// Its dictionaries hold only the values those rows use, so that a section counting
// distinct values or looking one up sees the subset, not the frame it came
// from. f is not changed. len(keep) must be f.Len().
func (f *Frame) Subset(keep []bool) *Frame {
	if len(keep) != f.Len() {
		panic("frame.Subset: keep has the wrong length")
	}
	n := 0
	for _, k := range keep {
		if k {
			n++
		}
	}
	out := &Frame{Offset: f.Offset, Time: make([]int64, 0, n)}
	row := 0
	for _, r := range f.Runs {
		kept := 0
		for _, k := range keep[row : row+r.Rows] {
			if k {
				kept++
			}
		}
		if kept > 0 {
			out.AddRun(r.Format, kept)
		}
		row += r.Rows
	}
	for i, k := range keep {
		if k {
			out.Time = append(out.Time, f.Time[i])
		}
	}
	for c, s := range f.str {
		if s == nil {
			continue
		}
		out.str[c] = s.subset(keep, n)
	}
	for c, v := range f.num {
		if v == nil {
			continue
		}
		w := make([]float64, 0, n)
		for i, k := range keep {
			if k {
				w = append(w, v[i])
			}
		}
		out.num[c] = w
	}
	return out
}

// subset is the column of the kept rows, with a dictionary of the values
// they use, in the order the kept rows first use them, and its codes as
// narrow as that dictionary allows.
func (s *Strings) subset(keep []bool, rows int) *Strings {
	v := s.view()
	remap := make([]uint32, v.Dict.Len())
	const unseen = ^uint32(0)
	for i := range remap {
		remap[i] = unseen
	}
	out := newNarrowStrings()
	codes := make([]uint32, 0, rows)
	for i, k := range keep {
		if !k {
			continue
		}
		c := v.At(i)
		m := remap[c]
		if m == unseen {
			m = out.InternString(v.Dict.At(c))
			remap[c] = m
			if v.lin != nil && int(m) == len(out.global) {
				out.global = append(out.global, v.global[c])
			}
		}
		codes = append(codes, m)
	}
	out.appendCodes(codes, rows)
	if v.lin != nil {
		out.lin, out.sharedVals = v.lin, v.sharedVals // the same values, of the same shared codes
	}
	return out
}

// MapStr replaces every value v of column c by fn(v), calling fn once per
// distinct value; values that map to the same string share one code
// afterwards, so that counts and distinct values are those of the new
// values. A column the frame lacks is left absent.
func (f *Frame) MapStr(c StrCol, fn func(string) string) {
	s := f.str[c]
	if s == nil {
		return
	}
	v := s.view()
	out := newNarrowStrings()
	remap := make([]uint32, v.Dict.Len())
	for i, val := range v.Dict.All() {
		remap[i] = out.InternString(fn(val))
	}
	n := v.Len()
	codes := make([]uint32, n)
	for i := range n {
		codes[i] = remap[v.At(i)]
	}
	out.appendCodes(codes, n)
	f.str[c] = out
}

// DropStr removes column c, as if no source had filled it.
func (f *Frame) DropStr(c StrCol) { f.str[c] = nil }
