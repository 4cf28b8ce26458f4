package logbook

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/logbook/logbook/templates"
)

// ConfigFile is a logbook.toml: the options of a run kept beside the logs
// or the site, so that the weekly run is one command. Flags override it.
// Relative paths in it (inputs, the output) are taken from the file's
// folder, so that the run does not depend on where it is started.
type ConfigFile struct {
	Path string
	// Config holds every option the file sets; Outputs are not resolved
	// (the command line may change the path or the formats alone).
	Config Config
	// Output and Formats are the file's [output] path and formats, "" and
	// nil when it has none.
	Output  string
	Formats []string
	// Set lists the options the file sets, by their flag names (since,
	// exclude-ip, fail-on ...), for the command line to know what to
	// override.
	Set map[string]bool
}

// configFile is the layout of logbook.toml (StarterConfig shows it).
type configFile struct {
	Title     string   `toml:"title"`
	Notes     string   `toml:"notes"`
	Site      []string `toml:"site"`
	Inputs    []string `toml:"inputs"`
	LogFormat string   `toml:"log_format"`
	TimeZone  string   `toml:"time_zone"`
	LogTZ     string   `toml:"log_time_zone"`
	Workers   int      `toml:"workers"`
	Window    struct {
		Since   string `toml:"since"`
		Until   string `toml:"until"`
		Last    string `toml:"last"`
		Week    string `toml:"week"`
		Compare string `toml:"compare"`
	} `toml:"window"`
	Filters struct {
		IncludeIP   []string `toml:"include_ip"`
		ExcludeIP   []string `toml:"exclude_ip"`
		IncludePath []string `toml:"include_path"`
		ExcludePath []string `toml:"exclude_path"`
		Status      []string `toml:"status"`
		Hosts       []string `toml:"hosts"`
		Crawlers    string   `toml:"crawlers"`
	} `toml:"filters"`
	Privacy struct {
		AnonymizeIP string `toml:"anonymize_ip"`
	} `toml:"privacy"`
	Sections struct {
		Only []string `toml:"only"`
		Skip []string `toml:"skip"`
	} `toml:"sections"`
	Params map[string]map[string]any `toml:"params"`
	Output struct {
		Path        string   `toml:"path"`
		Formats     []string `toml:"formats"`
		FrontMatter string   `toml:"front_matter"`
		AssetsDir   string   `toml:"assets_dir"`
		BaseURL     string   `toml:"base_url"`
	} `toml:"output"`
	Gates struct {
		FailOn []string `toml:"fail_on"`
		Strict bool     `toml:"strict"`
	} `toml:"gates"`
}

// fileKeys maps each key of the file to the flag it stands for.
var fileKeys = map[string]string{
	"title": "title", "notes": "notes", "site": "site", "inputs": "", "log_format": "log-format", "time_zone": "tz", "log_time_zone": "log-tz", "workers": "workers",
	"window.since": "since", "window.until": "until", "window.last": "last", "window.week": "week", "window.compare": "compare",
	"filters.include_ip": "include-ip", "filters.exclude_ip": "exclude-ip",
	"filters.include_path": "include-path", "filters.exclude_path": "exclude-path",
	"filters.status": "status", "filters.hosts": "host", "filters.crawlers": "crawlers",
	"privacy.anonymize_ip": "anonymize-ip",
	"sections.only":        "sections", "sections.skip": "skip",
	"output.path": "o", "output.formats": "format", "output.front_matter": "front-matter",
	"output.assets_dir": "assets-dir", "output.base_url": "base-url",
	"gates.fail_on": "fail-on", "gates.strict": "strict",
}

