package directory

import "strings"

// AutocompleteIn is Autocomplete for a person writing in lang (a BCP 47 tag): the
// names of countries and regions in lang (CountryName, RegionName) that
// start with prefix, or have a word that does, come first, so that "Alle"
// typed in French offers "Allemagne"; then Autocomplete's names. Every name
// offered is one Search understands. English, or an empty lang, is
// Autocomplete.
func (x *Index) AutocompleteIn(prefix, lang string, n int) []string {
	if lang == "" || strings.HasPrefix(lang, "en") || n <= 0 {
		return x.Autocomplete(prefix, n)
	}
	p := Fold(prefix)
	if p == "" {
		return x.Autocomplete(prefix, n)
	}
	var first, later []string
	seen := map[string]bool{}
	add := func(name string) {
		if name == "" || seen[name] {
			return
		}
		f := Fold(name)
		switch {
		case strings.HasPrefix(f, p):
			first = append(first, name)
		case strings.Contains(f, " "+p):
			later = append(later, name)
		default:
			return
		}
		seen[name] = true
	}
	for i := range x.countries {
		add(x.CountryName(x.countries[i].Code, lang))
	}
	for i := range x.regions {
		add(x.RegionName(x.regions[i].ID, lang))
	}
	out := append(first, later...)
	for _, name := range x.Autocomplete(prefix, n) {
		if len(out) >= n {
			break
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	if len(out) > n {
		out = out[:n]
	}
	return out
}
