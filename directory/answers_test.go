package directory

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot/i18n"
)

// inOrder reports whether got starts with want[0] and holds the rest of
// want in the same relative order (other entries may come between them: a
// new group listed later must not break what the test asserts).
func inOrder(got, want []string) bool {
	if len(want) == 0 {
		return true
	}
	if len(got) == 0 || got[0] != want[0] {
		return false
	}
	i := 0
	for _, g := range got {
		if i < len(want) && g == want[i] {
			i++
		}
	}
	return i == len(want)
}

// answer is what one query shows: the place answered (or "" for names),
// the ids in the order shown, the other readings named.
func answer(x *Index, q string) (place string, shownIDs []string, res Result) {
	res = x.Search(q)
	for _, m := range res.Matches {
		if m.Place != nil && place == "" {
			place = placeKey(m.Place)
		}
		shownIDs = append(shownIDs, shown(m)...)
	}
	return place, shownIDs, res
}

func placeKey(p *Place) string {
	switch p.Kind {
	case PlaceCountry:
		return "country:" + p.Country
	case PlaceSubdivision:
		return "province:" + p.Subdivision
	case PlaceCity:
		return "city:" + p.Name + "," + p.Country
	case PlaceRegion:
		return "region:" + p.Region
	}
	return "?"
}

