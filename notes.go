package logbook

import (
	"os"
	"slices"
	"strings"

	"github.com/logbook/logbook/analysis"
)

// Analyst's notes (--notes notes.md): a Markdown file whose "## SECTION"
// headings name sections of the report; the text under each heading goes
// into that section as a Markdown cell, after the computed cells, the way a
// notebook mixes an analyst's takeaways with its outputs. Text before the
// first heading is not placed anywhere and is refused, so that nothing the
// analyst wrote is silently dropped.

// parseNotes reads a notes file into section id → Markdown.
func parseNotes(path string, infos []analysis.Info) (map[string]string, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, usagef("--notes: %v", err)
	}
	var ids []string
	for _, i := range infos {
		ids = append(ids, i.Name)
	}
	notes := map[string]string{}
	current := ""
	var body strings.Builder
	flush := func() {
		if current != "" {
			if t := strings.TrimSpace(body.String()); t != "" {
				if notes[current] != "" {
					t = notes[current] + "\n\n" + t
				}
				notes[current] = t
			}
		}
		body.Reset()
	}
	inFence := false
	for n, line := range strings.Split(strings.ReplaceAll(string(src), "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			inFence = !inFence
		}
		if !inFence && strings.HasPrefix(line, "## ") {
			flush()
			id := strings.TrimSpace(strings.TrimPrefix(line, "## "))
			if !slices.Contains(ids, id) {
				return nil, usagef("%s:%d: ## %s names no section of this report (sections: %s)", path, n+1, id, strings.Join(ids, ", "))
			}
			current = id
			continue
		}
		if current == "" && trimmed != "" && !strings.HasPrefix(line, "# ") {
			return nil, usagef("%s:%d: text before the first ## SECTION heading would go nowhere; put it under a section's heading", path, n+1)
		}
		body.WriteString(line + "\n")
	}
	flush()
	return notes, nil
}

// addNotes appends each section's note as a Markdown cell.
func addNotes(sections []*analysis.Section, notes map[string]string) {
	for _, s := range sections {
		if t, ok := notes[s.ID]; ok {
			s.Prose("**Analyst's note.**\n\n" + t)
		}
	}
}
