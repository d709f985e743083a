package directory

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestFoldASCII checks that the fast path for ASCII text folds exactly as
// the normaliser does.
func TestFoldASCII(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const chars = "abcXYZ019 .,'`-_/()&!?\t\n"
	f := newFolder()
	slow := func(s string) string {
		// fold without the fast path: a non-ASCII rune that folds away
		// forces the normaliser, and is then dropped like punctuation.
		return strings.TrimSpace(strings.ReplaceAll(f.fold(s+"\u00a0"), "  ", " "))
	}
	for range 5000 {
		b := make([]byte, r.IntN(12))
		for i := range b {
			b[i] = chars[r.IntN(len(chars))]
		}
		s := string(b)
		if got, want := foldASCII(s), slow(s); got != want {
			t.Fatalf("foldASCII(%q) = %q, the normaliser gives %q", s, got, want)
		}
	}
}

// TestCloseWordsFindsWhatBruteForceFinds misspells words of the seed's
// vocabulary and checks that the deletion index finds exactly the words an
// edit-distance scan of the whole vocabulary finds.
func TestCloseWordsFindsWhatBruteForceFinds(t *testing.T) {
	x := MustIndex(t)
	r := rand.New(rand.NewPCG(3, 4))
	letters := []rune("abcdefghijklmnopqrstuvwxyzаеоя")
	var fuzzy []int32
	for id, ok := range x.fuzzed {
		if ok && len(x.words[id]) >= 4 {
			fuzzy = append(fuzzy, int32(id))
		}
	}
	for range 400 {
		w := slices.Clone(x.words[fuzzy[r.IntN(len(fuzzy))]])
		for range maxEdits(len(w)) {
			switch i := r.IntN(len(w)); r.IntN(3) {
			case 0:
				w[i] = letters[r.IntN(len(letters))]
			case 1:
				w = slices.Delete(w, i, i+1)
			default:
				w = slices.Insert(w, i, letters[r.IntN(len(letters))])
			}
		}
		q := string(w)
		limit := maxEdits(len(w))
		if limit == 0 {
			continue // too short to correct; exact words are looked up directly
		}
		got, gotD := x.closeWords(q)
		best := limit + 1
		var want []string
		for id, ok := range x.fuzzed {
			if !ok || len(x.words[id]) < 3 {
				continue
			}
			d := editDistance(w, x.words[id], limit)
			switch {
			case d < best:
				best, want = d, []string{string(x.words[id])}
			case d == best && d <= limit:
				want = append(want, string(x.words[id]))
			}
		}
		slices.Sort(want)
		if best > limit {
			want, best = nil, 0
		}
		if !slices.Equal(got, want) || gotD != best {
			t.Errorf("closeWords(%q) = %q at %d; an edit-distance scan finds %q at %d", q, got, gotD, want, best)
		}
	}
}

// placesOf lists a result's places as "kind:country:subdivision:name".
func placesOf(r Result) []string {
	var out []string
	for _, m := range r.Matches {
		if p := m.Place; p != nil {
			out = append(out, fmt.Sprintf("%d:%s:%s:%s", p.Kind, p.Country, p.Subdivision, p.Name))
		}
	}
	for _, p := range r.Also {
		out = append(out, fmt.Sprintf("%d:%s:%s:%s", p.Kind, p.Country, p.Subdivision, p.Name))
	}
	return out
}

// TestWorldPlaces: cities and provinces from the generated world list are
// found, with their province and country, once each, in any of the bot's
// languages where the data names them; and they do not make hand-written
// places ambiguous.
func TestWorldPlaces(t *testing.T) {
	x := MustIndex(t)
	city, sub := fmt.Sprint(PlaceCity), fmt.Sprint(PlaceSubdivision)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"Lyon", []string{city + ":FR:FR-ARA:Lyon"}},
		{"Ontario", []string{sub + ":CA:CA-ON:Ontario"}},
		{"Bavaria", []string{sub + ":DE:DE-BY:Bavaria"}},
		{"Bayern", []string{sub + ":DE:DE-BY:Bavaria"}},
		{"Baviera", []string{sub + ":DE:DE-BY:Bavaria"}},
		{"Бавария", []string{sub + ":DE:DE-BY:Bavaria"}},
		{"Kansas City", []string{city + ":US:US-MO:Kansas City", city + ":US:US-KS:Kansas City"}},
		{"Kansas City, Kansas", []string{city + ":US:US-KS:Kansas City"}},
		{"Köln", []string{city + ":DE:DE-NW:Cologne"}},
		{"Lisboa", []string{city + ":PT:PT-11:Lisbon"}},
		{"Madrid", []string{city + ":ES:ES-MD:Madrid"}},
		{"Berlin", []string{city + ":DE:DE-BE:Berlin"}},
		// The city first: its answer lists the state's groups too.
		{"New York", []string{city + ":US:US-NY:New York", sub + ":US:US-NY:New York"}},
		{"Curitiba", []string{city + ":BR:BR-PR:Curitiba"}},
		{"Curitba", []string{city + ":BR:BR-PR:Curitiba"}}, // misspelt
		{"Nairobi", []string{city + ":KE:KE-30:Nairobi"}},
		{"Québec", []string{sub + ":CA:CA-QC:Quebec"}},
		{"Quebec City", []string{city + ":CA:CA-QC:Quebec City"}},
		{"Écosse", []string{sub + ":GB:GB-SCT:Scotland"}},
		{"England", nil}, // the United Kingdom, not also its subdivision
	} {
		res := x.Search(tc.query)
		got := placesOf(res)
		if tc.want == nil {
			if len(got) != 1 || !strings.HasPrefix(got[0], fmt.Sprint(PlaceCountry)+":GB:") {
				t.Errorf("Search(%q) = %v, want the United Kingdom alone", tc.query, got)
			}
			continue
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("Search(%q) = %v, want %v", tc.query, got, tc.want)
		}
	}
}

