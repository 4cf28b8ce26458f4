package analysis

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "security",
		Title: "Scanners and probes",
		Doc:   "Requests for the paths vulnerability scanners probe (WordPress logins, .env and .git files, admin panels, path traversal...): who probes, what they tried and what they got, told apart from the site's own pages under such paths; and password guessing (many POSTs from one client to a login page).",
		Order: 700,
		Cost:  60, // ms per million rows
		Needs: frame.Cols(frame.Stem, frame.IP, frame.Status),
		New:   func() Analysis { return &security{} },
	})
}

type security struct {
	top        int // rows the probe tables keep
	ownClients int // ordinary clients that make a probed pattern the site's own
	brute      int // POSTs from one client to one login path that make a brute force
}

var (
	_ Configurable = (*security)(nil)
	_ Partial      = (*security)(nil)
)

func (a *security) Params(p *Params) {
	p.Int(&a.top, "top", 1000, "how many rows the probe tables keep").AtLeast(1).AtMost(1_000_000)
	p.Int(&a.ownClients, "own_clients", 5, "how many ordinary clients (not scanners, with other requests too), answered 2xx or 3xx, make a pattern scanners probe the site's own").AtLeast(1).AtMost(1_000_000)
	p.Int(&a.brute, "brute", 100, "POST requests from one client to one login path that count as password guessing").AtLeast(2).AtMost(1_000_000)
}

// probeFamily is a kind of scanner target, recognised on the lower-cased URI
// stem by any of its patterns (see probePattern).
type probeFamily struct {
	name     string
	patterns []string
}

var probeFamilies = []probeFamily{
	{"WordPress", []string{"/wp-login.php", "/wp-admin", "/xmlrpc.php", "/wp-content/plugins", "/wp-includes", "/wp-config", "/wlwmanifest.xml"}},
	{"environment and config files", []string{"/.env", "/config.php", "/config.json", "/config.yml", "/.aws/", "/.ds_store", "/web.config", "/.htaccess", "/.htpasswd", "/settings.php", "/.npmrc", "/.dockercfg", "/docker-compose.yml", "/.ssh/", "/id_rsa"}},
	{"version control", []string{"/.git/", "/.git", "/.svn/", "/.hg/", "/.bzr/"}},
	{"phpMyAdmin and database panels", []string{"/phpmyadmin", "/pma/", "/myadmin", "/mysqladmin", "/adminer", "/dbadmin"}},
	{"PHPUnit remote code execution", []string{"/vendor/phpunit", "/phpunit/", "eval-stdin.php"}},
	{"CGI", []string{"^/cgi-bin/"}},
	{"Spring Boot actuator", []string{"/actuator"}},
	{"server status pages", []string{"^/server-status", "^/server-info", "^/status.php", "/phpinfo.php", "^/info.php"}},
	{"path traversal", []string{"../", "..%2f", "%2e%2e", "..\\", "/etc/passwd", "/proc/self/", "/win.ini", "/boot.ini"}},
	{"web shells", []string{"/shell.php", "/cmd.php", "/c99.php", "/r57.php", "/wso.php", "/alfa.php", "/webshell", "/up.php", "/uploader.php"}},
	{"backups and dumps", []string{"*.sql", "*.sql.gz", "*.bak", "*.swp", "^/backup", "^/dump", "^/db.zip", "^/site.zip", "^/www.zip", "^/backup.tar.gz"}},
	{"admin and login panels", []string{"^/administrator/", "^/admin.php", "/login.action", "^/manager/html", "^/owa/", "^/remote/login", "^/boaform/", "^/hnap1", "^/solr/admin", "/+cscoe+/"}},
}

// A pattern is one of:
//   - "/seg..." a path segment sequence anywhere in the stem (so
//     /blog/wp-login.php counts) that ends at a segment boundary, unless it
//     ends with "/" or names a file (.php, .xml): /.git matches /.git and
//     /.git/config, not /.github; /wp-admin not /wp-administrator;
//   - "^/seg..." the same, but only at the start of the stem;
//   - "*.ext" a suffix;
//   - anything else a substring.
//
// Stems are many (tens of thousands of distinct ones) and patterns ~100, so
// segment patterns are indexed by the two bytes after their slash: a stem
// is checked only against the patterns that can start at one of its
// slashes.
type probePattern struct {
	family int
	text   string    // lower-case, with its leading "/"
	root   bool      // only at the start of the stem
	id     int       // index in probeIndex.all
	bytes  [4]uint64 // of a substring pattern: bit c for each byte c of text
}

var probeIndex = func() (x struct {
	bySlash map[[2]byte][]probePattern
	// slashKeys has the bit of each key of bySlash (first byte << 8 |
	// second), so that a slash no pattern starts at costs a bit test
	// rather than two map look-ups: a third of classifying a million
	// distinct stems.
	slashKeys [1 << 16 / 64]uint64
	suffix    []probePattern
	substr    []probePattern
	all       []string // every pattern as written, by id
}) {
	x.bySlash = map[[2]byte][]probePattern{}
	for k, f := range probeFamilies {
		for _, p := range f.patterns {
			id := len(x.all)
			x.all = append(x.all, p)
			p = strings.ToLower(p)
			switch {
			case strings.HasPrefix(p, "^/") || strings.HasPrefix(p, "/"):
				pp := probePattern{family: k, root: p[0] == '^', text: strings.TrimPrefix(p, "^"), id: id}
				key := [2]byte{pp.text[1], 0}
				if len(pp.text) > 2 {
					key[1] = pp.text[2]
				}
				x.bySlash[key] = append(x.bySlash[key], pp)
				k := int(key[0])<<8 | int(key[1])
				x.slashKeys[k/64] |= 1 << (k % 64)
			case strings.HasPrefix(p, "*"):
				x.suffix = append(x.suffix, probePattern{family: k, text: p[1:], id: id})
			default:
				pp := probePattern{family: k, text: p, id: id}
				for i := 0; i < len(p); i++ {
					pp.bytes[p[i]>>6] |= 1 << (p[i] & 63)
				}
				x.substr = append(x.substr, pp)
			}
		}
	}
	return x
}()

