package analysis

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/logbook/logbook/frame"
)

func init() {
	Register(Info{
		Name:  "security",
		Title: "Scanners and probes",
		Doc:   "Requests for the paths vulnerability scanners probe (WordPress logins, .env and .git files, admin panels, path traversal...): who probes, what they tried and what they got.",
		Order: 700,
		Cost:  40, // ms per million rows
		Needs: frame.Cols(frame.Stem, frame.IP, frame.Status),
		New:   func() Analysis { return &security{} },
	})
}

type security struct {
	top int // rows the probe tables keep
}

var _ Configurable = (*security)(nil)

func (a *security) Params(p *Params) {
	p.Int(&a.top, "top", 1000, "how many rows the probe tables keep").AtLeast(1).AtMost(1_000_000)
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
	text   string // lower-case, with its leading "/"
	root   bool   // only at the start of the stem
}

var probeIndex = func() (x struct {
	bySlash map[[2]byte][]probePattern
	suffix  []probePattern
	substr  []probePattern
}) {
	x.bySlash = map[[2]byte][]probePattern{}
	for k, f := range probeFamilies {
		for _, p := range f.patterns {
			p = strings.ToLower(p)
			switch {
			case strings.HasPrefix(p, "^/") || strings.HasPrefix(p, "/"):
				pp := probePattern{family: k, root: p[0] == '^', text: strings.TrimPrefix(p, "^")}
				key := [2]byte{pp.text[1], 0}
				if len(pp.text) > 2 {
					key[1] = pp.text[2]
				}
				x.bySlash[key] = append(x.bySlash[key], pp)
			case strings.HasPrefix(p, "*"):
				x.suffix = append(x.suffix, probePattern{family: k, text: p[1:]})
			default:
				x.substr = append(x.substr, probePattern{family: k, text: p})
			}
		}
	}
	return x
}()

// probeFamilyOf returns the index of the family a stem belongs to (the
// first family in the list when several match), or -1.
func probeFamilyOf(stem string) int {
	if stem == "" {
		return -1
	}
	low := strings.ToLower(stem)
	best := len(probeFamilies)
	for i := 0; i < len(low); i++ {
		if low[i] != '/' || i+1 >= len(low) {
			continue
		}
		key := [2]byte{low[i+1], 0}
		if i+2 < len(low) {
			key[1] = low[i+2]
		}
		for _, p := range probeIndex.bySlash[key] {
			if p.family < best && (!p.root || i == 0) && segmentMatch(low[i:], p.text) {
				best = p.family
			}
		}
		if key[1] != 0 { // a pattern of one character after the slash
			for _, p := range probeIndex.bySlash[[2]byte{key[0], 0}] {
				if p.family < best && (!p.root || i == 0) && segmentMatch(low[i:], p.text) {
					best = p.family
				}
			}
		}
	}
	for _, p := range probeIndex.suffix {
		if p.family < best && strings.HasSuffix(low, p.text) {
			best = p.family
		}
	}
	for _, p := range probeIndex.substr {
		if p.family < best && strings.Contains(low, p.text) {
			best = p.family
		}
	}
	if best == len(probeFamilies) {
		return -1
	}
	return best
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
	n           int
	families    []bool
	paths       map[uint32]bool
	first, last int64
	statuses    map[string]int
}

