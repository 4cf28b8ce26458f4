package frame

import "unsafe"

// MakeWritten is make([]T, n) with a zero written to each of its memory
// pages, for a large table whose first touch at a place is a read: a
// count incremented, a hash slot probed. Memory fresh from the kernel is
// not written by make; a read of such a page maps the shared zero page,
// and the write after it faults again, copying it and flushing the other
// cores' address caches (a cross-CPU interrupt each). Writing first takes
// one fault a page instead. On a million distinct keys that was a tenth
// of the analyses' CPU time (perf: do_wp_page, smp_call_function_many).
func MakeWritten[T any](n int) []T {
	s := make([]T, n)
	writePages(s)
	return s
}

// writePages writes a zero to each memory page of s, if s is large
// enough for it to matter (64 KiB).
func writePages[T any](s []T) {
	var zero T
	size := int(unsafe.Sizeof(zero))
	if size == 0 || len(s)*size < 64<<10 {
		return
	}
	step := max(1, 4096/size)
	for i := 0; i < len(s); i += step {
		s[i] = zero
	}
}