// probeFamilyOf returns the index of the family a stem belongs to (the
// first family in the list when several match), or -1.
func probeFamilyOf(stem string) int {
	k, _ := probeMatch(stem)
	return k
}

// probeMatch returns the family a stem belongs to and the id of the pattern
// that matched it (the first pattern of the first matching family), or -1,
// -1.
func probeMatch(stem string) (family, pattern int) {
	if stem == "" {
		return -1, -1
	}
	// One pass for the bytes the stem holds lower-cased (which substring
	// patterns could be in it) and whether strings.ToLower would change
	// it: five substring searches in every distinct stem were a third of
	// the section on a million of them.
	var has [4]uint64
	plain := true // ASCII with no capital: the stem is its own lower case
	for i := 0; i < len(stem); i++ {
		c := stem[i]
		if c >= 0x80 || 'A' <= c && c <= 'Z' {
			plain = false
		}
		has[c>>6] |= 1 << (c & 63)
	}
	low := stem
	if !plain {
		low = strings.ToLower(stem)
		has = [4]uint64{}
		for i := 0; i < len(low); i++ {
			has[low[i]>>6] |= 1 << (low[i] & 63)
		}
	}
	best, bestID := len(probeFamilies), -1
	// The patterns are read in place (a copy of each, 40 bytes, for each
	// of a million distinct stems was most of the section's time).
	take := func(p *probePattern) {
		if p.family < best || p.family == best && p.id < bestID {
			best, bestID = p.family, p.id
		}
	}
	for i := strings.IndexByte(low, '/'); i >= 0 && i+1 < len(low); {
		key := [2]byte{low[i+1], 0}
		if i+2 < len(low) {
			key[1] = low[i+2]
		}
		if slashKey(key) {
			ps := probeIndex.bySlash[key]
			for j := range ps {
				if p := &ps[j]; p.family <= best && (!p.root || i == 0) && segmentMatch(low[i:], p.text) {
					take(p)
				}
			}
		}
		if key[1] != 0 && slashKey([2]byte{key[0], 0}) { // a pattern of one character after the slash
			ps := probeIndex.bySlash[[2]byte{key[0], 0}]
			for j := range ps {
				if p := &ps[j]; p.family <= best && (!p.root || i == 0) && segmentMatch(low[i:], p.text) {
					take(p)
				}
			}
		}
		next := strings.IndexByte(low[i+1:], '/')
		if next < 0 {
			break
		}
		i += 1 + next
	}
	suffix, substr := probeIndex.suffix, probeIndex.substr
	for j := range suffix {
		if p := &suffix[j]; p.family <= best && strings.HasSuffix(low, p.text) {
			take(p)
		}
	}
	for j := range substr {
		if p := &substr[j]; p.family <= best && p.bytes[0]&^has[0]|p.bytes[1]&^has[1]|p.bytes[2]&^has[2]|p.bytes[3]&^has[3] == 0 && strings.Contains(low, p.text) {
			take(p)
		}
	}
	if best == len(probeFamilies) {
		return -1, -1
	}
	return best, bestID
}

// slashKey says whether a pattern of bySlash has key.
func slashKey(key [2]byte) bool {
	k := int(key[0])<<8 | int(key[1])
	return probeIndex.slashKeys[k/64]&(1<<(k%64)) != 0
}

// segmentMatch reports whether s starts with the segment pattern p and the
// match ends at a boundary.
func segmentMatch(s, p string) bool {
	if !strings.HasPrefix(s, p) {
		return false
	}
	if p[len(p)-1] == '/' || len(s) == len(p) || strings.HasSuffix(p, ".php") || strings.HasSuffix(p, ".xml") {
		return true
	}
	switch s[len(p)] {
	case '/', '.', ';', '?', '~', '_', '-':
		return true
	}
	return false
}

// probeIP is what one probing client did.
type probeIP struct {
	ip          string
	code        uint32
	n           int // requests for probe paths (not the site's own)
	refused     int // of them, answered 4xx
	families    []bool
	paths       map[uint32]bool
	first, last int64
	statuses    map[string]int
	other       int  // its requests for anything else
	scanner     bool // see isScanner
	noIP        bool // the requests without a client IP (missingIP): no one client
}

// isScanner tells a scanner from a visitor who once asked for a path that
// scanners also try: most of its probes were refused (4xx), and it asked
// for at least three such paths or made no more other requests than
// probes.
//
// The requests without a client IP are no client: what they did is not
// one client's behaviour, so they are never a scanner (nor, for the site's
// own pages, an ordinary client).
func (c *probeIP) isScanner() bool {
	return !c.noIP && c.n > 0 && 2*c.refused >= c.n && (len(c.paths) >= 3 || c.other <= c.n)
}

// probeHit is the requests of one client for one probe path with one status.
type probeHit struct {
	stem, ip, status uint32
	n                int
	first, last      int64
}

// loginPaths end the stems that take a password by POST, the targets of
// password guessing (WordPress's wp-login.php and xmlrpc.php, Joomla's
// administrator, the usual login routes).
var loginPaths = []string{"/wp-login.php", "/xmlrpc.php", "/administrator/index.php", "/administrator", "/login", "/login.php", "/user/login", "/users/sign_in", "/signin", "/auth/login", "/admin/login", "/admin/login.php"}

// loginLast marks the last bytes of loginPaths.
var loginLast = func() (m [256]bool) {
	for _, p := range loginPaths {
		m[p[len(p)-1]] = true
	}
	return m
}()

func isLoginPath(stem string) bool {
	t := strings.TrimSuffix(stem, "/")
	if t == "" {
		return false
	}
	if b := t[len(t)-1]; b < 0x80 && !loginLast[lowerByte[b]] {
		return false // no login path ends with its last byte (ASCII: lower-cased as ToLower does): most stems, at the cost of one look
	}
	low := strings.ToLower(t)
	for _, p := range loginPaths {
		if strings.HasSuffix(low, p) {
			return true
		}
	}
	return false
}

// bruteForce is one client's POSTs to one login path.
type bruteForce struct {
	ip, stem       string // as shown
	rawIP, rawStem string // as written
	n              int
	first, last    int64
	statuses       map[string]int
}

