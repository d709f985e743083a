package directory

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/unionbot/unionbot/bot/i18n"
)

// MustIndex builds the index from the embedded seed and fails the test if
// any entry had to be left out.
// mustSeed loads the embedded seed in every language the bot speaks.
func mustSeed(t testing.TB) *Seed {
	t.Helper()
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatalf("LoadSeed: %v", err)
	}
	return seed
}

func MustIndex(t testing.TB) *Index {
	t.Helper()
	seed := mustSeed(t)
	x := Build(seed, seed.Organisations)
	if p := x.Problems(); len(p) > 0 {
		t.Fatalf("seed entries left out: %v", p)
	}
	return x
}

func ids(hits []Hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.Org.ID)
	}
	return out
}

// allIDs lists every organisation a result shows, in order.
func allIDs(r Result) []string {
	var out []string
	for _, m := range r.Matches {
		for _, o := range m.Orgs {
			out = append(out, o.ID)
		}
		out = append(out, ids(m.Local)...)
		out = append(out, ids(m.National)...)
		out = append(out, ids(m.Nearest)...)
		out = append(out, ids(m.Regional)...)
		out = append(out, ids(m.International)...)
	}
	return out
}

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Québec", "quebec"},
		{"Kraków", "krakow"},
		{"  Méta d’Âme ", "meta dame"},
		{"L'ADDICQ", "laddicq"},
		{"B.C.", "bc"},
		{"U.K.", "uk"},
		{"Łódź", "lodz"},
		{"São-Paulo", "sao paulo"},
		{"РОССИЯ", "россия"},
		{"Straße", "strasse"},
		{"", ""},
		{"!!!", ""},
	} {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		max  int
		want int
	}{
		{"vancover", "vancouver", 2, 1},
		{"germny", "germany", 1, 1},
		{"germnay", "germany", 1, 1}, // a transposition is one edit
		{"peru", "perm", 0, 1},
		{"abc", "abc", 2, 0},
		{"kitten", "sitting", 3, 3},
		{"kitten", "sitting", 2, 3}, // gives up at max+1
		{"", "abc", 5, 3},
	} {
		if got := editDistance([]rune(tc.a), []rune(tc.b), tc.max); got != tc.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", tc.a, tc.b, tc.max, got, tc.want)
		}
	}
}

// TestPageOrganisationsFindable checks that every organisation the source
// page names is in the seed and can be found both by its name and by its
// acronym. The table is written from the page, not from the seed, so a
// missing entry fails here.
func TestPageOrganisationsFindable(t *testing.T) {
	x := MustIndex(t)
	for _, tc := range []struct{ name, acronym string }{
		{"International Network of People who Use Drugs", "INPUD"},
		{"Asian Network of People who Use Drugs", "ANPUD"},
		{"Eurasian Harm Reduction Network", ""},
		{"Eurasian Network of People who Use Drugs", "ENPUD"},
		{"European Network of People who Use Drugs", "EuroNPUD"},
		{"Latin America Network of People who Use Drugs", "LANPUD"},
		{"Middle East and North Africa Network of People who Use Drugs", "MENANPUD"},
		{"Afghanistan drug user group", "ADUG"},
		{"Australian Injecting and Illicit Drug Users League", "AIVL"},
		{"L'ADDICQ", ""},
		{"Manitoba Area Network of Drug Users", "MANDU"},
		{"Manitoba Drug Users", "MANDU"},
		{"Meta Dame", ""},
		{"Méta d'Âme", ""},
		{"Unified Network of Drug Users Nationally", "UNDUN"},
		{"Vancouver Area Network of Drug Users", "VANDU"},
		{"UHO", ""},
		{"BrugerForeningen", ""},
		{"Auto-Support des Usagers de Drogues", "ASUD"},
		{"JES", ""},
		{"Vision e.V.", ""},
		{"Indian Drug Users' Forum", "IDUF"},
		{"Inner Voice of Drug Users", ""},
		{"Humanitarian Organization for Progress & Empowerment", "HOPE"},
		{"Community Network for Empowerment", "CONE"},
		{"IKON Bali", ""},
		{"PERFORMA", ""},
		{"Persaudaraan Korban Napza Indonesia", "PKNI"},
		{"Stigma Foundation", ""},
		{"MDHG", ""},
		{"Landelijk Steunpunt Druggebruikers", "LSD"},
		{"Association of People Living with HIV", "APLHIV"},
		{"WYZWOLENIE", ""},
		{"Union for Improved Services, Communication & Education", "UISCE"},
		{"KOLODETZ", ""},
		{"Canadian Association of People Who Use Drugs", "CAPUD"},
		{"Alberta Addicts Who Advocate and Educate Responsibly", "AAWEAR"},
		{"AQPSUD", ""},
		{"BC Association of People on Methadone", "BCAPOM"},
		{"BC/Yukon Association of Drug War Survivors", "BCYADWS"},
		{"Drug Users Advocacy League", "DUAL"},
		{"Rural Empowered Drug Users Network", "REDUN"},
		{"Society of Living Illicit Drug Users", "SOLID"},
		{"Toronto Drug Users Union", "TDUU"},
		{"Western Aboriginal Harm Reduction Society", "WAHRS"},
		{"Peer Network of Substance Users", ""},
		{"National Alliance for Medication Assisted Recovery", "NAMA-R"},
		{"MARS Project", ""},
		{"North Carolina Urban Survivors Union", ""},
		{"National Urban Survivors Union", ""},
		{"Swedish Drug Users Union", ""},
		{"Harm Reduction Workers Union", ""},
		{"Russian Drug User Organisation", ""},
		{"Greek Drug & Substitute Users Union", ""},
		{"Danish Drug Users Union", ""},
		{"Croatian Drug Users Union", ""},
		{"German Drug Users Union", ""},
	} {
		res := x.Search(tc.name)
		if len(res.Matches) == 0 || res.Matches[0].Place != nil || len(res.Matches[0].Orgs) == 0 {
			t.Errorf("Search(%q) found no organisation by that name (partial=%v)", tc.name, res.Partial)
			continue
		}
		org := res.Matches[0].Orgs[0]
		if tc.acronym == "" {
			continue
		}
		ares := x.Search(tc.acronym)
		if len(ares.Matches) == 0 || !slices.Contains(allIDs(ares), org.ID) {
			t.Errorf("Search(%q) does not find %s, which Search(%q) finds", tc.acronym, org.ID, tc.name)
		}
	}
}

