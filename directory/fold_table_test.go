package directory

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/transform"
)

// TestFoldByTableIsFold checks foldByTable against the normaliser: its
// tables are the normaliser's folding of each letter alone, and it folds
// each letter alone and among others (ASCII letters, digits, spaces,
// punctuation, apostrophes, letters of either table) as foldNormalised
// does; text with any other letter, a combining mark or an invalid byte
// is left to the normaliser.
func TestFoldByTableIsFold(t *testing.T) {
	alone := func(s string) string {
		tr := chains.Get().(transform.Transformer)
		out, _, err := transform.String(tr, s)
		chains.Put(tr)
		if err != nil {
			t.Fatal(err)
		}
		return foldExtra.Replace(out)
	}
	var table []rune
	for i, want := range foldLatin {
		r := rune(foldLatinFirst + i)
		if got := alone(string(r)); got != want {
			t.Errorf("foldLatin[%U] = %q, the normaliser folds it to %q", r, want, got)
		}
		table = append(table, r)
	}
	for i, want := range foldCyrillic {
		r := rune(foldCyrillicFirst + i)
		if got := alone(string(r)); got != want {
			t.Errorf("foldCyrillic[%U] = %q, the normaliser folds it to %q", r, want, got)
		}
		table = append(table, r)
	}
	check := func(s string) {
		t.Helper()
		got, ok := foldByTable(s)
		want := foldNormalised(s)
		if !ok {
			t.Fatalf("foldByTable(%q) left to the normaliser", s)
		}
		if got != want {
			t.Fatalf("foldByTable(%q) = %q, foldNormalised gives %q", s, got, want)
		}
		if f := newFolder().fold(s); f != want {
			t.Fatalf("fold(%q) = %q, want %q", s, f, want)
		}
	}
	for _, r := range table {
		for _, ctx := range []string{"%", "a%", "%b", "A%Z", " %.", "'%'", "x %-y", "%%", "9%Ł"} {
			check(strings.ReplaceAll(ctx, "%", string(r)))
		}
	}
	ascii := []rune("aAzZ09 .'`-,&()/\t’")
	r := rand.New(rand.NewPCG(21, 22))
	for range 200000 {
		var b strings.Builder
		for range r.IntN(12) {
			if r.IntN(3) == 0 {
				b.WriteRune(table[r.IntN(len(table))])
			} else {
				b.WriteRune(ascii[r.IntN(len(ascii))])
			}
		}
		s := b.String()
		if strings.ContainsRune(s, '’') {
			// Not in the tables: the normaliser's.
			if _, ok := foldByTable(s); ok {
				t.Fatalf("foldByTable(%q) folded a letter outside its tables", s)
			}
			continue
		}
		if isASCII(s) {
			continue
		}
		check(s)
	}
	for _, s := range []string{"Que\u0301bec", "Αθήνα", "ΣΟΦΟΣ", "Montréal\xff", "東京", "İstanbul’s"} {
		if _, ok := foldByTable(s); ok {
			t.Errorf("foldByTable(%q) folded text beyond its tables", s)
		}
		if got, want := newFolder().fold(s), foldNormalised(s); got != want {
			t.Errorf("fold(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestFoldSeedNames folds every name the seed's places and organisations
// have, in every script they are written in, both ways.
func TestFoldSeedNames(t *testing.T) {
	seed := mustSeed(t)
	var names []string
	city := func(c City) { names = append(append(names, c.Name), c.Aliases...) }
	sub := func(s Subdivision) {
		names = append(append(names, s.Name), s.Aliases...)
		for _, n := range s.Names {
			names = append(names, n)
		}
	}
	for _, c := range seed.Countries {
		names = append(append(append(append(names, c.Name), c.Aliases...), c.Local...), c.Names...)
		city(c.Capital)
	}
	for _, c := range append(append([]City(nil), seed.Cities...), seed.WorldCities...) {
		city(c)
	}
	for _, s := range append(append([]Subdivision(nil), seed.Subdivisions...), seed.WorldSubdivisions...) {
		sub(s)
	}
	// The GeoNames cities and provinces, as the place index has them.
	x := Build(seed, nil)
	for _, c := range x.cities {
		city(c)
	}
	for _, s := range x.subs {
		sub(s)
	}
	for _, g := range seed.Regions {
		names = append(append(names, g.Name), g.Aliases...)
	}
	for _, o := range seed.Organisations {
		names = append(append(names, o.Name, o.Acronym, o.City, o.Description), o.OtherNames...)
	}
	tabled := 0
	for _, s := range names {
		if got, want := newFolder().fold(s), foldNormalised(s); got != want {
			t.Errorf("fold(%q) = %q, want %q", s, got, want)
		}
		if _, ok := foldByTable(s); ok && !isASCII(s) {
			tabled++
		}
	}
	if tabled < 5000 {
		t.Errorf("only %d of %d names folded by the tables", tabled, len(names))
	}
}
