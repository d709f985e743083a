package directory

import (
	"slices"
	"testing"
)

// TestAutocompleteIn: a country's name in the person's language is offered
// from its first letters, before other names, and Search finds it.
func TestAutocompleteIn(t *testing.T) {
	seed := mustSeed(t)
	x := Build(seed, seed.Organisations)
	for _, c := range []struct{ typed, lang, want string }{
		{"Alle", "fr", "Allemagne"},
		{"alle", "fr", "Allemagne"},
		{"Alema", "es", "Alemania"},
		{"Герм", "ru", "Германия"},
		{"Kanad", "de", "Kanada"},
	} {
		got := x.AutocompleteIn(c.typed, c.lang, 25)
		if len(got) == 0 || got[0] != c.want {
			t.Errorf("AutocompleteIn(%q, %s) = %v, want %q first", c.typed, c.lang, got, c.want)
		}
		if len(got) > 25 {
			t.Errorf("AutocompleteIn(%q) gave %d names", c.typed, len(got))
		}
	}
	if got := x.AutocompleteIn("Alle", "en", 25); slices.Contains(got, "Allemagne") {
		t.Errorf("English completion offers the French name: %v", got)
	}
	if got, want := x.AutocompleteIn("Vanc", "fr", 25), x.Autocomplete("Vanc", 25); !slices.Contains(got, "Vancouver") || len(got) < len(want) {
		t.Errorf("AutocompleteIn(Vanc, fr) = %v, want Autocomplete's names too (%v)", got, want)
	}
}