// TestSeedEntriesFindable checks the other way round: every seed entry is
// found by its own name and acronym.
func TestSeedEntriesFindable(t *testing.T) {
	x := MustIndex(t)
	x.Orgs(func(o *Organisation) bool {
		for _, q := range []string{o.Name, o.Acronym} {
			if q == "" {
				continue
			}
			if !slices.Contains(allIDs(x.Search(q)), o.ID) {
				t.Errorf("Search(%q) does not find %s", q, o.ID)
			}
		}
		if (o.Kind == KindLocal || o.Kind == KindNational) && o.Coordinates == nil {
			t.Errorf("%s has no coordinates", o.ID)
		}
		return true
	})
}

func firstPlace(t *testing.T, r Result) *Match {
	t.Helper()
	for i := range r.Matches {
		if r.Matches[i].Place != nil {
			return &r.Matches[i]
		}
	}
	t.Fatalf("no place in result %+v", r)
	return nil
}

func TestSearchPlaces(t *testing.T) {
	x := MustIndex(t)
	for _, tc := range []struct {
		query     string
		kind      PlaceKind
		country   string
		corrected bool
		want      []string // must appear among the place's groups
	}{
		{"Canada", PlaceCountry, "CA", false, []string{"vandu", "capud", "undun", "tduu", "solid"}},
		{"canada", PlaceCountry, "CA", false, []string{"vandu"}},
		{"Vancouver", PlaceCity, "CA", false, []string{"vandu"}},
		{"Vancover", PlaceCity, "CA", true, []string{"vandu"}},
		{"Québec", PlaceSubdivision, "CA", false, []string{"aqpsud"}},
		{"quebec", PlaceSubdivision, "CA", false, []string{"aqpsud"}},
		{"Holland", PlaceCountry, "NL", false, []string{"mdhg", "lsd-netherlands"}},
		{"Nederland", PlaceCountry, "NL", false, []string{"mdhg"}},
		{"Germny", PlaceCountry, "DE", true, []string{"jes"}},
		{"Deutschland", PlaceCountry, "DE", false, []string{"jes"}},
		{"Allemagne", PlaceCountry, "DE", false, []string{"jes"}},
		{"Россия", PlaceCountry, "RU", false, []string{"kolodetz"}},
		{"Hrvatska", PlaceCountry, "HR", false, []string{"uho-croatia"}},
		{"Danmark", PlaceCountry, "DK", false, []string{"brugerforeningen"}},
		{"Kraków", PlaceCity, "PL", false, []string{"wyzwolenie"}},
		{"krakow", PlaceCity, "PL", false, []string{"wyzwolenie"}},
		{"UK", PlaceCountry, "GB", false, []string{"euronpud"}},
		{"England", PlaceCountry, "GB", false, []string{"inpud"}},
		{"USA", PlaceCountry, "US", false, []string{"nama-r"}},
		{"Winnipeg, Manitoba", PlaceCity, "CA", false, []string{"mandu"}},
		{"Victoria, BC", PlaceCity, "CA", false, []string{"solid"}},
		{"Athens", PlaceCity, "GR", false, []string{"peer-network-athens"}},
	} {
		t.Run(tc.query, func(t *testing.T) {
			res := x.Search(tc.query)
			m := firstPlace(t, res)
			if m.Place.Kind != tc.kind || m.Place.Country != tc.country {
				t.Fatalf("place = %+v, want kind %d in %s", m.Place, tc.kind, tc.country)
			}
			if res.Corrected != tc.corrected {
				t.Errorf("Corrected = %v, want %v", res.Corrected, tc.corrected)
			}
			got := allIDs(Result{Matches: []Match{*m}})
			for _, id := range tc.want {
				if !slices.Contains(got, id) {
					t.Errorf("%s missing from %v", id, got)
				}
			}
		})
	}
}