// ownPattern is a probe pattern the site itself serves: many ordinary
// clients asked for paths under it and got answers.
type ownPattern struct {
	pattern                string
	paths, n, visitors, vn int // vn: requests from ordinary clients
	answered               int // of vn, answered 2xx or 3xx
}

func (a *security) Run(ctx context.Context, in *Input) (*Section, error) {
	return runPartial(ctx, a, in)
}

// securityState holds what the section needs of the records, keyed by
// strings as written: the requests per client IP (a client's other
// requests are its requests minus its probes), and the requests for probe
// paths and the POSTs to login paths per (stem, IP, status), each with
// their count and first and last times. Counts add up and times take the
// minimum and maximum, so merges are exact; the probe patterns, the
// site's own paths and the scanners are worked out at Finish, from all of
// it. Memory follows the distinct IPs and the distinct (stem, IP, status)
// of probe requests and login POSTs: a scanner that tries a million
// distinct paths costs a million keys, as it cost that many hits before.
type securityState struct {
	Top, OwnClients, Brute int // the section's parameters
	Rows                   int
	Requests               SortedKeys[int]      // per IP
	Probes                 map[secKey]TimeRange // requests for stems a probe pattern matches
	Posts                  map[secKey]TimeRange // POSTs to login paths (isLoginPath)

	// whole: the state takes one whole frame and is never merged
	// (addWhole), so Requests holds only the clients that probed, the
	// only ones Finish looks up.
	whole bool
}

// secKey is a request's URI stem, client IP and status, as written.
type secKey struct{ Stem, IP, Status string }

func (a *security) NewState(*Input) State {
	return &securityState{Top: a.top, OwnClients: a.ownClients, Brute: a.brute,
		Probes: map[secKey]TimeRange{}, Posts: map[secKey]TimeRange{}}
}

// Add groups the chunk's probe requests and login POSTs by their codes
// first, each distinct stem classified once, then folds each group into
// the state's strings once. A chunk without a column reads it as the
// empty string, as the frame of all sources holds it: no stem, no POST.
func (st *securityState) Add(_ context.Context, f *frame.Frame) error {
	st.Rows += f.Len()
	stems, ips, status := strColOrEmpty(f, frame.Stem), strColOrEmpty(f, frame.IP), strColOrEmpty(f, frame.Status)
	perIP := ips.Counts()
	// The probes and the login paths among the stems, in one pass (a
	// million distinct paths are a packed dictionary, decoded once).
	probe, login := make([]bool, stems.Dict.Len()), make([]bool, stems.Dict.Len())
	anyProbe := false
	var prober []bool // per IP code, whether it probed (whole only)
	if st.whole {
		prober = make([]bool, ips.Dict.Len())
	}
	stems.Dict.Scan(0, stems.Dict.Len(), func(c int, v string) {
		probe[c], login[c] = probeFamilyOf(v) >= 0, isLoginPath(v)
		anyProbe = anyProbe || probe[c]
	})
	if anyProbe {
		g := newSecGroups(f, &stems, &ips, &status)
		for i := range stems.Len() {
			if probe[stems.At(i)] {
				g.add(i)
			}
		}
		g.foldInto(st.Probes)
		if st.whole {
			for _, k := range g.keys {
				prober[k[1]] = true
			}
		}
	}
	// Every client's requests, to be merged with other chunks' (a client
	// that probes in one chunk may browse in another); over one whole
	// frame, only the clients that probed.
	st.Requests.Push(sortedFromCodes(&ips, func(c uint32) (int, bool) {
		return perIP[c], perIP[c] > 0 && (!st.whole || prober[c])
	}), addCount)
	methods, ok := f.View(frame.Method)
	if !ok {
		return nil
	}
	post, ok := methods.Lookup("POST")
	if !ok {
		return nil
	}
	g := newSecGroups(f, &stems, &ips, &status)
	for i := range methods.Len() {
		if methods.At(i) == post && login[stems.At(i)] {
			g.add(i)
		}
	}
	g.foldInto(st.Posts)
	return nil
}

// addWhole adds the whole frame of a run over one frame (see whole).
func (st *securityState) addWhole(ctx context.Context, f *frame.Frame) error {
	st.whole = true
	return st.Add(ctx, f)
}

// secGroups counts a chunk's rows per (stem, IP, status) code, with their
// first and last times.
type secGroups struct {
	f                  *frame.Frame
	stems, ips, status *frame.CodeView
	at                 map[[3]uint32]int
	keys               [][3]uint32
	ranges             []TimeRange
}

func newSecGroups(f *frame.Frame, stems, ips, status *frame.CodeView) *secGroups {
	return &secGroups{f: f, stems: stems, ips: ips, status: status, at: map[[3]uint32]int{}}
}

func (g *secGroups) add(i int) {
	k := [3]uint32{g.stems.At(i), g.ips.At(i), g.status.At(i)}
	j, ok := g.at[k]
	if !ok {
		j = len(g.ranges)
		g.at[k] = j
		g.keys = append(g.keys, k)
		g.ranges = append(g.ranges, TimeRange{})
	}
	g.ranges[j].AddTimes(g.f.Time[i : i+1])
}

// foldInto adds each group to m under its strings.
func (g *secGroups) foldInto(m map[secKey]TimeRange) {
	for j, k := range g.keys {
		sk := secKey{g.stems.Dict.Peek(k[0]), g.ips.Dict.Peek(k[1]), g.status.Dict.Peek(k[2])} // owned if new
		r, ok := m[sk]
		if !ok {
			sk = secKey{own(sk.Stem), own(sk.IP), own(sk.Status)}
		}
		r.Merge(g.ranges[j])
		m[sk] = r
	}
}

func (st *securityState) Merge(other State) error {
	o, err := mergeAs[*securityState](other)
	if err != nil {
		return err
	}
	st.Rows += o.Rows
	st.settle()
	o.settle()
	st.Requests.Merge(o.Requests, addCount)
	for _, m := range [][2]map[secKey]TimeRange{{st.Probes, o.Probes}, {st.Posts, o.Posts}} {
		for k, r := range m[1] {
			cur := m[0][k]
			cur.Merge(r)
			m[0][k] = cur
		}
	}
	return nil
}