// TestAnswers is the ranking principles of issue 10 as table tests: each
// query, the place it answers for ("" when it names groups), and the
// groups shown first, in order.
func TestAnswers(t *testing.T) {
	x := MustIndex(t)
	for _, tc := range []struct {
		q         string
		place     string   // "" for a list of groups by name
		want      []string // first shown, then in this relative order
		corrected bool
		also      []string // country codes of other readings named
		not       []string // ids that must not be shown
	}{
		// A country: national bodies, then local groups under their
		// provinces (provinces by name), then regional networks, then INPUD.
		{q: "Canada", place: "country:CA", want: []string{"capud", "undun", "aawear", "bcapom", "vandu", "solid", "mandu", "dual", "tduu", "aqpsud", "meta-dame", "inpud"}},
		{q: "canada", place: "country:CA", want: []string{"capud", "undun", "vandu", "tduu"}},
		{q: "Kanada", place: "country:CA", want: []string{"capud"}},
		{q: "Canadá", place: "country:CA", want: []string{"capud"}},
		{q: "Holland", place: "country:NL", want: []string{"lsd-netherlands", "mdhg", "euronpud", "inpud"}},
		{q: "Nederland", place: "country:NL", want: []string{"lsd-netherlands", "mdhg"}},
		{q: "Germany", place: "country:DE", want: []string{"jes", "vision-ev", "euronpud", "inpud"}},
		{q: "Deutschland", place: "country:DE", want: []string{"jes", "vision-ev"}},
		{q: "Germny", place: "country:DE", want: []string{"jes"}, corrected: true},
		{q: "Greece", place: "country:GR", want: []string{"greek-drug-users-union", "peer-network-athens", "euronpud"}},
		{q: "India", place: "country:IN", want: []string{"iduf", "cone-manipur", "hope-manipur", "inner-voice-chennai", "anpud", "inpud"}},
		{q: "Indonesia", place: "country:ID", want: []string{"pkni", "ikon-bali", "performa", "stigma-foundation", "anpud"}},
		{q: "USA", place: "country:US", want: []string{"nama-r", "urban-survivors-union", "mars-project", "nc-urban-survivors-union"}},
		{q: "United States", place: "country:US", want: []string{"nama-r", "urban-survivors-union"}},
		{q: "Ireland", place: "country:IE", want: []string{"uisce", "euronpud", "inpud"}},
		{q: "France", place: "country:FR", want: []string{"asud", "euronpud", "inpud"}},
		{q: "Denmark", place: "country:DK", want: []string{"brugerforeningen", "euronpud"}},
		{q: "Danmark", place: "country:DK", want: []string{"brugerforeningen"}},
		{q: "Россия", place: "country:RU", want: []string{"kolodetz", "russian-drug-user-organisation"}},
		{q: "Afghanistan", place: "country:AF", want: []string{"adug", "anpud", "inpud"}},
		// A country with no group: regional networks first, then groups
		// really near, never another continent's.
		{q: "Portugal", place: "country:PT", want: []string{"caso", "euronpud", "inpud"}},
		{q: "Spain", place: "country:ES", want: []string{"euronpud", "asud"}},
		{q: "Brazil", place: "country:BR", want: []string{"lanpud", "inpud"}, not: []string{"asud", "tduu", "vandu"}},
		// A province: its groups, then the national bodies, then networks.
		{q: "British Columbia", place: "province:CA-BC", want: []string{"bcapom", "bcyadws", "redun", "vandu", "wahrs", "solid", "capud", "undun", "inpud"}},
		{q: "BC", place: "province:CA-BC", want: []string{"bcapom", "capud"}},
		{q: "Ontario", place: "province:CA-ON", want: []string{"dual", "tduu", "capud", "undun"}},
		{q: "Quebec", place: "province:CA-QC", want: []string{"aqpsud", "laddicq", "meta-dame", "capud"}},
		{q: "Québec", place: "province:CA-QC", want: []string{"aqpsud"}},
		{q: "QC", place: "province:CA-QC", want: []string{"aqpsud"}},
		{q: "Manitoba", place: "province:CA-MB", want: []string{"mandu", "capud"}},
		{q: "Alberta", place: "province:CA-AB", want: []string{"aawear", "capud"}},
		{q: "North Carolina", place: "province:US-NC", want: []string{"usu-charlotte", "nc-urban-survivors-union", "nama-r"}},
		// WA and SA are also Western and South Australia: named as the other readings.
		{q: "WA", place: "province:US-WA", want: []string{"phra", "usu-seattle"}, also: []string{"AU"}},
		{q: "Perth WA", place: "city:Perth,AU", want: []string{"peer-based-harm-reduction-wa", "aivl"}},
		{q: "SA", place: "country:SA", want: []string{"menanpud"}, also: []string{"AU"}},
		{q: "NC", place: "province:US-NC", want: []string{"usu-charlotte", "nc-urban-survivors-union"}, also: []string{"NC"}},
		{q: "NY", place: "province:US-NY", want: []string{"mars-project", "nama-r"}},
		{q: "NSW", place: "province:AU-NSW", want: []string{"nuaa", "aivl", "inpud"}},
		{q: "New South Wales", place: "province:AU-NSW", want: []string{"nuaa", "aivl"}},
		{q: "Manipur", place: "province:IN-MN", want: []string{"cone-manipur", "hope-manipur", "iduf", "anpud"}},
		{q: "Bali", place: "province:ID-BA", want: []string{"ikon-bali", "pkni"}},
		// A city: groups in it (national bodies seated there too), then
		// within 150 km or in its province, nearest first, then national.
		{q: "Vancouver", place: "city:Vancouver,CA", want: []string{"cpddw", "vandu", "wahrs", "drug-war-survivors-abbotsford", "solid", "redun", "bcapom", "capud", "inpud"}},
		{q: "Vancover", place: "city:Vancouver,CA", want: []string{"cpddw", "vandu"}, corrected: true},
		{q: "DTES", place: "city:Vancouver,CA", want: []string{"cpddw", "vandu"}},
		{q: "Downtown Eastside", place: "city:Vancouver,CA", want: []string{"cpddw", "vandu"}},
		{q: "Victoria", place: "city:Victoria,CA", want: []string{"solid", "vandu", "redun", "capud"}, also: []string{"AU"}},
		{q: "Victoria, BC", place: "city:Victoria,CA", want: []string{"solid"}},
		{q: "Victoria, Australia", place: "province:AU-VIC", want: []string{"hrvic", "aivl"}},
		{q: "Nelson", place: "city:Nelson,CA", want: []string{"redun"}},
		{q: "Ottawa", place: "city:Ottawa,CA", want: []string{"dual", "tduu", "capud"}},
		// A group whose source names its town is in that town.
		// A city by its Russian name.
		{q: "Париж", place: "city:Paris,FR", want: []string{"asud", "euronpud"}},
		{q: "Quesnel", place: "city:Quesnel,CA", want: []string{"csun", "cpddw"}},
		{q: "Madadeni", place: "city:Madadeni,ZA", want: []string{"madadeni-pwud-network", "osizweni-pwud-network", "phuthaditjhaba-pwud-network", "sanpud", "africanpud"}},
		{q: "Gatineau", place: "city:Gatineau,CA", want: []string{"dual", "meta-dame", "aqpsud", "capud"}},
		{q: "Toronto", place: "city:Toronto,CA", want: []string{"tduu", "dual", "capud"}},
		{q: "Toronto ON", place: "city:Toronto,CA", want: []string{"tduu"}},
		{q: "Toronto, Ontario", place: "city:Toronto,CA", want: []string{"tduu"}},
		{q: "Hamilton", place: "city:Hamilton,CA", want: []string{"tduu", "dual", "capud"}, also: []string{"BM"}},
		{q: "Montreal", place: "city:Montreal,CA", want: []string{"meta-dame", "aqpsud", "laddicq", "capud"}},
		{q: "Montréal", place: "city:Montreal,CA", want: []string{"meta-dame"}},
		{q: "Winnipeg", place: "city:Winnipeg,CA", want: []string{"mandu", "capud"}},
		{q: "Winnipeg, Manitoba", place: "city:Winnipeg,CA", want: []string{"mandu"}},
		{q: "Paris", place: "city:Paris,FR", want: []string{"asud", "euronpud", "inpud"}},
		{q: "Dublin", place: "city:Dublin,IE", want: []string{"uisce", "euronpud"}},
		{q: "Kabul", place: "city:Kabul,AF", want: []string{"adug", "anpud"}},
		{q: "Moscow", place: "city:Moscow,RU", want: []string{"russian-drug-user-organisation", "kolodetz"}},
		{q: "Stockholm", place: "city:Stockholm,SE", want: []string{"brukarforeningen-stockholm", "svenska-brukarforeningen"}},
		{q: "Copenhagen", place: "city:Copenhagen,DK", want: []string{"brugerforeningen"}},
		{q: "København", place: "city:Copenhagen,DK", want: []string{"brugerforeningen"}},
		{q: "Athens", place: "city:Athens,GR", want: []string{"peer-network-athens", "greek-drug-users-union"}},
		{q: "Cologne", place: "city:Cologne,DE", want: []string{"vision-ev", "jes"}},
		{q: "Köln", place: "city:Cologne,DE", want: []string{"vision-ev"}},
		{q: "Krakow", place: "city:Kraków,PL", want: []string{"wyzwolenie"}},
		{q: "Amsterdam", place: "city:Amsterdam,NL", want: []string{"mdhg", "lsd-netherlands"}},
		{q: "Chennai", place: "city:Chennai,IN", want: []string{"inner-voice-chennai", "iduf"}},
		{q: "Madras", place: "city:Chennai,IN", want: []string{"inner-voice-chennai"}},
		{q: "Jakarta", place: "city:Jakarta,ID", want: []string{"stigma-foundation", "pkni"}},
		{q: "Churachandpur", place: "city:Churachandpur,IN", want: []string{"hope-manipur", "cone-manipur", "iduf"}},
		{q: "New York", place: "city:New York,US", want: []string{"nama-r", "mars-project", "urban-survivors-union"}, also: []string{"US"}},
		// Cities with no group of their own.
		{q: "Lisbon", place: "city:Lisbon,PT", want: []string{"euronpud", "asud"}},
		{q: "Lisboa", place: "city:Lisbon,PT", want: []string{"euronpud"}},
		{q: "Lyon", place: "city:Lyon,FR", want: []string{"euronpud", "asud", "vision-ev"}},
		{q: "Mexico City", place: "city:Mexico City,MX", want: []string{"lanpud"}},
		{q: "Curitiba", place: "city:Curitiba,BR", want: []string{"lanpud", "inpud"}},
		{q: "Nairobi", place: "city:Nairobi,KE", not: []string{"greek-drug-users-union", "peer-network-athens", "aplhiv-pakistan"}},
		{q: "Kenya", place: "country:KE", not: []string{"greek-drug-users-union", "peer-network-athens", "aplhiv-pakistan"}},
		// Regions: their networks, then INPUD.
		{q: "Asia", place: "region:asia", want: []string{"anpud", "inpud"}},
		{q: "Southeast Asia", place: "region:asia", want: []string{"anpud"}},
		{q: "Europe", place: "region:europe", want: []string{"euronpud", "inpud"}},
		{q: "Scandinavia", place: "region:europe", want: []string{"euronpud"}},
		{q: "the Nordics", place: "region:europe", want: []string{"euronpud"}},
		{q: "the Balkans", place: "region:eurasia", want: []string{"enpud", "ehrn"}}, // EHRN is an ally
		{q: "Caucasus", place: "region:eurasia", want: []string{"enpud", "ehrn"}},
		{q: "Central Asia", place: "region:eurasia", want: []string{"enpud"}},
		{q: "Sub-Saharan Africa", place: "region:africa", want: []string{"africanpud", "inpud"}},
		{q: "Latin America", place: "region:latin-america", want: []string{"lanpud", "inpud"}},
		{q: "Middle East", place: "region:mena", want: []string{"menanpud"}},
		// Names: exact, with small wording changes, misspelt.
		{q: "VANDU", want: []string{"vandu"}},
		{q: "vandu", want: []string{"vandu"}},
		{q: "CAPUD", want: []string{"capud"}},
		{q: "HOPE", want: []string{"hope-manipur"}},
		{q: "Humanitarian Organization for Progress and Empowerment", want: []string{"hope-manipur"}},
		{q: "Humanitarian Organisation for Progress & Empowerment", want: []string{"hope-manipur"}},
		{q: "progress and empowerment humanitarian organisation", want: []string{"hope-manipur"}},
		{q: "humanitarian organisaton progress empowerment", want: []string{"hope-manipur"}},
		{q: "Danish Drug User Union", want: []string{"brugerforeningen"}},
		{q: "danish drug users' union", want: []string{"brugerforeningen"}},
		{q: "Swedish Users Union", want: []string{"svenska-brukarforeningen"}},
		{q: "Meta d'Ame", want: []string{"meta-dame"}},
		{q: "L'ADDICQ", want: []string{"laddicq"}},
		{q: "laddicq", want: []string{"laddicq"}},
		{q: "Junkies Ehemalige Substituierte", want: []string{"jes"}},
		{q: "Vancouver Area Network of Drug Users", want: []string{"vandu"}},
		{q: "vancouver network drug users", want: []string{"vandu"}},
		{q: "Union for Improved Services Communication and Education", want: []string{"uisce"}},
		{q: "survivors union", want: []string{"nc-urban-survivors-union", "urban-survivors-union"}},
		{q: "harm reduction workers", want: []string{"hrwu"}},
		// A name and a place, in either order.
		{q: "ASUD Paris", want: []string{"asud"}},
		{q: "Paris ASUD", want: []string{"asud"}},
		{q: "methadone Montreal", want: []string{"meta-dame"}, not: []string{"bcapom"}},
		{q: "methadone", want: []string{"bcapom", "meta-dame"}},
		{q: "drug users union denmark", want: []string{"brugerforeningen"}},
		{q: "drug users union toronto", want: []string{"tduu"}},
		{q: "german drug user union", want: []string{"vision-ev"}},
		// Free text around a place.
		{q: "is there a users union in Paris?", place: "city:Paris,FR", want: []string{"asud"}},
		{q: "groups in Dublin", place: "city:Dublin,IE", want: []string{"uisce"}},
		{q: "anything in Manchester", place: "city:Manchester,GB", want: []string{"euronpud"}},
		{q: "any groups near Toronto?", place: "city:Toronto,CA", want: []string{"tduu"}},
	} {
		t.Run(tc.q, func(t *testing.T) {
			place, got, res := answer(x, tc.q)
			if place != tc.place {
				t.Errorf("answers for %q, want %q", place, tc.place)
			}
			if !inOrder(got, tc.want) {
				t.Errorf("shows %v, want %v first and in that order", got, tc.want)
			}
			for _, id := range tc.not {
				if slices.Contains(got, id) {
					t.Errorf("shows %s: %v", id, got)
				}
			}
			if res.Corrected != tc.corrected {
				t.Errorf("Corrected = %v, want %v", res.Corrected, tc.corrected)
			}
			var also []string
			for _, p := range res.Also {
				also = append(also, p.Country)
			}
			for _, c := range tc.also {
				if !slices.Contains(also, c) {
					t.Errorf("other readings %v, want one in %s", also, c)
				}
			}
			if len(res.Also) > MaxAlso {
				t.Errorf("%d other readings, want at most %d", len(res.Also), MaxAlso)
			}
		})
	}
}