// TestRanking checks the order: local groups, then national bodies, then
// regional networks, then the international network.
func TestRanking(t *testing.T) {
	x := MustIndex(t)
	m := firstPlace(t, x.Search("Canada"))
	var ranks []int
	for _, id := range allIDs(Result{Matches: []Match{*m}}) {
		o, _ := x.Org(id)
		ranks = append(ranks, o.Kind.Rank())
	}
	if !slices.IsSorted(ranks) {
		t.Errorf("kinds out of order for Canada: %v", ranks)
	}
	if len(m.Local) == 0 || len(m.National) == 0 || len(m.International) == 0 {
		t.Errorf("Canada: local %d, national %d, international %d; want all non-zero", len(m.Local), len(m.National), len(m.International))
	}
	// Every Canadian organisation in the seed is listed for Canada.
	got := allIDs(Result{Matches: []Match{*m}})
	x.Orgs(func(o *Organisation) bool {
		if slices.Contains(o.Countries, "CA") && !slices.Contains(got, o.ID) {
			t.Errorf("/find Canada misses %s", o.ID)
		}
		return true
	})
	// Vancouver: the city's own groups first, then the province's.
	v := firstPlace(t, x.Search("Vancouver"))
	city := []string{"cpddw", "vandu", "wahrs"}
	if got := ids(v.Local); len(got) < len(city) || !sameSet(got[:len(city)], city) {
		t.Errorf("Vancouver local = %v, want %v first", got, city)
	}
}

func TestNoGroupOfItsOwn(t *testing.T) {
	x := MustIndex(t)
	m := firstPlace(t, x.Search("Italy"))
	if m.Own() {
		t.Fatalf("Italy should have no group of its own, has %v %v", ids(m.Local), ids(m.National))
	}
	if len(m.Nearest) == 0 {
		t.Fatal("no nearest groups offered for Italy")
	}
	// Nearest first from Rome, but with no distance shown: a country's
	// capital is a stand-in for where the person is, not a real point.
	rome := x.Places("Rome")[0].Point
	for i, h := range m.Nearest {
		if h.Km >= 0 {
			t.Errorf("%s shows %.0f km from Italy", h.Org.ID, h.Km)
		}
		if d := DistanceKm(*h.Org.Coordinates, rome); !x.offered(h.Org, "IT", x.countryRegion["IT"], d) {
			t.Errorf("%s is %.0f km away, not in Italy nor within RegionKm in its region", h.Org.ID, d)
		}
		if i > 0 && DistanceKm(*m.Nearest[i-1].Org.Coordinates, rome) > DistanceKm(*h.Org.Coordinates, rome) {
			t.Errorf("nearest not nearest first: %v", ids(m.Nearest))
		}
	}
	if !slices.Contains(ids(m.Regional), "euronpud") {
		t.Errorf("regional networks for Italy = %v, want euronpud", ids(m.Regional))
	}
}

func TestAmbiguousPlaces(t *testing.T) {
	x := MustIndex(t)
	for _, tc := range []struct {
		query string
		want  []string // country codes of the readings, the answered one first
	}{
		{"Victoria", []string{"CA", "AU"}}, // SOLID is in Victoria, BC
		{"Georgia", []string{"GE", "US"}},  // a country before a state when neither has groups
	} {
		res := x.Search(tc.query)
		var got []string
		for _, m := range res.Matches {
			if m.Place != nil {
				got = append(got, m.Place.Country)
			}
		}
		if len(got) != 1 {
			t.Errorf("Search(%q) answers for %v, want one place", tc.query, got)
		}
		for _, p := range res.Also {
			got = append(got, p.Country)
		}
		if len(res.Also) > MaxAlso {
			t.Errorf("Search(%q) names %d other readings, want at most %d", tc.query, len(res.Also), MaxAlso)
		}
		if len(got) < len(tc.want) || !slices.Equal(got[:len(tc.want)], tc.want) {
			t.Errorf("Search(%q) readings %v, want %v first", tc.query, got, tc.want)
		}
	}
}