// secDict is the distinct strings of a state's keys, sorted, as a
// frame's dictionary: Finish reads codes into it as Run once read the
// frame's.
type secDict struct {
	Dict frame.Dict
	code map[string]uint32
}

func newSecDict(vals map[string]bool) secDict {
	sorted := make([]string, 0, len(vals))
	for v := range vals {
		sorted = append(sorted, v)
	}
	slices.Sort(sorted)
	d := secDict{Dict: frame.DictOf(sorted...), code: make(map[string]uint32, len(vals))}
	for c, v := range sorted {
		d.code[v] = uint32(c)
	}
	return d
}

// settle merges the chunks' pushed keys (SortedKeys.Settle).
func (st *securityState) settle() { st.Requests.Settle(addCount) }

func (st *securityState) Finish(_ context.Context, in *Input) (*Section, error) {
	st.settle()
	total := st.Rows
	s := &Section{}
	s.Prose(fmt.Sprintf("Which clients probe for known weak spots? Requests for paths vulnerability scanners try (%s families, from WordPress logins to `.env` files and path traversal), by family, client and path. A client that asks for several of them and mostly gets 4xx answers is a scanner; a path under such a pattern that many ordinary clients (ones that also read other pages) ask for and get answered is taken for the site's own page, not a probe. A probe answered with a 2xx status deserves a look: the target may exist. Many POSTs from one client to a login page are password guessing.", Int(len(probeFamilies))))

	brutes := st.bruteForces()

	if len(st.Probes) == 0 {
		s.Conclude(fmt.Sprintf("No request matched a known scanner target (%s families checked).", Int(len(probeFamilies))))
		st.concludeBrute(s, brutes, in)
		return s, nil
	}
	// The probe requests grouped by (stem, IP, status), read as codes
	// into dictionaries of the strings the state holds.
	stemSet, ipSet, statusSet := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for k := range st.Probes {
		stemSet[k.Stem], ipSet[k.IP], statusSet[k.Status] = true, true, true
	}
	stems, ips, status := newSecDict(stemSet), newSecDict(ipSet), newSecDict(statusSet)
	hits := make([]probeHit, 0, len(st.Probes))
	for k, r := range st.Probes {
		hits = append(hits, probeHit{stem: stems.code[k.Stem], ip: ips.code[k.IP], status: status.code[k.Status], n: r.N, first: r.First, last: r.Last})
	}
	slices.SortFunc(hits, func(a, b probeHit) int {
		return cmp.Or(cmp.Compare(a.stem, b.stem), cmp.Compare(a.ip, b.ip), cmp.Compare(a.status, b.status))
	})
	// Classify each distinct stem once.
	fam := make([]int8, stems.Dict.Len())
	pat := make([]int16, stems.Dict.Len())
	for c, v := range stems.Dict.All() {
		k, p := probeMatch(v)
		fam[c], pat[c] = int8(k), int16(p)
	}
	class := make([]byte, status.Dict.Len()) // '2', '3', '4', '5' or 0
	for c, v := range status.Dict.All() {
		if sc := statusClass(v); sc != "other" {
			class[c] = sc[0]
		}
	}
	perIP := make([]int, ips.Dict.Len())
	for c, v := range ips.Dict.All() {
		perIP[c], _ = st.Requests.Get(v)
	}

	// clientsOf gathers what each client did over the hits kept.
	clientsOf := func(keep func(h probeHit) bool) map[uint32]*probeIP {
		byIP := map[uint32]*probeIP{}
		for _, h := range hits {
			if !keep(h) {
				continue
			}
			c := byIP[h.ip]
			if c == nil {
				raw := ips.Dict.At(h.ip)
				c = &probeIP{ip: orDash(raw), code: h.ip, families: make([]bool, len(probeFamilies)), paths: map[uint32]bool{},
					first: h.first, last: h.last, statuses: map[string]int{}, noIP: missingIP(raw)}
				byIP[h.ip] = c
			}
			c.n += h.n
			if class[h.status] == '4' {
				c.refused += h.n
			}
			c.families[fam[h.stem]] = true
			c.paths[h.stem] = true
			c.first, c.last = min(c.first, h.first), max(c.last, h.last)
			c.statuses[orDash(status.Dict.At(h.status))] += h.n
		}
		for _, c := range byIP {
			c.other = perIP[c.code] - c.n
			c.scanner = c.isScanner()
		}
		return byIP
	}

	// The site's own pages: a pattern whose paths at least ownClients
	// ordinary clients (not scanners, with other requests too) asked for,
	// answered 2xx or 3xx for most of their requests; under it, each path
	// that was itself answered for most requests.
	first := clientsOf(func(probeHit) bool { return true })
	visitor := func(ip uint32) bool { c := first[ip]; return !c.noIP && !c.scanner && c.other > 0 }
	type patAcc struct {
		visitors           map[uint32]bool
		vn, vAnswered      int
		paths, n, answered int
		lastStem           uint32
		pathSeen           bool
	}
	pats := make([]patAcc, len(probeIndex.all))
	pathN := map[uint32][2]int{} // requests, answered
	pathV := map[uint32][2]int{} // the same from ordinary clients
	for _, h := range hits {
		p := &pats[pat[h.stem]]
		ok := class[h.status] == '2' || class[h.status] == '3'
		if visitor(h.ip) {
			v := pathV[h.stem]
			v[0] += h.n
			if ok {
				v[1] += h.n
			}
			pathV[h.stem] = v
			if p.visitors == nil {
				p.visitors = map[uint32]bool{}
			}
			p.visitors[h.ip] = true
			p.vn += h.n
			if ok {
				p.vAnswered += h.n
			}
		}
		v := pathN[h.stem]
		v[0] += h.n
		if ok {
			v[1] += h.n
		}
		pathN[h.stem] = v
	}
	own := make([]bool, stems.Dict.Len())
	ownPats := map[int]*ownPattern{}
	for sc, v := range pathN {
		p := pats[pat[sc]]
		if len(p.visitors) < st.OwnClients || 2*p.vAnswered < p.vn || 2*v[1] < v[0] {
			continue
		}
		own[sc] = true
		op := ownPats[int(pat[sc])]
		if op == nil {
			op = &ownPattern{pattern: strings.TrimPrefix(probeIndex.all[pat[sc]], "^"), visitors: len(p.visitors)}
			ownPats[int(pat[sc])] = op
		}
		op.paths++
		op.n += v[0]
		op.vn += pathV[sc][0]
		op.answered += pathV[sc][1]
	}
	if len(ownPats) > 0 {
		list := make([]*ownPattern, 0, len(ownPats))
		for _, op := range ownPats {
			list = append(list, op)
		}
		slices.SortFunc(list, func(a, b *ownPattern) int { return byCountThenKey(a.n, a.pattern, b.n, b.pattern) })
		ot := NewTable("own_paths", "Paths scanners also try that look like the site's own",
			Column{"pattern", Text}, Column{"paths", Integer}, Column{"requests", Integer}, Column{"ordinary_clients", Integer},
			Column{"ordinary_requests", Integer}, Column{"ordinary_answered_2xx_3xx", Share})
		ot.Index = 0
		var parts []string
		for _, op := range list {
			ot.Add(op.pattern, op.paths, op.n, op.visitors, op.vn, float64(op.answered)/float64(op.vn))
			if len(parts) < 3 {
				parts = append(parts, fmt.Sprintf("%s (%s for %s from %s, %s answered)", Code(op.pattern), Count(op.vn, "request"), Count(op.paths, "path"),
					Count(op.visitors, "ordinary client"), Percent(float64(op.answered)/float64(op.vn))))
			}
		}
		if len(list) > 3 {
			parts = append(parts, Count(len(list)-3, "more pattern"))
		}
		s.Compute(fmt.Sprintf(`visitors = ~clients.scanner & (clients.other_requests > 0)
own = probes[probes.ip.isin(visitors.index)].groupby("pattern").filter(lambda g: g.ip.nunique() >= %d and g.status.str[0].isin(["2", "3"]).mean() >= 0.5)
own.groupby("pattern").agg(paths=("uri_stem", "nunique"), requests=("ip", "size"), ordinary_clients=("ip", "nunique"))`, st.OwnClients),
			Output{Table: ot})
		s.Conclude(fmt.Sprintf("Not every request for a path scanners try is a probe. %s %s the site's own, asked for by clients that also read other pages and answered with 2xx or 3xx, so %s left out of the probes below: %s.",
			verb(len(list), "This pattern", "These patterns"), verb(len(list), "looks like", "look like"), verb(len(list), "it is", "they are"), List(parts)))
	}

	byIP := clientsOf(func(h probeHit) bool { return !own[h.stem] })
	if len(byIP) == 0 {
		s.Conclude("Apart from those, no request matched a known scanner target.")
		st.concludeBrute(s, brutes, in)
		return s, nil
	}
	type famAcc struct {
		n, ok int
		ips   map[uint32]bool
		paths map[uint32]bool
	}
	type pathAcc struct {
		n, ok     int
		scannerOK int            // of ok, answered to scanners
		ips       map[uint32]int // requests per IP
	}
	fams := make([]famAcc, len(probeFamilies))
	for i := range fams {
		fams[i].ips, fams[i].paths = map[uint32]bool{}, map[uint32]bool{}
	}
	byPath := map[uint32]*pathAcc{}
	probes, answered, scannerOK := 0, 0, 0
	noIPOK := 0 // of answered, without a client IP
	for _, h := range hits {
		if own[h.stem] {
			continue
		}
		probes += h.n
		fa := &fams[fam[h.stem]]
		fa.n += h.n
		fa.ips[h.ip] = true
		fa.paths[h.stem] = true
		p := byPath[h.stem]
		if p == nil {
			p = &pathAcc{ips: map[uint32]int{}}
			byPath[h.stem] = p
		}
		p.n += h.n
		p.ips[h.ip] += h.n
		if class[h.status] == '2' {
			fa.ok += h.n
			p.ok += h.n
			answered += h.n
			if byIP[h.ip].scanner {
				p.scannerOK += h.n
				scannerOK += h.n
			}
			if byIP[h.ip].noIP {
				noIPOK += h.n
			}
		}
	}
	top := st.Top

	// probe_families.
	order := make([]int, 0, len(fams))
	for k := range fams {
		if fams[k].n > 0 {
			order = append(order, k)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		return byCountThenKey(fams[a].n, probeFamilies[a].name, fams[b].n, probeFamilies[b].name)
	})
	ft := NewTable("probe_families", "Probes per scanner target family",
		Column{"family", Text}, Column{"requests", Integer}, Column{"clients", Integer}, Column{"paths", Integer}, Column{"answered_2xx", Integer})
	ft.Index = 0
	for _, k := range order {
		a := fams[k]
		ft.Add(probeFamilies[k].name, a.n, len(a.ips), len(a.paths), a.ok)
	}
	s.Compute(`probes = requests.assign(family=requests.uri_stem.map(probe_family)).dropna(subset=["family"])
probes = probes[~probes.uri_stem.isin(own.uri_stem)]
probes.groupby("family").agg(requests=("ip", "size"), clients=("ip", "nunique"), paths=("uri_stem", "nunique"), answered_2xx=("status", lambda s: s.str.startswith("2").sum()))`,
		Output{Table: ft})

	// probe_ips.
	clients := make([]*probeIP, 0, len(byIP))
	scanners := 0
	noIPProbes := 0 // the probes without a client IP: a row of the table, no client of the sentences
	for _, c := range byIP {
		clients = append(clients, c)
		if c.scanner {
			scanners++
		}
		if c.noIP {
			noIPProbes += c.n
		}
	}
	slices.SortFunc(clients, func(a, b *probeIP) int {
		return cmp.Or(byCountThenKey(a.n, a.ip, b.n, b.ip), cmp.Compare(a.code, b.code)) // "" and "-" both show "-"
	})
	it := NewTable("probe_ips", "Probing clients",
		Column{"ip", Text}, Column{"requests", Integer}, Column{"families", Text}, Column{"paths", Integer},
		Column{"first_seen", Time}, Column{"last_seen", Time}, Column{"statuses", Text}, Column{"other_requests", Integer}, Column{"scanner", Text})
	it.Index = 0
	for _, c := range clients[:min(top, len(clients))] {
		scanner := yesNo(c.scanner)
		if c.noIP {
			scanner = "-" // not one client: not judged
		}
		it.Add(c.ip, c.n, strings.Join(c.familyNames(), ", "), len(c.paths),
			localTime(c.first, in.Loc), localTime(c.last, in.Loc), statusSummary(c.statuses), c.other, scanner)
	}
	s.Compute(fmt.Sprintf(`clients = probes.groupby("ip").agg(requests=("uri_stem", "size"), families=("family", lambda s: ", ".join(sorted(s.unique()))), paths=("uri_stem", "nunique"), first_seen=("time", "min"), last_seen=("time", "max"), statuses=("status", status_summary), refused=("status", lambda s: s.str.startswith("4").sum()))
clients["other_requests"] = requests.ip.value_counts().reindex(clients.index) - clients.requests
clients["scanner"] = (2 * clients.refused >= clients.requests) & ((clients.paths >= 3) | (clients.other_requests <= clients.requests))
clients.sort_values("requests", ascending=False).head(%d)`, top),
		Output{Table: it})

	// probe_paths.
	type pathRow struct {
		stem string
		code uint32
		acc  *pathAcc
	}
	paths := make([]pathRow, 0, len(byPath))
	for sc, p := range byPath {
		paths = append(paths, pathRow{orDash(stems.Dict.At(sc)), sc, p})
	}
	slices.SortFunc(paths, func(a, b pathRow) int {
		return cmp.Or(byCountThenKey(a.acc.n, a.stem, b.acc.n, b.stem), cmp.Compare(a.code, b.code))
	})
	pt := NewTable("probe_paths", "Probed paths",
		Column{"uri_stem", Text}, Column{"family", Text}, Column{"requests", Integer}, Column{"clients", Integer}, Column{"status_2xx", Integer})
	pt.Index = 0
	for _, p := range paths[:min(top, len(paths))] {
		pt.Add(p.stem, probeFamilies[fam[p.code]].name, p.acc.n, len(p.acc.ips), p.acc.ok)
	}
	s.Compute(fmt.Sprintf(`probes.groupby(["uri_stem", "family"]).agg(requests=("ip", "size"), clients=("ip", "nunique"), status_2xx=("status", lambda s: s.str.startswith("2").sum())).sort_values("requests", ascending=False).head(%d)`, top),
		Output{Table: pt})

	// Conclusions: of the clients that gave their IP.
	ipClients := slices.DeleteFunc(slices.Clone(clients), func(c *probeIP) bool { return c.noIP })
	from := Count(len(ipClients), "client IP")
	switch {
	case len(ipClients) == 0:
		from = "clients that gave no IP"
	case noIPProbes > 0:
		from += fmt.Sprintf(" (and %s without one)", Count(noIPProbes, "request"))
	}
	var famParts []string
	for _, k := range order[:min(3, len(order))] {
		famParts = append(famParts, fmt.Sprintf("%s (%s)", probeFamilies[k].name, Int(fams[k].n)))
	}
	// "most often" only when some families are left out of the list.
	which := ", most often " + List(famParts)
	switch {
	case len(order) == 1:
		which = ", all " + famParts[0]
	case len(order) == len(famParts):
		which = ": " + List(famParts)
	}
	s.Conclude(fmt.Sprintf("%s (%s of all requests) from %s probed known scanner targets%s.",
		Count(probes, "request"), Percent(float64(probes)/float64(total)), from, which))
	var sc []*probeIP
	for _, c := range ipClients {
		if c.scanner {
			sc = append(sc, c)
		}
	}
	if len(sc) > 0 {
		var who []string
		for _, c := range sc[:min(3, len(sc))] {
			fams := List(c.familyNames())
			if k := len(c.familyNames()); k >= 2 {
				fams = fmt.Sprintf("%d families", k)
			}
			who = append(who, fmt.Sprintf("%s (%s for %s, %s; %s refused with 4xx; %s)", Code(c.ip), Count(c.n, "request"), Count(len(c.paths), "path"), fams,
				Percent(float64(c.refused)/float64(c.n)), otherWords(c.other)))
		}
		how := "most of their probes were refused with 4xx, and they asked for several such paths or for little else"
		switch {
		case len(sc) == 1 && len(ipClients) == 1:
			s.Conclude("The client behaved like a scanner: most of its probes were refused with 4xx, and it asked for several such paths or for little else.")
		case len(sc) == 1:
			s.Conclude(fmt.Sprintf("1 of the %s behaved like a scanner: most of its probes were refused with 4xx, and it asked for several such paths or for little else.", Count(len(ipClients), "client")))
		case len(sc) == 2 && len(ipClients) == 2:
			s.Conclude("Both clients behaved like scanners: " + how + ".")
		case len(sc) == len(ipClients):
			s.Conclude(fmt.Sprintf("All %s behaved like scanners: %s.", Count(len(ipClients), "client"), how))
		default:
			s.Conclude(fmt.Sprintf("%s of the %s behaved like scanners: %s.", Int(len(sc)), Count(len(ipClients), "client"), how))
		}
		switch {
		case len(who) == 1:
			s.Conclude(fmt.Sprintf("The scanner was %s.", who[0]))
		case len(who) == len(sc):
			s.Conclude(fmt.Sprintf("The scanners were %s.", List(who)))
		default:
			s.Conclude(fmt.Sprintf("The busiest scanners were %s.", List(who)))
		}
		// The busiest scanner's statuses, unless they are one code, all
		// refused: "100% refused" above says it already.
		if b := sc[0]; len(b.statuses) > 1 || b.refused < b.n {
			s.Conclude(fmt.Sprintf("%s got %s.", Code(b.ip), statusSummaryWords(b.statuses)))
		}
	}
	if rest := len(ipClients) - len(sc); rest > 0 {
		var who []string
		for _, c := range ipClients {
			if !c.scanner && len(who) < 3 {
				who = append(who, fmt.Sprintf("%s (%s for %s; %s)", Code(c.ip), Count(c.n, "request"), Count(len(c.paths), "path"), otherWords(c.other)))
			}
		}
		s.Conclude(fmt.Sprintf("%s asked for such paths without behaving like %s (most of %s probes were answered, or %s read more other pages than probes): %s.",
			Count(rest, "client"), verb(rest, "a scanner", "scanners"), verb(rest, "its", "their"), verb(rest, "it", "they"), List(who)))
	}
	// The paths scanners asked for, most asked first.
	fromScanners := func(p pathRow) bool {
		for ic := range p.acc.ips {
			if byIP[ic].scanner {
				return true
			}
		}
		return false
	}
	var tried []string
	var scanned []pathRow
	for _, p := range paths {
		if fromScanners(p) {
			scanned = append(scanned, p)
			if len(tried) < 5 {
				tried = append(tried, Code(p.stem))
			}
		}
	}
	if len(tried) > 1 {
		s.Conclude(fmt.Sprintf("The most probed paths were %s.", List(tried)))
	}
	// Who asked for the classic targets, and for the most probed path.
	named := 0
	for _, p := range scanned {
		if named == 3 || len(ipClients) == 1 && noIPProbes == 0 {
			break
		}
		if p.stem != "/wp-login.php" && p.stem != "/.env" && p.stem != scanned[0].stem {
			continue
		}
		named++
		var who []keyCount
		noIP := 0 // the path's requests without a client IP
		for ic, n := range p.acc.ips {
			if byIP[ic].noIP {
				noIP += n
				continue
			}
			who = append(who, keyCount{key: orDash(ips.Dict.At(ic)), n: n, code: ic})
		}
		slices.SortFunc(who, func(a, b keyCount) int {
			return cmp.Or(byCountThenKey(a.n, a.key, b.n, b.key), cmp.Compare(a.code, b.code))
		})
		var names []string
		for _, w := range who[:min(3, len(who))] {
			names = append(names, fmt.Sprintf("%s (%s)", Code(w.key), Int(w.n)))
		}
		if len(who) > 3 {
			names = append(names, Count(len(who)-3, "other IP"))
		}
		if len(who) == 1 && noIP == 0 {
			names = []string{Code(who[0].key)}
		}
		if noIP > 0 {
			names = append(names, Count(noIP, "request")+" without a client IP")
		}
		s.Conclude(fmt.Sprintf("%s was probed %s by %s.", Code(p.stem), timesWords(p.acc.n), List(names)))
	}
	// With scanners found, the scanners finding is the one worth a key
	// finding; the count of every client that probed stays, as info.
	probeSev := SevNotice
	if scanners > 0 {
		probeSev = SevInfo
	}
	probesMsg := fmt.Sprintf("%s sent %s for known scanner targets (WordPress, .env, .git, admin panels, path traversal...).",
		Count(len(ipClients), "client IP"), Count(probes-noIPProbes, "request"))
	switch {
	case len(ipClients) == 0:
		probesMsg = fmt.Sprintf("%s without a client IP asked for known scanner targets (WordPress, .env, .git, admin panels, path traversal...).", Count(probes, "request"))
	case noIPProbes > 0:
		probesMsg = strings.TrimSuffix(probesMsg, ".") + fmt.Sprintf("; %s without a client IP did too.", Count(noIPProbes, "request"))
	}
	s.Find("probes", probeSev, len(ipClients), probesMsg)
	if scanners > 0 {
		s.Find("scanners", SevNotice, scanners, fmt.Sprintf("%s behaved like %s: most of %s probes were refused, and %s asked for several scanner targets or little else.",
			Count(scanners, "client IP"), verb(scanners, "a scanner", "scanners"), verb(scanners, "its", "their"), verb(scanners, "it", "they")))
	}
	okList := func(n func(pathAcc) int) (string, int) {
		var okPaths []pathRow
		for _, p := range paths {
			if n(*p.acc) > 0 {
				okPaths = append(okPaths, p)
			}
		}
		slices.SortStableFunc(okPaths, func(a, b pathRow) int { return byCount(n(*a.acc), n(*b.acc)) })
		var hits []string
		for _, p := range okPaths[:min(5, len(okPaths))] {
			hits = append(hits, fmt.Sprintf("%s (%s)", Code(p.stem), Int(n(*p.acc))))
		}
		if len(okPaths) > len(hits) {
			hits = append(hits, Count(len(okPaths)-len(hits), "more path"))
		}
		return List(hits), len(okPaths)
	}
	switch {
	case answered == 0:
		s.Conclude("None of the probes got a 2xx response.")
	case scannerOK > 0:
		list, _ := okList(func(p pathAcc) int { return p.scannerOK })
		msg := fmt.Sprintf("%s from scanners got a 2xx response: %s. Check that these paths expose nothing.", Count(scannerOK, "probe"), list)
		s.Conclude(msg)
		s.Find("probe_answered_2xx", SevWarning, scannerOK, msg)
	}
	if other := answered - scannerOK; other > 0 {
		list, n := okList(func(p pathAcc) int { return p.ok - p.scannerOK })
		switch {
		case noIPOK == other:
			// No client to judge: nothing to infer.
			s.Conclude(fmt.Sprintf("%s for such paths got a 2xx response, all without a client IP, so whether scanners sent them cannot be told: %s.",
				Count(other, "request"), list))
		default:
			to := "all to clients that do not behave like scanners"
			if noIPOK > 0 {
				to = fmt.Sprintf("to clients that do not behave like scanners (and %s without a client IP)", Count(noIPOK, "request"))
			}
			s.Conclude(fmt.Sprintf("%s for such paths got a 2xx response, %s, so %s probably %s of the site, too few visited to tell for sure: %s.",
				Count(other, "request"), to, verb(n, "it is", "they are"), verb(n, "a page", "pages"), list))
		}
	}
	st.concludeBrute(s, brutes, in)
	return s, nil
}