// LoadConfigFile reads a logbook.toml. An unknown key, or a value of the
// wrong type, is a *UsageError naming the key and its line.
func LoadConfigFile(path string) (*ConfigFile, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f configFile
	md, err := toml.Decode(string(src), &f)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, usagef("%s:%d: %s", path, pe.Position.Line, pe.Message)
		}
		return nil, usagef("%s: %s", path, strings.TrimPrefix(err.Error(), "toml: "))
	}
	if und := md.Undecoded(); len(und) > 0 {
		k := und[0]
		return nil, usagef("%s:%d: unknown key %s (known: %s)", path, keyLine(string(src), k), k, knownKeys())
	}
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if p == "" || p == "-" || filepath.IsAbs(p) {
			return p
		}
		keepSlash := strings.HasSuffix(p, "/")
		p = filepath.Join(dir, p)
		if keepSlash {
			p += string(filepath.Separator)
		}
		return p
	}
	out := &ConfigFile{Path: path, Set: map[string]bool{}}
	for _, k := range md.Keys() {
		if flag, ok := fileKeys[k.String()]; ok && flag != "" {
			out.Set[flag] = true
		}
	}
	c := &out.Config
	c.Title, c.LogFormat, c.TimeZone, c.Workers = f.Title, f.LogFormat, f.TimeZone, f.Workers
	c.Notes = rel(f.Notes)
	c.LogTimeZone = f.LogTZ
	c.Site = f.Site
	for _, in := range f.Inputs {
		c.Inputs = append(c.Inputs, rel(in))
	}
	c.Since, c.Until, c.Last, c.Week, c.Compare = f.Window.Since, f.Window.Until, f.Window.Last, f.Window.Week, f.Window.Compare
	c.IncludeIP, c.ExcludeIP = f.Filters.IncludeIP, f.Filters.ExcludeIP
	c.IncludePath, c.ExcludePath = f.Filters.IncludePath, f.Filters.ExcludePath
	c.Status, c.Hosts, c.CrawlerFilter = f.Filters.Status, f.Filters.Hosts, f.Filters.Crawlers
	c.AnonymizeIP = f.Privacy.AnonymizeIP
	c.Sections, c.Skip = f.Sections.Only, f.Sections.Skip
	c.FrontMatter, c.FailOn, c.Strict = f.Output.FrontMatter, f.Gates.FailOn, f.Gates.Strict
	out.Output, out.Formats = rel(f.Output.Path), f.Output.Formats
	c.AssetsDir, c.BaseURL = rel(f.Output.AssetsDir), f.Output.BaseURL
	if len(f.Params) > 0 {
		c.Params = map[string]string{}
		for sec, ps := range f.Params {
			for name, v := range ps {
				var s string
				switch v := v.(type) {
				case int64:
					s = strconv.FormatInt(v, 10)
				case float64:
					s = strconv.FormatFloat(v, 'g', -1, 64)
				case string:
					s = v
				default:
					return nil, usagef("%s:%d: params.%s.%s: want a number, got %T", path, keyLine(string(src), toml.Key{"params", sec, name}), sec, name, v)
				}
				c.Params[sec+"."+name] = s
			}
		}
	}
	return out, nil
}

func knownKeys() string {
	var ks []string
	for k := range fileKeys {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return strings.Join(append(ks, "params.SECTION.NAME"), ", ")
}

// keyLine finds the line of key k in src: the line that sets its last part
// after the header of its table. 0 when it cannot tell.
func keyLine(src string, k toml.Key) int {
	if len(k) == 0 {
		return 0
	}
	table := strings.Join(k[:len(k)-1], ".")
	name := regexp.QuoteMeta(k[len(k)-1])
	keyRE := regexp.MustCompile(`^\s*("?)` + name + `("?)\s*=`)
	dotted := regexp.MustCompile(`^\s*` + regexp.QuoteMeta(table+".") + name + `\s*=`)
	header := regexp.MustCompile(`^\s*\[\s*([^\]]*?)\s*\]`)
	current := ""
	for i, line := range strings.Split(src, "\n") {
		if m := header.FindStringSubmatch(line); m != nil {
			current = m[1]
			continue
		}
		if (current == table && keyRE.MatchString(line)) || (table != "" && current == "" && dotted.MatchString(line)) {
			return i + 1
		}
	}
	return 0
}

// StarterConfig is the commented logbook.toml that logbook init writes.
var StarterConfig = templates.StarterConfig

// WriteStarterConfig writes StarterConfig to path, refusing to replace a
// file that exists.
func WriteStarterConfig(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s exists; logbook init does not replace it", path)
		}
		return err
	}
	if _, err := f.WriteString(StarterConfig); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