func (a *security) Run(ctx context.Context, in *Input) (*Section, error) {
	f := in.Frame
	stems, ips, status := strCol(f, frame.Stem), strCol(f, frame.IP), strCol(f, frame.Status)
	total := f.Len()
	s := &Section{}
	s.Prose(fmt.Sprintf("Which clients probe for known weak spots? Requests for paths vulnerability scanners try (%s families, from WordPress logins to `.env` files and path traversal), by family, client and path. A probe answered with a 2xx status deserves a look: the target may exist.", Int(len(probeFamilies))))

	// Classify each distinct stem once.
	fam := make([]int8, len(stems.Dict))
	anyProbe := false
	for c, v := range stems.Dict {
		fam[c] = int8(probeFamilyOf(v))
		anyProbe = anyProbe || fam[c] >= 0
	}
	if !anyProbe {
		s.Conclude(fmt.Sprintf("No request matched a known scanner target (%s families checked).", Int(len(probeFamilies))))
		return s, nil
	}
	ok2xx := make([]bool, len(status.Dict))
	for c, v := range status.Dict {
		ok2xx[c] = statusClass(v) == "2xx"
	}
	type famAcc struct {
		n, ok int
		ips   map[uint32]bool
		paths map[uint32]bool
	}
	type pathAcc struct {
		n, ok int
		ips   map[uint32]int // requests per IP
	}
	fams := make([]famAcc, len(probeFamilies))
	for i := range fams {
		fams[i].ips, fams[i].paths = map[uint32]bool{}, map[uint32]bool{}
	}
	byIP := map[uint32]*probeIP{}
	byPath := map[uint32]*pathAcc{}
	probes, answered := 0, 0
	for i := range stems.Len() {
		sc := stems.At(i)
		k := fam[sc]
		if k < 0 {
			continue
		}
		ic, st := ips.At(i), status.At(i)
		probes++
		a := &fams[k]
		a.n++
		a.ips[ic] = true
		a.paths[sc] = true
		p := byPath[sc]
		if p == nil {
			p = &pathAcc{ips: map[uint32]int{}}
			byPath[sc] = p
		}
		p.n++
		p.ips[ic]++
		if ok2xx[st] {
			a.ok++
			p.ok++
			answered++
		}
		c := byIP[ic]
		if c == nil {
			c = &probeIP{ip: orDash(ips.Dict[ic]), families: make([]bool, len(probeFamilies)), paths: map[uint32]bool{},
				first: f.Time[i], last: f.Time[i], statuses: map[string]int{}}
			byIP[ic] = c
		}
		c.n++
		c.families[k] = true
		c.paths[sc] = true
		c.first, c.last = min(c.first, f.Time[i]), max(c.last, f.Time[i])
		c.statuses[orDash(status.Dict[st])]++
	}
	top := a.top

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
probes.groupby("family").agg(requests=("ip", "size"), clients=("ip", "nunique"), paths=("uri_stem", "nunique"), answered_2xx=("status", lambda s: s.str.startswith("2").sum()))`,
		Output{Table: ft})

	// probe_ips.
	clients := make([]*probeIP, 0, len(byIP))
	for _, c := range byIP {
		clients = append(clients, c)
	}
	slices.SortFunc(clients, func(a, b *probeIP) int { return byCountThenKey(a.n, a.ip, b.n, b.ip) })
	it := NewTable("probe_ips", "Probing clients",
		Column{"ip", Text}, Column{"requests", Integer}, Column{"families", Text}, Column{"paths", Integer},
		Column{"first_seen", Time}, Column{"last_seen", Time}, Column{"statuses", Text})
	it.Index = 0
	for _, c := range clients[:min(top, len(clients))] {
		it.Add(c.ip, c.n, strings.Join(c.familyNames(), ", "), len(c.paths),
			localTime(c.first, in.Loc), localTime(c.last, in.Loc), statusSummary(c.statuses))
	}
	s.Compute(fmt.Sprintf(`probes.groupby("ip").agg(requests=("uri_stem", "size"), families=("family", lambda s: ", ".join(sorted(s.unique()))), paths=("uri_stem", "nunique"), first_seen=("time", "min"), last_seen=("time", "max"), statuses=("status", status_summary)).sort_values("requests", ascending=False).head(%d)`, top),
		Output{Table: it})

	// probe_paths.
	type pathRow struct {
		stem string
		code uint32
		acc  *pathAcc
	}
	paths := make([]pathRow, 0, len(byPath))
	for sc, p := range byPath {
		paths = append(paths, pathRow{orDash(stems.Dict[sc]), sc, p})
	}
	slices.SortFunc(paths, func(a, b pathRow) int { return byCountThenKey(a.acc.n, a.stem, b.acc.n, b.stem) })
	pt := NewTable("probe_paths", "Probed paths",
		Column{"uri_stem", Text}, Column{"family", Text}, Column{"requests", Integer}, Column{"clients", Integer}, Column{"status_2xx", Integer})
	pt.Index = 0
	for _, p := range paths[:min(top, len(paths))] {
		pt.Add(p.stem, probeFamilies[fam[p.code]].name, p.acc.n, len(p.acc.ips), p.acc.ok)
	}
	s.Compute(fmt.Sprintf(`probes.groupby(["uri_stem", "family"]).agg(requests=("ip", "size"), clients=("ip", "nunique"), status_2xx=("status", lambda s: s.str.startswith("2").sum())).sort_values("requests", ascending=False).head(%d)`, top),
		Output{Table: pt})

	// Conclusions.
	var famParts []string
	for _, k := range order[:min(3, len(order))] {
		famParts = append(famParts, fmt.Sprintf("%s (%s)", probeFamilies[k].name, Int(fams[k].n)))
	}
	s.Conclude(fmt.Sprintf("%s (%s of all requests) from %s probed known scanner targets, most often %s.",
		Count(probes, "request"), Pct(float64(probes)/float64(total)), Count(len(clients), "client IP"), List(famParts)))
	var who []string
	for _, c := range clients[:min(3, len(clients))] {
		fams := List(c.familyNames())
		if k := len(c.familyNames()); k > 3 {
			fams = fmt.Sprintf("%d families", k)
		}
		who = append(who, fmt.Sprintf("%s (%s for %s, %s)", Code(c.ip), Count(c.n, "request"), Count(len(c.paths), "path"), fams))
	}
	s.Conclude(fmt.Sprintf("The busiest %s %s.", Plural(len(who), "scanner"), verbList(who)))
	lead := clients[0]
	s.Conclude(fmt.Sprintf("%s got %s.", Code(lead.ip), statusSummaryWords(lead.statuses)))
	var tried []string
	for _, p := range paths[:min(5, len(paths))] {
		tried = append(tried, Code(p.stem))
	}
	s.Conclude(fmt.Sprintf("The most probed %s %s.", Plural(len(tried), "path"), verbList(tried)))
	// Who asked for the classic targets, and for the most probed path.
	named := 0
	for _, p := range paths {
		if named == 3 {
			break
		}
		if p.stem != "/wp-login.php" && p.stem != "/.env" && p.stem != paths[0].stem {
			continue
		}
		named++
		var who []keyCount
		for ic, n := range p.acc.ips {
			who = append(who, keyCount{key: orDash(ips.Dict[ic]), n: n})
		}
		slices.SortFunc(who, func(a, b keyCount) int { return byCountThenKey(a.n, a.key, b.n, b.key) })
		var names []string
		for _, w := range who[:min(3, len(who))] {
			names = append(names, fmt.Sprintf("%s (%s)", Code(w.key), Int(w.n)))
		}
		if len(who) > 3 {
			names = append(names, Count(len(who)-3, "other IP"))
		}
		s.Conclude(fmt.Sprintf("%s was probed %s by %s.", Code(p.stem), Count(p.acc.n, "time"), List(names)))
	}
	s.Find("probes", SevNotice, len(clients), fmt.Sprintf("%s sent %s for known scanner targets (WordPress, .env, .git, admin panels, path traversal...).",
		Count(len(clients), "client IP"), Count(probes, "request")))
	if answered > 0 {
		var okPaths []pathRow
		for _, p := range paths {
			if p.acc.ok > 0 {
				okPaths = append(okPaths, p)
			}
		}
		slices.SortStableFunc(okPaths, func(a, b pathRow) int { return byCount(a.acc.ok, b.acc.ok) })
		var hits []string
		for _, p := range okPaths[:min(5, len(okPaths))] {
			hits = append(hits, fmt.Sprintf("%s (%s)", Code(p.stem), Int(p.acc.ok)))
		}
		n := len(okPaths)
		msg := fmt.Sprintf("%s for scanner targets got a 2xx response: %s", Count(answered, "probe"), List(hits))
		if n > len(hits) {
			msg += fmt.Sprintf(" and %s more", Count(n-len(hits), "path"))
		}
		msg += ". Check that these paths expose nothing."
		s.Conclude(msg)
		s.Find("probe_answered_2xx", SevWarning, answered, msg)
	} else {
		s.Conclude("None of the probes got a 2xx response.")
	}
	return s, nil
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

// statusSummaryWords is "12 responses with status `404` and 1 with `200`".
func statusSummaryWords(m map[string]int) string {
	var parts []string
	for i, lc := range labelCounts(m) {
		if i == 4 {
			parts = append(parts, "others")
			break
		}
		if i == 0 {
			parts = append(parts, fmt.Sprintf("%s with status %s", Count(lc.n, "response"), Code(lc.key)))
		} else {
			parts = append(parts, fmt.Sprintf("%s with %s", Int(lc.n), Code(lc.key)))
		}
	}
	return List(parts)
}