// bruteForces finds the clients that sent at least Brute POSTs to one
// login path, most first.
func (st *securityState) bruteForces() []bruteForce {
	type key struct{ ip, stem string }
	acc := map[key]*bruteForce{}
	for k, r := range st.Posts {
		b := acc[key{k.IP, k.Stem}]
		if b == nil {
			b = &bruteForce{ip: orDash(k.IP), stem: orDash(k.Stem), rawIP: k.IP, rawStem: k.Stem, first: r.First, last: r.Last, statuses: map[string]int{}}
			acc[key{k.IP, k.Stem}] = b
		}
		b.n += r.N
		b.first, b.last = min(b.first, r.First), max(b.last, r.Last)
		b.statuses[orDash(k.Status)] += r.N
	}
	var out []bruteForce
	for _, b := range acc {
		if b.n >= st.Brute {
			out = append(out, *b)
		}
	}
	slices.SortFunc(out, func(a, b bruteForce) int {
		return cmp.Or(byCountThenKey(a.n, a.ip, b.n, b.ip), strings.Compare(a.stem, b.stem),
			strings.Compare(a.rawIP, b.rawIP), strings.Compare(a.rawStem, b.rawStem)) // "" and "-" both show "-"
	})
	return out
}

// concludeBrute adds the table, sentence and finding of password guessing.
func (st *securityState) concludeBrute(s *Section, brutes []bruteForce, in *Input) {
	if len(brutes) == 0 {
		return
	}
	bt := NewTable("brute_force", fmt.Sprintf("Clients that sent %s or more POSTs to one login path", Int(st.Brute)),
		Column{"ip", Text}, Column{"uri_stem", Text}, Column{"posts", Integer}, Column{"first_seen", Time}, Column{"last_seen", Time}, Column{"statuses", Text})
	bt.Index = 0
	// The sentences and the finding are of clients that gave their IP:
	// the POSTs without one may be from one client or from many.
	clients := map[string]bool{}
	var named []bruteForce
	noIP := 0 // pairs without a client IP
	for _, b := range brutes {
		bt.Add(b.ip, b.stem, b.n, localTime(b.first, in.Loc), localTime(b.last, in.Loc), statusSummary(b.statuses))
		if missingIP(b.rawIP) {
			noIP++
			continue
		}
		clients[b.ip] = true
		named = append(named, b)
	}
	s.Compute(fmt.Sprintf(`posts = requests[(requests.method == "POST") & requests.uri_stem.map(is_login_path)]
posts.groupby(["ip", "uri_stem"]).agg(posts=("time", "size"), first_seen=("time", "min"), last_seen=("time", "max"), statuses=("status", status_summary)).query("posts >= %d")`, st.Brute),
		Output{Table: bt})
	if len(named) == 0 {
		b := brutes[0]
		s.Conclude(fmt.Sprintf("%s without a client IP went to %s in %s and got %s: that many login attempts may be password guessing, but with no client IP it cannot be told whether one client sent them.",
			Count(b.n, "POST request"), Code(b.stem), Span(time.Duration(b.last-b.first)*time.Second), statusSummaryWords(b.statuses)))
		return
	}
	b := named[0]
	msg := fmt.Sprintf("%s sent %s to %s in %s and got %s: that many login attempts from one client look like password guessing (a brute-force attack).",
		Code(b.ip), Count(b.n, "POST request"), Code(b.stem), Span(time.Duration(b.last-b.first)*time.Second), statusSummaryWords(b.statuses))
	if len(named) > 1 {
		msg += fmt.Sprintf(" %s did the same (%s or more POSTs to one login path).", Count(len(named)-1, "other client-path pair"), Int(st.Brute))
	}
	if noIP > 0 {
		msg += fmt.Sprintf(" Requests without a client IP sent %s or more POSTs to %s too, from one client or from many.", Int(st.Brute), Count(noIP, "login path"))
	}
	s.Conclude(msg)
	s.Find("brute_force", SevWarning, len(clients), fmt.Sprintf("%s sent %s or more POST requests to one login path (password guessing); the most, %s, came from %s to %s.",
		Count(len(clients), "client IP"), Int(st.Brute), Int(b.n), Code(b.ip), Code(b.stem)))
}