// TestShortTokensAreNotFuzzed: a word under five letters is never
// corrected, so an abbreviation cannot turn into places across the world.
func TestShortTokensAreNotFuzzed(t *testing.T) {
	x := MustIndex(t)
	for _, q := range []string{"DTEZ", "Peru", "Oslp", "NCC", "ZZ", "Lyom"} {
		res := x.Search(q)
		if res.Corrected {
			t.Errorf("Search(%q) was corrected to %+v", q, res.Matches)
		}
	}
	for _, q := range []string{"Vancuover", "Torronto", "Gatinau"} {
		if res := x.Search(q); !res.Corrected || len(res.Matches) != 1 || res.Matches[0].Place == nil {
			t.Errorf("Search(%q) = %+v, want one corrected place", q, res)
		}
	}
}

// TestDistancesOnlyBetweenRealPoints: countries, provinces and regions
// show no distance; a city shows one only to a group with a known city,
// and "in <city>" for a group in it.
func TestDistancesOnlyBetweenRealPoints(t *testing.T) {
	x := MustIndex(t)
	all := func(m Match) []Hit {
		var out []Hit
		for _, l := range [][]Hit{m.Local, m.Near, m.National, m.Regional, m.International, m.Nearest} {
			out = append(out, l...)
		}
		return out
	}
	for _, q := range []string{"Canada", "Portugal", "Kenya", "British Columbia", "Yukon", "Bavaria", "Asia", "Europe"} {
		m := firstPlace(t, x.Search(q))
		for _, h := range all(*m) {
			if h.Km >= 0 {
				t.Errorf("%s: %s at %.0f km from a stand-in point", q, h.Org.ID, h.Km)
			}
		}
	}
	for _, q := range []string{"Ottawa", "Gatineau", "Vancouver", "Lyon", "Nairobi", "Hamilton", "Seattle"} {
		m := firstPlace(t, x.Search(q))
		for _, h := range all(*m) {
			if h.Km >= 0 && h.Org.City == "" {
				t.Errorf("%s: %s has no city but shows %.0f km", q, h.Org.ID, h.Km)
			}
		}
		for _, h := range m.Local {
			if !h.InPlace || h.Km >= 0 {
				t.Errorf("%s: %s is in the city but reads in=%v / %.0f km", q, h.Org.ID, h.InPlace, h.Km)
			}
		}
	}
	g := firstPlace(t, x.Search("Gatineau"))
	if len(g.Near) == 0 || g.Near[0].Org.ID != "dual" || g.Near[0].Km < 3 || g.Near[0].Km > 10 {
		t.Errorf("Gatineau near = %v, want DUAL first at about 6 km", g.Near)
	}
	o := firstPlace(t, x.Search("Ottawa"))
	if len(o.Local) == 0 || o.Local[0].Org.ID != "dual" || !o.Local[0].InPlace || o.Place.Name != "Ottawa" {
		t.Errorf("Ottawa local = %+v, want DUAL in Ottawa", o.Local)
	}
}