// TestEveryPlaceIsComplete: every city has coordinates and a known country,
// and its province, when it has one, is a known one in that country; every
// province has a point; no city is listed twice; every capital is a city.
func TestEveryPlaceIsComplete(t *testing.T) {
	x := MustIndex(t)
	if len(x.cities) < 6000 || len(x.subs) < 3000 {
		t.Fatalf("%d cities and %d provinces; the world list did not load", len(x.cities), len(x.subs))
	}
	// Two places of one name may be neighbours only in two provinces
	// (Kansas City, Missouri, and Kansas City, Kansas).
	type key struct{ name, country, sub string }
	seen := map[key][]Point{}
	withSub := 0
	for _, c := range x.cities {
		p := Point{c.Lat, c.Lon}
		if !p.Valid() || p == (Point{}) {
			t.Errorf("%s (%s) has coordinates %v", c.Name, c.Country, p)
		}
		if _, ok := x.Country(c.Country); !ok {
			t.Errorf("%s has unknown country %q", c.Name, c.Country)
		}
		if c.Subdivision != "" {
			withSub++
			if _, ok := x.subBy[c.Subdivision]; !ok || !strings.HasPrefix(c.Subdivision, c.Country+"-") {
				t.Errorf("%s (%s) has unknown province %q", c.Name, c.Country, c.Subdivision)
			}
		}
		k := key{Fold(c.Name), c.Country, c.Subdivision}
		for _, q := range seen[k] {
			if DistanceKm(p, q) < 30 {
				t.Errorf("%s (%s) is listed twice", c.Name, c.Country)
			}
		}
		seen[k] = append(seen[k], p)
	}
	if withSub*10 < len(x.cities)*9 {
		t.Errorf("only %d of %d cities have a province", withSub, len(x.cities))
	}
	for _, s := range x.subs {
		if !s.Point.Valid() || s.Point == (Point{}) {
			t.Errorf("province %s has point %v", s.Code, s.Point)
		}
		country, _, _ := strings.Cut(s.Code, "-")
		if _, ok := x.Country(country); !ok {
			t.Errorf("province %s is in no known country", s.Code)
		}
	}
	for _, c := range x.countries {
		res := x.Search(c.Capital.Name + ", " + c.Name)
		found := false
		for _, m := range res.Matches {
			if m.Place != nil && m.Place.Kind == PlaceCity && m.Place.Country == c.Code {
				found = true
			}
		}
		for _, p := range res.Also {
			if p.Kind == PlaceCity && p.Country == c.Code {
				found = true
			}
		}
		if !found {
			t.Errorf("the capital of %s, %s, is not found as a city", c.Name, c.Capital.Name)
		}
	}
}

// TestNearestByDistance: the groups nearest a point come nearest first,
// with great-circle distances; Lyon's nearest is ASUD in Paris, about
// 390 km away.
func TestNearestByDistance(t *testing.T) {
	x := MustIndex(t)
	lyon := x.Places("Lyon")[0].Point
	hits := x.Near(lyon, NearestCount, nil)
	if len(hits) != NearestCount || hits[0].Org.ID != "asud" || hits[0].Km < 385 || hits[0].Km > 395 {
		t.Fatalf("nearest to Lyon = %v, %v", ids(hits), hits)
	}
	// Distances are shown only to groups at a real point (their city);
	// those at a stand-in (a capital for a national body) show none.
	last := float32(0)
	for _, h := range hits {
		if h.Km < 0 {
			if h.Org.City != "" {
				t.Errorf("%s has a city but no distance", h.Org.ID)
			}
			continue
		}
		if h.Km < last {
			t.Errorf("not nearest first: %v", ids(hits))
		}
		last = h.Km
	}
	if c, ok := x.WhereIs(Point{Lat: 45.75, Lon: 4.85}); !ok || c.Country != "FR" {
		t.Errorf("WhereIs(Lyon) = %+v", c)
	}
	// A place with no group of its own lists national bodies once, not
	// again among the nearest.
	m := firstPlace(t, x.Search("Lyon"))
	for _, n := range m.Nearest {
		for _, h := range m.National {
			if n.Org == h.Org {
				t.Errorf("%s is both national and nearest", n.Org.ID)
			}
		}
	}
}

// TestLabels: a city's province is named unless it only repeats the city.
func TestLabels(t *testing.T) {
	x := MustIndex(t)
	for _, tc := range []struct{ code, city, lang, want string }{
		{"FR-ARA", "Lyon", "en", "Auvergne-Rhône-Alpes"},
		{"CA-BC", "Vancouver", "fr", "Colombie-Britannique"},
		{"CA-BC", "Vancouver", "ru", "Британская Колумбия"},
		{"DE-BE", "Berlin", "en", ""},
		{"DE-BE", "Berlin", "fr", ""},
		{"PT-11", "Lisbon", "fr", ""},
		{"US-NY", "New York", "en", ""},
		{"CA-QC", "Quebec City", "en", "Quebec"},
		{"XX-YY", "Nowhere", "en", ""},
	} {
		if got := x.SubdivisionOf(tc.code, tc.city, tc.lang); got != tc.want {
			t.Errorf("SubdivisionOf(%s, %s, %s) = %q, want %q", tc.code, tc.city, tc.lang, got, tc.want)
		}
	}
	if got := x.RegionName("latin-america", "pt-BR"); got != "América Latina" {
		t.Errorf("RegionName = %q", got)
	}
	if got := x.FindRegion("Lateinamerika"); len(got) != 1 || got[0].ID != "latin-america" {
		t.Errorf("FindRegion(Lateinamerika) = %v", got)
	}
}