func TestRegions(t *testing.T) {
	x := MustIndex(t)
	for _, tc := range []struct{ query, network string }{
		{"Asia", "anpud"},
		{"asia pacific", "anpud"},
		{"Europe", "euronpud"},
		{"Eurasia", "enpud"},
		{"Eastern Europe and Central Asia", "ehrn"},
		{"Latin America", "lanpud"},
		{"MENA", "menanpud"},
		{"Middle East and North Africa", "menanpud"},
	} {
		regions := x.FindRegion(tc.query)
		var got []string
		for _, g := range regions {
			reg, _ := x.Networks(g.ID)
			for _, o := range reg {
				got = append(got, o.ID)
			}
		}
		if !slices.Contains(got, tc.network) {
			t.Errorf("FindRegion(%q) networks = %v, want %s", tc.query, got, tc.network)
		}
	}
	// Every country belongs to at least one region.
	for _, c := range x.countries {
		if len(x.RegionsOf(c.Code)) == 0 {
			t.Errorf("%s (%s) is in no region", c.Name, c.Code)
		}
	}
}

func TestNothingFound(t *testing.T) {
	x := MustIndex(t)
	for _, q := range []string{"", "   ", "zzzzqqqq", "!!!"} {
		if res := x.Search(q); len(res.Matches) != 0 {
			t.Errorf("Search(%q) = %d matches, want none", q, len(res.Matches))
		}
	}
}

func TestPartial(t *testing.T) {
	x := MustIndex(t)
	res := x.Search("survivors union")
	if !res.Partial {
		t.Fatalf("want a partial match, got %+v", res)
	}
	got := allIDs(res)
	if len(got) < 2 {
		t.Errorf("partial matches for 'survivors union' = %v, want the two survivors unions", got)
	}
}

func TestMerge(t *testing.T) {
	seed := []Organisation{{ID: "a", Name: "A"}, {ID: "b", Name: "B"}}
	got := Merge(seed, []Change{
		{ID: "b", Removed: true},
		{ID: "c", Org: &Organisation{ID: "c", Name: "C"}},
		{ID: "a", Org: &Organisation{ID: "a", Name: "A2"}},
	})
	var names []string
	for _, o := range got {
		names = append(names, o.Name)
	}
	if want := []string{"A2", "C"}; !slices.Equal(names, want) {
		t.Errorf("Merge = %v, want %v", names, want)
	}
}

// TestGeoTreeMatchesBruteForce compares the k-d tree with a linear scan on
// random points, antimeridian and poles included.
func TestGeoTreeMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var pts []geoPoint
	var raw []Point
	for i := 0; i < 2000; i++ {
		p := Point{Lat: r.Float64()*180 - 90, Lon: r.Float64()*360 - 180}
		raw = append(raw, p)
		pts = append(pts, geoPoint{unit(p), int32(i)})
	}
	tree := newGeoTree(pts)
	for i := 0; i < 200; i++ {
		q := Point{Lat: r.Float64()*180 - 90, Lon: r.Float64()*360 - 180}
		got := tree.nearest(q, 5, nil)
		order := make([]int32, len(raw))
		for j := range order {
			order[j] = int32(j)
		}
		slices.SortFunc(order, func(a, b int32) int {
			return int(math.Copysign(1, DistanceKm(q, raw[a])-DistanceKm(q, raw[b])))
		})
		for j := range got {
			if dg, dw := DistanceKm(q, raw[got[j]]), DistanceKm(q, raw[order[j]]); math.Abs(dg-dw) > 1e-6 {
				t.Fatalf("query %v: neighbour %d at %.3f km, brute force %.3f km", q, j, dg, dw)
			}
		}
	}
}

func TestDistance(t *testing.T) {
	// Paris to Lyon is about 392 km.
	d := DistanceKm(Point{48.8566, 2.3522}, Point{45.764, 4.8357})
	if d < 385 || d > 400 {
		t.Errorf("Paris–Lyon = %.0f km, want about 392", d)
	}
}

// sameSet reports whether a and b hold the same ids, in any order.
func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