// TestNoGroupIsNearAcrossContinents: for every country and capital with
// no group of its own, the groups offered as nearest are within FarKm, in
// that country, or within RegionKm in one of its regions; checked by its own
// rule, and by the distance alone so that the rule cannot drift.
func TestNoGroupIsNearAcrossContinents(t *testing.T) {
	x := MustIndex(t)
	checked := 0
	for i := range x.countries {
		c := &x.countries[i]
		for _, m := range []Match{x.placeMatch(ref{refCountry, int32(i)}), x.placeMatch(ref{refCity, int32(i)})} {
			if m.Own() {
				continue
			}
			checked++
			for _, h := range m.Nearest {
				d := DistanceKm(*h.Org.Coordinates, m.Place.Point)
				if !x.offered(h.Org, c.Code, x.countryRegion[c.Code], d) {
					t.Errorf("%s: %s offered as near, %.0f km away in another country", m.Place.Name, h.Org.ID, d)
				}
				if d > RegionKm && !slices.Contains(h.Org.Countries, c.Code) {
					t.Errorf("%s: %s offered as near, %.0f km away abroad", m.Place.Name, h.Org.ID, d)
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("checked %d places with no group, want most of the world", checked)
	}
}

// TestRegionIndex: a region's answer indexes its countries with groups,
// most first, with their counts.
func TestRegionIndex(t *testing.T) {
	x := MustIndex(t)
	m := firstPlace(t, x.Search("Asia"))
	var got []string
	for _, c := range m.Countries {
		got = append(got, fmt.Sprintf("%s %d", c.Code, c.Count))
	}
	if len(got) < 3 || !strings.HasPrefix(strings.Join(got, " · "), "IN 4 · ID 4") {
		t.Errorf("Asia's countries = %v, want India 4 and Indonesia 4 first", got)
	}
	for i := 1; i < len(m.Countries); i++ {
		if m.Countries[i].Count > m.Countries[i-1].Count {
			t.Errorf("not most first: %v", got)
		}
	}
}

// TestAlliesAfterPeerRunGroups: an ally comes after every peer-run group
// of the same list, in every list of every answer.
func TestAlliesAfterPeerRunGroups(t *testing.T) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	orgs := append([]Organisation(nil), seed.Organisations...)
	// Mark an early-sorting group an ally, so the test fails if allies
	// were merely sorted by name.
	for i := range orgs {
		if orgs[i].ID == "capud" || orgs[i].ID == "bcapom" {
			orgs[i].Ally = true
		}
	}
	x := Build(seed, orgs)
	for _, q := range []string{"Canada", "British Columbia", "Vancouver", "Victoria, BC"} {
		m := firstPlace(t, x.Search(q))
		for li, l := range [][]Hit{m.Local, m.Near, m.National} {
			// A country's local groups are listed by province: the
			// order holds within each.
			byProvince := li == 0 && m.Place.Kind == PlaceCountry
			seenAlly, group := false, ""
			for _, h := range l {
				if byProvince && h.Org.Province != group {
					seenAlly, group = false, h.Org.Province
				}
				if h.Org.Ally {
					seenAlly = true
				} else if seenAlly {
					t.Errorf("%s: peer-run %s after an ally in %v", q, h.Org.ID, ids(l))
				}
			}
		}
	}
	m := firstPlace(t, x.Search("Canada"))
	if m.National[0].Org.ID == "capud" {
		t.Errorf("Canada's national bodies = %v, want the ally CAPUD after the peer-run ones", ids(m.National))
	}
}

// TestClosedGroupsLeaveAnswers: a closed group is in no answer, but its
// card (Org) is still there.
func TestClosedGroupsLeaveAnswers(t *testing.T) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	orgs := append([]Organisation(nil), seed.Organisations...)
	for i := range orgs {
		if orgs[i].ID == "tduu" {
			orgs[i].Status = StatusClosed
		}
	}
	x := Build(seed, orgs)
	for _, q := range []string{"Canada", "Toronto", "Ontario", "TDUU", "Toronto Drug Users Union", "drug users union"} {
		if _, got, _ := answer(x, q); slices.Contains(got, "tduu") {
			t.Errorf("%s shows the closed TDUU: %v", q, got)
		}
	}
	if _, ok := x.Org("tduu"); !ok {
		t.Error("the closed group's record is gone")
	}
}

// TestServes: a group is found where it serves beyond its seat.
func TestServes(t *testing.T) {
	seed, err := LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	orgs := append([]Organisation(nil), seed.Organisations...)
	for i := range orgs {
		switch orgs[i].ID {
		case "redun":
			orgs[i].Serves = []string{"Grand Forks, CA-BC"}
		case "bcyadws":
			orgs[i].Serves = []string{"CA-YT"}
		}
	}
	x := Build(seed, orgs)
	if p := x.Problems(); len(p) > 0 {
		t.Fatal(p)
	}
	g := firstPlace(t, x.Search("Grand Forks"))
	if len(g.Local) == 0 || g.Local[0].Org.ID != "redun" || !g.Local[0].InPlace || g.Place.Name != "Grand Forks" {
		t.Errorf("Grand Forks local = %v, want REDUN in Grand Forks", ids(g.Local))
	}
	y := firstPlace(t, x.Search("Yukon"))
	if len(y.Local) == 0 || y.Local[0].Org.ID != "bcyadws" {
		t.Errorf("Yukon local = %v, want BCYADWS", ids(y.Local))
	}
	w := firstPlace(t, x.Search("Whitehorse"))
	if !slices.Contains(ids(w.Near), "bcyadws") {
		t.Errorf("Whitehorse near = %v, want BCYADWS (it serves Yukon)", ids(w.Near))
	}
}

// TestIDsNameTheirGroup: every organisation's id finds it exactly, as the
// Report button of its card ("/report <id>") needs.
func TestIDsNameTheirGroup(t *testing.T) {
	x := MustIndex(t)
	x.Orgs(func(o *Organisation) bool {
		if o.Closed() {
			return true
		}
		res := x.Search(o.ID)
		if res.Partial || res.Corrected || len(res.Matches) == 0 || res.Matches[0].Place != nil || !slices.Contains(res.Matches[0].Orgs, o) {
			t.Errorf("Search(%q) does not name it exactly: %+v", o.ID, res)
		}
		return true
	})
}
