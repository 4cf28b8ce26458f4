package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/logbook/logbook"
)

// defaultConfigFile is read from the working directory when no --config
// is given (and --no-config is not).
const defaultConfigFile = "logbook.toml"

// loadConfigFile returns the config file the run uses: --config's, or
// logbook.toml in the working directory when there is one, or nil.
func loadConfigFile(path string, none bool, stderr io.Writer) (*logbook.ConfigFile, error) {
	if none {
		return nil, nil
	}
	if path == "" {
		if _, err := os.Stat(defaultConfigFile); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		path = defaultConfigFile
		fmt.Fprintf(stderr, "logbook: reading the options in %s (--no-config to leave it)\n", termSafe(path))
	}
	f, err := logbook.LoadConfigFile(path)
	if err != nil {
		if logbook.IsUsage(err) {
			return nil, &exitError{code: 2, err: err}
		}
		return nil, &exitError{code: 2, err: fmt.Errorf("--config: %w", err)}
	}
	return f, nil
}

// mergeConfigFile puts the file's options under those of the command
// line: an option set by a flag keeps the flag's value; inputs given on the
// command line replace the file's.
func mergeConfigFile(cfg *logbook.Config, out *string, formats *listFlag, f *logbook.ConfigFile, flagSet map[string]bool) {
	fc := &f.Config
	take := func(flag string, apply func()) {
		if f.Set[flag] && !flagSet[flag] {
			apply()
		}
	}
	if len(cfg.Inputs) == 0 {
		cfg.Inputs = fc.Inputs
	}
	take("title", func() { cfg.Title = fc.Title })
	take("notes", func() { cfg.Notes = fc.Notes })
	take("site", func() { cfg.Site = fc.Site })
	take("compare", func() { cfg.Compare = fc.Compare })
	take("log-format", func() { cfg.LogFormat = fc.LogFormat })
	take("tz", func() { cfg.TimeZone = fc.TimeZone })
	take("log-tz", func() { cfg.LogTimeZone = fc.LogTimeZone })
	take("workers", func() { cfg.Workers = fc.Workers })
	take("since", func() { cfg.Since = fc.Since })
	take("until", func() { cfg.Until = fc.Until })
	take("last", func() { cfg.Last = fc.Last })
	take("week", func() { cfg.Week = fc.Week })
	take("include-ip", func() { cfg.IncludeIP = fc.IncludeIP })
	take("exclude-ip", func() { cfg.ExcludeIP = fc.ExcludeIP })
	take("include-path", func() { cfg.IncludePath = fc.IncludePath })
	take("exclude-path", func() { cfg.ExcludePath = fc.ExcludePath })
	take("status", func() { cfg.Status = fc.Status })
	take("host", func() { cfg.Hosts = fc.Hosts })
	if f.Set["crawlers"] && !flagSet["ignore-crawlers"] && !flagSet["crawlers-only"] {
		cfg.CrawlerFilter = fc.CrawlerFilter
	}
	take("anonymize-ip", func() { cfg.AnonymizeIP = fc.AnonymizeIP })
	take("sections", func() { cfg.Sections = fc.Sections })
	take("skip", func() { cfg.Skip = fc.Skip })
	take("front-matter", func() { cfg.FrontMatter = fc.FrontMatter })
	take("assets-dir", func() { cfg.AssetsDir = fc.AssetsDir })
	take("base-url", func() { cfg.BaseURL = fc.BaseURL })
	take("fail-on", func() { cfg.FailOn = fc.FailOn })
	take("strict", func() { cfg.Strict = fc.Strict })
	take("o", func() { *out = f.Output })
	take("format", func() { *formats = f.Formats })
	// A window from the command line replaces the file's whole window:
	// --since on the command line and week = "last" in the file would
	// otherwise clash.
	if flagSet["since"] || flagSet["until"] || flagSet["last"] || flagSet["week"] {
		for _, k := range []string{"since", "until", "last", "week"} {
			if !flagSet[k] {
				switch k {
				case "since":
					cfg.Since = ""
				case "until":
					cfg.Until = ""
				case "last":
					cfg.Last = ""
				case "week":
					cfg.Week = ""
				}
			}
		}
	}
	for k, v := range fc.Params {
		if _, ok := cfg.Params[k]; !ok {
			cfg.Params[k] = v
		}
	}
}

// runInit writes a commented starter logbook.toml.
func runInit(args []string, stderr io.Writer) error {
	path := defaultConfigFile
	switch len(args) {
	case 0:
	case 1:
		path = args[0]
	default:
		return usageError("logbook init takes at most one file name")
	}
	if err := logbook.WriteStarterConfig(path); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "logbook: wrote %s; edit it, then run logbook report\n", termSafe(path))
	return nil
}
