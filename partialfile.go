package logbook

import (
	"bufio"
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/logbook/logbook/analysis"
	"github.com/logbook/logbook/ingest"
	"github.com/logbook/logbook/report"
)

// Partial files (docs/partials.md): what a run accumulated, saved before
// the sections are finished, so that later runs merge it with others (a
// week from seven days) or with more raw inputs.
//
// A partial file is the line partialMagic, then a zstd stream holding one
// gob-encoded partialFile. The version in the magic line changes whenever
// the layout of partialFile or of any section's state changes; a partial
// of another version is refused with both versions named.

// PartialVersion is the version of the partial files this logbook writes
// and reads.
const PartialVersion = 5

var partialMagic = "logbook partial v" + strconv.Itoa(PartialVersion) + "\n"

// PartialExt is the extension of partial files.
const PartialExt = ".lbp"

// partialFile is the content of a partial file.
type partialFile struct {
	Made     time.Time
	Settings partialSettings
	// Inputs are the inputs the partial covers, with their size and
	// checksum; inputs with no identity (standard input, SQL) are listed
	// with their name only.
	Inputs    []ingest.Identity
	Sources   []analysis.Source // the accounting of the inputs, for the report's sources table
	Read      int               // records read
	Malformed int
	ReadTimes analysis.TimeRange // of the records read
	Times     analysis.TimeRange // of the records selected
	Inventory analysis.Inventory // of the records selected
	Metrics   metricsAcc
	// States are the sections' states, each gob-encoded, by section id.
	States map[string][]byte
}

// partialSettings are the settings the states were accumulated with:
// partials merge only when theirs are equal, and a run that merges them
// must use the same.
type partialSettings struct {
	Zone      zoneSpec // where days and hours are counted
	LogFormat string
	LogZone   string
	Window    string // the window in words, "" for none
	From      time.Time
	Until     time.Time
	Filters   []string
	Anonymize string
	Crawlers  []string
	Site      []string
	// Params holds every parameter of every section, defaults included,
	// "section.name" = value as written.
	Params map[string]string
}

// zoneSpec is a *time.Location that gob can write: an IANA name, or a
// fixed offset.
type zoneSpec struct {
	Name   string
	Offset int  // seconds east of UTC, for a fixed zone
	Fixed  bool // Name is a fixed zone's name, not an IANA one
}

func specOf(loc *time.Location) zoneSpec {
	name := loc.String()
	if _, err := time.LoadLocation(name); err == nil && name != "" { // UTC, Local, an IANA zone
		return zoneSpec{Name: name}
	}
	_, off := time.Date(2000, 1, 1, 0, 0, 0, 0, loc).Zone()
	return zoneSpec{Name: name, Offset: off, Fixed: true}
}

func (z zoneSpec) location() (*time.Location, error) {
	if z.Fixed {
		return time.FixedZone(z.Name, z.Offset), nil
	}
	return time.LoadLocation(z.Name)
}

func (z zoneSpec) String() string {
	if z.Fixed {
		return fmt.Sprintf("%s (%+d s)", z.Name, z.Offset)
	}
	return z.Name
}

// settingsOf are the settings of a run with plan p in zone loc.
func settingsOf(cfg *Config, p *plan, loc *time.Location) partialSettings {
	s := partialSettings{Zone: specOf(loc), LogFormat: cfg.LogFormat, LogZone: cfg.LogTimeZone,
		Anonymize: cfg.AnonymizeIP, Crawlers: slices.Clone(cfg.Crawlers), Site: slices.Clone(p.site), Params: map[string]string{}}
	if p.sel.hasWindow() || p.sel.hasFilters() {
		s.From, s.Until, s.Window = p.sel.window(loc, time.Time{}, cfg.Now)
		s.Filters = p.sel.filters()
	}
	for _, j := range p.jobs {
		for _, prm := range j.Info.Params() {
			key := j.Info.Name + "." + prm.Name
			v, ok := cfg.Params[key]
			if !ok {
				v = prm.Default
			}
			s.Params[key] = v
		}
	}
	return s
}

