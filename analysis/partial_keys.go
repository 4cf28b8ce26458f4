package analysis

import (
	"math"
	"slices"

	"github.com/logbook/logbook/frame"
)

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

// AddKeys counts each of keys once (a key per record). keys is
// reordered.
func (kc *KeyCounts) AddKeys(keys []uint64) {
	if len(keys) == 0 {
		return
	}
	radixSort(keys, slices.Max(keys))
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

// growTo returns s with at least n elements, the new ones zero.
func growTo(s []int, n int) []int {
	if len(s) >= n {
		return s
	}
	return append(s, make([]int, n-len(s))...)
}

// growBools is growTo for flags.
func growBools(s []bool, n int) []bool {
	if len(s) >= n {
		return s
	}
	return append(s, make([]bool, n-len(s))...)
}

// Clients interns a state's clients (IP and agent) as codes: each IP and
// agent string once (Dict), each client a pair of their codes, so that a
// key naming a client is a uint32.
type Clients struct {
	IPs, Agents Dict
	// IP and Agent are each client's codes in IPs and Agents.
	IP, Agent []uint32

	index map[uint64]uint32 // pack2(IP, agent) → client (rebuilt after gob)
}

// Len is how many clients there are.
func (cl *Clients) Len() int { return len(cl.IP) }

// Borrow is Dict.Borrow for the IPs and agents.
func (cl *Clients) Borrow(in *Input) {
	cl.IPs.Borrow(in)
	cl.Agents.Borrow(in)
}

// Code returns the client of IP and agent codes ip and ua, made when new.
func (cl *Clients) Code(ip, ua uint32) uint32 {
	if c, ok := cl.Lookup(ip, ua); ok {
		return c
	}
	c := uint32(len(cl.IP))
	cl.IP, cl.Agent = append(cl.IP, ip), append(cl.Agent, ua)
	cl.index[pack2(ip, ua)] = c
	return c
}

// Lookup returns the client of IP and agent codes ip and ua, if there is
// one.
func (cl *Clients) Lookup(ip, ua uint32) (uint32, bool) {
	if cl.index == nil {
		cl.index = make(map[uint64]uint32, len(cl.IP))
		for c := range cl.IP {
			cl.index[pack2(cl.IP[c], cl.Agent[c])] = uint32(c)
		}
	}
	c, ok := cl.index[pack2(ip, ua)]
	return c, ok
}

// LookupPair returns the client of the strings of p (IP, agent), if there
// is one.
func (cl *Clients) LookupPair(p Pair) (uint32, bool) {
	ip, ok1 := cl.IPs.Lookup(p.Key)
	ua, ok2 := cl.Agents.Lookup(p.Value)
	if !ok1 || !ok2 {
		return 0, false
	}
	return cl.Lookup(ip, ua)
}

// Marked is, per client, whether its (IP, agent) is in set: the robots.txt
// readers among the clients; any is whether one is.
func (cl *Clients) Marked(set map[Pair]bool) (marked []bool, any bool) {
	marked = make([]bool, cl.Len())
	for p := range set {
		if c, ok := cl.LookupPair(p); ok {
			marked[c], any = true, true
		}
	}
	return marked, any
}

// Remap interns o's clients and returns, for each client code of o, the
// code of the same client here.
func (cl *Clients) Remap(o *Clients) []uint32 {
	ip, ua := cl.IPs.Remap(&o.IPs), cl.Agents.Remap(&o.Agents)
	out := make([]uint32, o.Len())
	for c := range o.IP {
		out[c] = cl.Code(ip[o.IP[c]], ua[o.Agent[c]])
	}
	return out
}

// chunkClients turns a chunk's rows into clients, one row at a time: Of(i)
// is the client of row i, for the rows with need(i) given to newChunkClients.
// Most IPs keep one agent: the client of an IP's last agent spares most
// rows the look-up.
type chunkClients struct {
	cl                 *Clients
	ips, agents        frame.CodeView
	ipCode, uaCode     []uint32
	needUA             []bool // the agent codes interned
	lastUA, lastClient []uint32
}

// newChunkClients interns the IPs and agents of the rows i of a chunk with
// need(i) (and no others: a state keeps only the strings it counts).
func newChunkClients(cl *Clients, ips, agents frame.CodeView, need func(i int) bool) *chunkClients {
	needIP, needUA := make([]bool, len(ips.Dict)), make([]bool, len(agents.Dict))
	for i := range agents.Len() {
		if need(i) {
			needIP[ips.At(i)], needUA[agents.At(i)] = true, true
		}
	}
	cc := &chunkClients{cl: cl, ips: ips, agents: agents, needUA: needUA,
		ipCode: cl.IPs.Codes(ips.Dict, needIP), uaCode: cl.Agents.Codes(agents.Dict, needUA),
		lastUA: make([]uint32, len(ips.Dict)), lastClient: make([]uint32, len(ips.Dict))}
	for i := range cc.lastUA {
		cc.lastUA[i] = math.MaxUint32
	}
	return cc
}

// Of returns the client of row i.
func (cc *chunkClients) Of(i int) uint32 {
	ip, ua := cc.ips.At(i), cc.agents.At(i)
	if cc.lastUA[ip] != ua {
		cc.lastUA[ip], cc.lastClient[ip] = ua, cc.cl.Code(cc.ipCode[ip], cc.uaCode[ua])
	}
	return cc.lastClient[ip]
}

// Compact merges the runs into one, each key once.
func (kc *KeyCounts) Compact() {
	for len(kc.Runs) > 1 {
		n := len(kc.Runs)
		kc.Runs[n-2] = mergeKeyRuns(kc.Runs[n-2], kc.Runs[n-1])
		kc.Runs = kc.Runs[:n-1]
	}
}
