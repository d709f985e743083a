package directory

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSearch feeds arbitrary text to the search: it must never panic, and
// folding must be stable (folding a folded string changes nothing).
func FuzzSearch(f *testing.F) {
	x := MustIndex(f)
	for _, s := range append(benchQueries, "", "drug users union", "near Lyon", "\u202e\u200b", "a,b,c", "ß", "İstanbul") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		folded := Fold(q)
		if Fold(folded) != folded {
			t.Errorf("Fold not idempotent: %q → %q → %q", q, folded, Fold(folded))
		}
		if utf8.ValidString(q) && strings.TrimSpace(folded) != folded {
			t.Errorf("Fold(%q) = %q has outer spaces", q, folded)
		}
		res := x.Search(q)
		for _, m := range res.Matches {
			if m.Place == nil && len(m.Orgs) == 0 {
				t.Errorf("Search(%q): empty organisation match", q)
			}
		}
		x.FindRegion(q)
	})
}
