package directory

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// This file writes organisations in the format of data/organisations.yaml.
// The seed file is itself written this way (a test keeps it so), which is
// what lets `unionbot export` produce a file that can replace the seed with
// no diff beyond the community's changes.

// orgsHeader returns the comment block at the top of an organisations file:
// everything before the line "organisations:".
func orgsHeader(b []byte) string {
	s := string(b)
	if i := strings.Index(s, "\norganisations:"); i >= 0 {
		return s[:i+1]
	}
	return ""
}

// networksGroup is the comment over international and regional networks,
// which the file lists first.
const networksGroup = "International and regional networks"

// WriteOrganisations writes orgs in the seed file's format: header (the
// seed's comments, kept verbatim), then the entries grouped under a comment
// line, international and regional networks first and then countries in
// the order of their English names. Within a group entries keep the order
// of orgs, so the seed's order is kept and additions (which Merge puts
// last) come at the end of their group. Fields are written in a fixed order
// and style; the output decodes back to the same organisations.
func (s *Seed) WriteOrganisations(w io.Writer, orgs []Organisation) error {
	name := make(map[string]string, len(s.Countries))
	for _, c := range s.Countries {
		name[c.Code] = c.Name
	}
	group := func(o *Organisation) string {
		if o.Kind == KindInternational || o.Kind == KindRegional || len(o.Countries) == 0 {
			return ""
		}
		if n, ok := name[o.Countries[0]]; ok {
			return n
		}
		return o.Countries[0]
	}
	sorted := make([]*Organisation, len(orgs))
	for i := range orgs {
		sorted[i] = &orgs[i]
	}
	sort.SliceStable(sorted, func(i, j int) bool { return group(sorted[i]) < group(sorted[j]) })

	bw := bufio.NewWriter(w)
	bw.WriteString(s.Header)
	bw.WriteString("organisations:\n")
	last := "\x00"
	for _, o := range sorted {
		if g := group(o); g != last {
			title := g
			if g == "" {
				title = networksGroup
			}
			fmt.Fprintf(bw, "\n  # %s\n", title)
			last = g
		}
		bw.WriteString("\n")
		writeOrg(bw, o)
	}
	return bw.Flush()
}

// writeOrg writes one entry as a block mapping at the list's indentation.
func writeOrg(w *bufio.Writer, o *Organisation) {
	field := func(key, raw, value string) {
		if raw != "" {
			fmt.Fprintf(w, "    %s: %s\n", key, value)
		}
	}
	w.WriteString("  - id: " + plain(o.ID, false) + "\n")
	field("name", o.Name, plain(o.Name, false))
	field("acronym", o.Acronym, plain(o.Acronym, false))
	list(w, "other_names", o.OtherNames, false)
	field("kind", string(o.Kind), plain(string(o.Kind), false))
	list(w, "countries", o.Countries, false)
	list(w, "regions", o.Regions, false)
	field("province", o.Province, plain(o.Province, false))
	field("city", o.City, plain(o.City, false))
	list(w, "serves", o.Serves, false)
	if p := o.Coordinates; p != nil {
		field("coordinates", "x", fmt.Sprintf("{lat: %s, lon: %s}", strconv.FormatFloat(p.Lat, 'f', -1, 64), strconv.FormatFloat(p.Lon, 'f', -1, 64)))
	}
	list(w, "websites", o.Websites, true)
	list(w, "social", o.Social, true)
	field("description", o.Description, quoted(o.Description))
	list(w, "languages", o.Languages, false)
	field("status", string(o.Status), plain(string(o.Status), false))
	if o.Ally {
		field("ally", "x", "true")
	}
	if len(o.Sources) > 0 {
		w.WriteString("    sources:\n")
		for _, s := range o.Sources {
			lead := "      - "
			for _, kv := range [][2]string{{"title", s.Title}, {"url", s.URL}, {"date", s.Date}, {"note", s.Note}} {
				if kv[1] == "" {
					continue
				}
				fmt.Fprintf(w, "%s%s: %s\n", lead, kv[0], quoted(kv[1]))
				lead = "        "
			}
		}
	}
	field("verified", o.Verified, quoted(o.Verified))
	if o.Source != "" { // only an entry that was never upgraded
		field("source", o.Source, quoted(o.Source))
	}
}

// maxFlowLine is the longest line a list is written on in flow style
// ([a, b]); a longer list is written one item a line.
const maxFlowLine = 100

func list(w *bufio.Writer, key string, items []string, quote bool) {
	if len(items) == 0 {
		return
	}
	cells := make([]string, len(items))
	for i, s := range items {
		if quote {
			cells[i] = quoted(s)
		} else {
			cells[i] = plain(s, true)
		}
	}
	line := fmt.Sprintf("    %s: [%s]", key, strings.Join(cells, ", "))
	if len(line) <= maxFlowLine {
		w.WriteString(line + "\n")
		return
	}
	fmt.Fprintf(w, "    %s:\n", key)
	for i, s := range items {
		if !quote {
			cells[i] = plain(s, false)
		}
		fmt.Fprintf(w, "      - %s\n", cells[i])
	}
}

// plainSafe are the strings plain may leave unquoted, before YAML's own
// emitter has its say: letters, digits and a few punctuation marks that no
// YAML parser reads as syntax in the middle of a name. Anything else is
// quoted, which is always correct, only less pleasant to read.
var plainSafe = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{M}\p{N} .,'’()&/-]*$`)

// plain writes s unquoted where YAML reads it back as the same string
// (inside a flow list also free of the flow indicators), else quoted.
func plain(s string, flow bool) string {
	if !plainSafe.MatchString(s) || strings.TrimSpace(s) != s || (flow && strings.Contains(s, ",")) {
		return quoted(s)
	}
	b, err := yaml.Marshal(s)
	if err != nil || string(b) != s+"\n" {
		return quoted(s)
	}
	return s
}

// quoted writes s as a YAML double-quoted scalar. JSON-style escapes are
// valid YAML ones; other characters are written as they are.
func quoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == 0xfffe || r == 0xffff:
			// Not printable in YAML (or read as a line break): escaped.
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
