package analysis

import (
	"slices"

	"github.com/logbook/logbook/frame"
)

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

// addRemapped adds the counts of src, indexed by another state's codes,
// to dst, indexed by this state's: code[c] is this state's code of src's c,
// and n how many codes this state has.
func addRemapped(dst, src []int, code []uint32, n int) []int {
	dst = growTo(dst, n)
	for c, k := range src {
		dst[code[c]] += k
	}
	return dst
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

// chunkClients turns a chunk's rows into clients: Of(i) is the client of
// row i, for the rows with need(i) given to newChunkClients. The chunk's
// distinct (IP, agent) pairs come from frame.RowPairs, built once per frame
// for every section that keys on clients, so that a row costs a slice
// look-up and a distinct client one interning, rather than a map look-up a
// row per section.
type chunkClients struct {
	pairs  *frame.Pairs
	client []uint32 // per pair, its client in the state (pairs needed only)
	uaCode []uint32 // per agent code of the chunk, the state's
	needUA []bool   // the agent codes interned
}

// newChunkClients interns the IPs and agents of the rows i of a chunk with
// need(i) (and no others: a state keeps only the strings it counts).
//
// With anyPair, the caller counts what it counts per row and makes
// nothing of a client none of its rows is counted for: a state of a run
// over one frame then takes every pair as a client, the pairs themselves,
// rather than a copy of those needed and a client code per pair (on a
// million distinct clients, 11 MB that visitors held at the run's peak
// because some of their rows were 4xx answers).
func newChunkClients(cl *Clients, ips, agents frame.CodeView, need func(i int) bool, anyPair bool) *chunkClients {
	p := frame.RowPairs(ips, agents)
	needPair := make([]bool, len(p.A))
	nPairs := 0
	for i, k := range p.Row {
		if !needPair[k] && need(i) {
			needPair[k] = true
			nPairs++
		}
	}
	needIP, needUA := make([]bool, ips.Dict.Len()), make([]bool, agents.Dict.Len())
	for k, ok := range needPair {
		if ok {
			needIP[p.A[k]], needUA[p.B[k]] = true, true
		}
	}
	// A state with no client yet takes the chunk's as they are: distinct
	// pairs of distinct codes, with no index until one is asked for. In a
	// run over one frame, its IPs and agents are then the frame's own
	// dictionaries (Dict.Codes with every string needed): the strings no
	// client of the state has are never read, and the state is never
	// written to a partial.
	fresh := cl.Len() == 0 && cl.index == nil
	wantIP, wantUA := needIP, needUA
	borrowed := fresh && cl.IPs.borrow && cl.Agents.borrow
	if borrowed {
		wantIP, wantUA = nil, nil
	}
	ipCode, uaCode := cl.IPs.CodesOf(&ips, wantIP), cl.Agents.CodesOf(&agents, wantUA)
	if fresh && (nPairs == len(p.A) || anyPair && borrowed) && identity(ipCode) && identity(uaCode) {
		// Every pair, coded as the chunk codes them: the state's clients
		// are the pairs themselves, shared (capped, so that a client
		// added later copies them first), and a row's client its pair.
		n := len(p.A)
		cl.IP, cl.Agent = p.A[:n:n], p.B[:n:n]
		return &chunkClients{pairs: p, uaCode: uaCode, needUA: needUA}
	}
	if fresh {
		cl.IP, cl.Agent = slices.Grow(cl.IP, nPairs), slices.Grow(cl.Agent, nPairs)
	}
	client := make([]uint32, len(p.A))
	for k, ok := range needPair {
		if !ok {
			continue
		}
		ip, ua := ipCode[p.A[k]], uaCode[p.B[k]]
		if fresh {
			client[k] = uint32(len(cl.IP))
			cl.IP, cl.Agent = append(cl.IP, ip), append(cl.Agent, ua)
			continue
		}
		client[k] = cl.Code(ip, ua)
	}
	return &chunkClients{pairs: p, client: client, uaCode: uaCode, needUA: needUA}
}

// Of returns the client of row i.
func (cc *chunkClients) Of(i int) uint32 {
	if cc.client == nil {
		return cc.pairs.Row[i] // the clients are the pairs
	}
	return cc.client[cc.pairs.Row[i]]
}

// identity reports whether codes maps each code to itself.
func identity(codes []uint32) bool {
	for c, x := range codes {
		if x != uint32(c) {
			return false
		}
	}
	return true
}
