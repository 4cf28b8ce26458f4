package frame

// ConstView is a view of n rows that all hold v: how a column a frame
// lacks reads where it must read as some value for every row (an absent
// column holds the empty string in a frame whose other sources have it).
func ConstView(v string, n int) CodeView {
	return CodeView{Dict: DictOf(v), n8: make([]uint8, n)}
}