// differs names the first setting in which s and o differ, or is "" when
// they agree. Parameters are compared for the sections of sections only,
// as numbers; the window only unless anyWindow (a partial made without one
// may still fit a run's window: accumulator.fits).
func (s partialSettings) differs(o partialSettings, sections []string, anyWindow bool) string {
	switch {
	case s.Zone != o.Zone:
		return fmt.Sprintf("days counted in %s, not %s (give both runs the same --tz)", o.Zone, s.Zone)
	case s.LogFormat != o.LogFormat:
		return fmt.Sprintf("log format %q, not %q", o.LogFormat, s.LogFormat)
	case s.LogZone != o.LogZone:
		return fmt.Sprintf("--log-tz %q, not %q", o.LogZone, s.LogZone)
	case !anyWindow && s.Window != o.Window:
		return fmt.Sprintf("window %q, not %q", o.Window, s.Window)
	case !slices.Equal(s.Filters, o.Filters):
		return fmt.Sprintf("filters %q, not %q", o.Filters, s.Filters)
	case s.Anonymize != o.Anonymize:
		return fmt.Sprintf("--anonymize-ip %q, not %q", o.Anonymize, s.Anonymize)
	case !slices.Equal(s.Crawlers, o.Crawlers):
		return fmt.Sprintf("--crawler rules %q, not %q", o.Crawlers, s.Crawlers)
	case !slices.Equal(s.Site, o.Site):
		return fmt.Sprintf("--site %q, not %q", o.Site, s.Site)
	}
	var keys []string
	for k := range s.Params {
		if sec, _, _ := strings.Cut(k, "."); slices.Contains(sections, sec) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		a, b := s.Params[k], o.Params[k]
		x, errA := strconv.ParseFloat(a, 64)
		y, errB := strconv.ParseFloat(b, 64)
		if a != b && (errA != nil || errB != nil || x != y) {
			return fmt.Sprintf("parameter %s=%s, not %s", k, b, a)
		}
	}
	return ""
}

// encodePartial writes f as a partial file.
func encodePartial(f *partialFile) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(partialMagic)
	zw, err := zstd.NewWriter(&buf, zstd.WithEncoderLevel(zstd.SpeedDefault))
	if err != nil {
		return nil, err
	}
	if err := gob.NewEncoder(zw).Encode(f); err != nil {
		zw.Close()
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// readPartial reads the partial file at path.
func readPartial(path string) (*partialFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return decodePartial(path, fh)
}

// decodePartial reads a partial file from r; name names it in errors.
func decodePartial(name string, rd io.Reader) (*partialFile, error) {
	path := name
	r := bufio.NewReader(rd)
	head, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(head, "logbook partial v") {
		return nil, fmt.Errorf("%s: not a logbook partial file", path)
	}
	if head != partialMagic {
		return nil, fmt.Errorf("%s: a partial of format %s; this logbook reads format v%d (make the partial again with this logbook)",
			path, strings.TrimSpace(strings.TrimPrefix(head, "logbook partial ")), PartialVersion)
	}
	zr, err := zstd.NewReader(r)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	f := new(partialFile)
	if err := gob.NewDecoder(zr).Decode(f); err != nil {
		return nil, fmt.Errorf("%s: the partial is damaged: %v", path, err)
	}
	return f, nil
}

// isPartialPath says whether an input names a partial file.
func isPartialPath(name string) bool { return strings.HasSuffix(strings.ToLower(name), PartialExt) }

// partialFormat writes the partial a run made, as the "partial" output.
var partialFormat = report.Format{Name: "partial", Ext: PartialExt,
	Render: func(w io.Writer, r *report.Report, _ report.Options) ([]report.CompanionFile, error) {
		if r.Partial == nil {
			return nil, errors.New("no partial was made")
		}
		_, err := w.Write(r.Partial)
		return nil, err
	}}

// lookupOutputFormat finds an output format by name or extension: a
// report format, or the partial.
func lookupOutputFormat(name string) (report.Format, bool) {
	if n := strings.ToLower(strings.TrimPrefix(name, ".")); n == "partial" || n == "lbp" {
		return partialFormat, true
	}
	return report.LookupFormat(name)
}

// outputFormatNames lists the output formats, the partial last.
func outputFormatNames() []string { return append(report.FormatNames(), partialFormat.Name) }