// otherWords is "no other request", "1 other request", "12 other requests".
func otherWords(n int) string {
	if n == 0 {
		return "no other request"
	}
	return Count(n, "other request")
}

// timesWords is "once", "twice", "3 times".
func timesWords(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return Count(n, "time")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func (c *probeIP) familyNames() []string {
	var out []string
	for k, ok := range c.families {
		if ok {
			out = append(out, probeFamilies[k].name)
		}
	}
	slices.Sort(out)
	return out
}

// verbList is "was X" for one item and "were X, Y and Z" for more.
func verbList(items []string) string {
	return verb(len(items), "was", "were") + " " + List(items)
}

// statusSummary is "404×12, 200×1".
func statusSummary(m map[string]int) string {
	var parts []string
	for _, lc := range labelCounts(m) {
		parts = append(parts, lc.key+"×"+Int(lc.n))
	}
	return strings.Join(parts, ", ")
}

// statusSummaryWords is "12 responses with status `404` and 1 with `200`",
// with the requests that got no response (`000`) said as such.
func statusSummaryWords(m map[string]int) string {
	var parts []string
	none, noneCode := 0, ""
	for _, lc := range labelCounts(m) {
		if noResponse(lc.key) {
			if none == 0 {
				noneCode = lc.key
			}
			none += lc.n // said last, in words of its own
		}
	}
	for _, lc := range labelCounts(m) {
		if noResponse(lc.key) {
			continue
		}
		if len(parts) == 4 {
			parts = append(parts, "others")
			break
		}
		if len(parts) == 0 {
			parts = append(parts, fmt.Sprintf("%s with status %s", Count(lc.n, "response"), Code(lc.key)))
		} else {
			parts = append(parts, fmt.Sprintf("%s with %s", Int(lc.n), Code(lc.key)))
		}
	}
	// A status that says no response was sent (CloudFront's 000, when the
	// viewer went away first): "2 responses with status 000" was false.
	if none > 0 {
		words := fmt.Sprintf("no response to %s (status %s)", Count(none, "request"), Code(noneCode))
		if k := len(parts); k > 0 && parts[k-1] == "others" {
			parts = append(parts[:k-1], words, "others")
		} else {
			parts = append(parts, words)
		}
	}
	return List(parts)
}
