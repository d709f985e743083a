package moderation

import (
	"strings"
	"testing"
	"unicode"
)

// FuzzClean checks Clean's promises on any input: no control, format or
// bidi characters, no mass mention, no mention syntax, idempotent.
func FuzzClean(f *testing.F) {
	for _, s := range []string{"hello", "@everyone", "@@everyoneeveryone", "<@&1>", "a\u202eb", "\u200b", "x\ny", "@ever\u200byone"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c := Clean(s)
		for _, r := range c {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("Clean(%q) = %q keeps %U", s, c, r)
			}
		}
		low := strings.ToLower(c)
		if strings.Contains(low, "@everyone") || strings.Contains(low, "@here") || strings.Contains(c, "<@") || strings.Contains(c, "<#") {
			t.Fatalf("Clean(%q) = %q keeps a mention", s, c)
		}
		if Clean(c) != c {
			t.Fatalf("Clean not idempotent: %q → %q → %q", s, c, Clean(c))
		}
	})
}

// FuzzParseLine checks that any suggestion line parses without panicking
// and that links are never javascript:.
func FuzzParseLine(f *testing.F) {
	for _, s := range []string{"A | B", "A | B | javascript:x | d", "|||", "a|b|c|d|e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := ParseLine(s)
		links, err := parseLinks(Clean(p.Links))
		if err != nil {
			return
		}
		for _, l := range links {
			if !strings.HasPrefix(strings.ToLower(l), "http://") && !strings.HasPrefix(strings.ToLower(l), "https://") {
				t.Fatalf("link %q accepted from %q", l, s)
			}
		}
	})
}
