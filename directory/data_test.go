package directory

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// researchPeerRun are the rows of the research table
// shared/research/organisations-2026-12.tsv whose peer_run is "yes", by the
// id each has in organisations.yaml and the name the table gives it. The
// table lives outside the repository, so the expectation is written here;
// TestResearchRowsListed also checks it against the table when a copy is
// at hand.
var researchPeerRun = map[string]string{
	"whrin":                         "Women and Harm Reduction International Network",
	"africanpud":                    "African Network of People who Use Drugs",
	"kenpud":                        "Kenya Network of People who Use Drugs",
	"tanpud":                        "Tanzania Network of People who Use Drugs",
	"sanpud":                        "South African Network of People who Use Drugs",
	"canpud":                        "Cape Town Network of People Who Use Drugs",
	"lusaka-pwud-network":           "Lusaka PWUD Network",
	"phuthaditjhaba-pwud-network":   "Phuthaditjhaba PWUD Network",
	"madadeni-pwud-network":         "Madadeni PWUD Network",
	"osizweni-pwud-network":         "Osizweni PWUD Network",
	"recovering-nepal":              "Recovering Nepal",
	"nunn":                          "National Users Network Nepal",
	"tdn":                           "Thai Drug Users' Network",
	"thainpud":                      "Thai Network of People Who Use Drugs",
	"volna":                         "All-Ukrainian Association of People with Drug Dependence 'VOLNA' (WAVE)",
	"pud-ua":                        "All-Ukrainian union of people with drug addiction",
	"radaud":                        "Argentinian Network for the Rights and Assistance of People who Use Drugs",
	"women-who-use-drugs-bolivia":   "Community of Women who Use Drugs in Bolivia",
	"caso":                          "Consumidores Associados Sobrevivem Organizados",
	"suomen-lummery":                "Suomen Lummery",
	"brukarforeningen-stockholm":    "Brukarföreningen Stockholm (Stockholm Drug Users Union)",
	"fhn":                           "Foreningen for human narkotikapolitikk",
	"respect-uk":                    "Respect",
	"chemical-reaction":             "Chemical Reaction",
	"usu-charlotte":                 "Urban Survivors Union, Charlotte chapter",
	"usu-san-francisco":             "Urban Survivors Union, San Francisco chapter",
	"usu-seattle":                   "Urban Survivors Union, Seattle chapter",
	"sfduu":                         "San Francisco Drug Users Union",
	"neuu":                          "New England User's Union",
	"users-united-nyc":              "Users United",
	"vocal-ny-users-union":          "VOCAL-NY Users Union",
	"phra":                          "People's Harm Reduction Alliance",
	"csun":                          "Coalition of Substance Users of the North",
	"sustain":                       "Substance Users Society Teaching Advocacy Instead of Neglect",
	"cpddw":                         "Coalition of Peers Dismantling the Drug War",
	"drug-war-survivors-abbotsford": "Drug War Survivors (Abbotsford)",
	"nuaa":                          "NSW Users and AIDS Association",
	"hrvic":                         "Harm Reduction Victoria",
	"peer-based-harm-reduction-wa":  "Peer Based Harm Reduction WA",
	"cahma":                         "Canberra Alliance for Harm Minimisation and Advocacy",
	"quivaa":                        "Queensland Injectors Voice of Advocacy and Action",
	"savive":                        "SAVIVE",
}

// Every entry says where it comes from and how old that is.
func TestEveryEntryIsSourced(t *testing.T) {
	x := MustIndex(t)
	n := 0
	x.Orgs(func(o *Organisation) bool {
		n++
		if len(o.Sources) == 0 {
			t.Errorf("%s has no source", o.ID)
			return true
		}
		for i, s := range o.Sources {
			if !ValidDate(s.Date) {
				t.Errorf("%s: source %d has date %q", o.ID, i+1, s.Date)
			}
			if s.Title == "" {
				t.Errorf("%s: source %d has no title", o.ID, i+1)
			}
			if s.URL != "" && !strings.HasPrefix(s.URL, "http://") && !strings.HasPrefix(s.URL, "https://") {
				t.Errorf("%s: source %d has url %q", o.ID, i+1, s.URL)
			}
		}
		// Nobody has verified the seed in the bot: each entry is as old
		// as its main source.
		if o.Verified != o.Sources[0].Date {
			t.Errorf("%s: verified %q, main source dated %q", o.ID, o.Verified, o.Sources[0].Date)
		}
		if o.Source != "" {
			t.Errorf("%s still has the old source string %q", o.ID, o.Source)
		}
		return true
	})
	if want := 52 + len(researchPeerRun); n != want {
		t.Errorf("%d entries, want the 52 of 2014 and the %d of the research", n, len(researchPeerRun))
	}
}

func TestResearchRowsListed(t *testing.T) {
	if len(researchPeerRun) != 42 {
		t.Fatalf("%d research rows expected, the table has 42 peer-run rows", len(researchPeerRun))
	}
	x := MustIndex(t)
	for id := range researchPeerRun {
		o, ok := x.Org(id)
		if !ok {
			t.Errorf("research row %s is not listed", id)
			continue
		}
		if o.MainSource().URL == "" || o.Ally {
			t.Errorf("%s: main source %+v, ally %v; want a page and a peer-run group", id, o.MainSource(), o.Ally)
		}
	}
	// Where a copy of the shared research is at hand (beside the clone in
	// CI, beside the worktrees here), the expectation above must match it.
	var table []byte
	for _, p := range []string{"../../shared/research/organisations-2026-12.tsv", "../../../shared/research/organisations-2026-12.tsv"} {
		if b, err := os.ReadFile(filepath.FromSlash(p)); err == nil {
			table = b
			break
		}
	}
	if table == nil {
		t.Log("no copy of the research table at hand; checked the written expectation only")
		return
	}
	var names []string
	cityOf := map[string]string{} // a row's name → the city its source states
	for _, line := range strings.Split(string(table), "\n")[1:] {
		cells := strings.Split(line, "\t")
		if len(cells) == 9 && cells[8] == "yes" {
			names = append(names, cells[0])
			cityOf[cells[0]] = cells[4]
		}
	}
	// A city the source states is the entry's seat city, so that a search
	// for it finds the group (CSUN in Quesnel, the SANPUD networks in
	// Phuthaditjhaba, Madadeni and Osizweni).
	for id, n := range researchPeerRun {
		if o, ok := x.Org(id); ok && cityOf[n] != "" && o.City != cityOf[n] {
			t.Errorf("%s: city %q, the research row states %q", id, o.City, cityOf[n])
		}
	}
	var want []string
	for _, n := range researchPeerRun {
		want = append(want, n)
	}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("the research table's peer-run rows are\n%q\nthe test expects\n%q", names, want)
	}
}

// The places the issue names find their groups.
func TestFindReachesEveryContinent(t *testing.T) {
	x := MustIndex(t)
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"Kenya", []string{"kenpud", "africanpud"}},
		{"Nairobi", []string{"kenpud", "africanpud"}},
		{"Sydney", []string{"nuaa", "aivl"}},
		{"Seattle", []string{"usu-seattle", "phra"}},
		{"Nepal", []string{"recovering-nepal", "nunn"}},
		{"Cape Town", []string{"canpud", "sanpud"}},
		{"Kyiv", []string{"volna", "pud-ua"}},
		{"Buenos Aires", []string{"radaud", "lanpud"}},
		{"Oslo", []string{"fhn"}},
	} {
		got := allIDs(x.Search(tc.query))
		for _, id := range tc.want {
			if !slices.Contains(got, id) {
				t.Errorf("/find %s = %v, want %s", tc.query, got, id)
			}
		}
	}
}

// The corrections of the research notes' section 3 are applied, each with
// its source.
func TestCorrectionsApplied(t *testing.T) {
	x := MustIndex(t)
	org := func(id string) *Organisation {
		o, ok := x.Org(id)
		if !ok {
			t.Fatalf("%s is not listed", id)
		}
		return o
	}
	hasSource := func(o *Organisation, url string) bool {
		return slices.ContainsFunc(o.Sources, func(s Source) bool { return s.URL == url })
	}
	if o := org("lanpud"); !slices.Equal(o.Websites, []string{"https://www.redlanpud.net"}) || !hasSource(o, "https://www.redlanpud.net/eventos/ponencia-taller-hiv2020-ernesto-cortes/") {
		t.Errorf("lanpud: websites %v, sources %+v", o.Websites, o.Sources)
	}
	if o := org("ehrn"); o.Name != "Eurasian Harm Reduction Association" || !o.Ally || !slices.Contains(o.OtherNames, "Eurasian Harm Reduction Network") ||
		!slices.Equal(o.Websites, []string{"https://harmreductioneurasia.org"}) {
		t.Errorf("ehrn = %+v", o)
	}
	if o := org("redun"); o.City != "Nelson" || !slices.Equal(o.Serves, []string{"Grand Forks, CA-BC"}) {
		t.Errorf("redun: city %q, serves %v", o.City, o.Serves)
	}
	if o := org("bcyadws"); o.Province != "CA-BC" || !slices.Equal(o.Serves, []string{"CA-YT"}) {
		t.Errorf("bcyadws: province %q, serves %v", o.Province, o.Serves)
	}
	if o := org("bcapom"); !slices.Contains(append([]string{o.Name}, o.OtherNames...), "BC Association of People on Methadone") ||
		!slices.Contains(append([]string{o.Name}, o.OtherNames...), "BC Association of People on Opiate Maintenance") {
		t.Errorf("bcapom names: %q, %q", o.Name, o.OtherNames)
	}
	for _, id := range []string{"ehrn", "aplhiv-pakistan", "hrwu"} {
		if !org(id).Ally {
			t.Errorf("%s should be marked an ally", id)
		}
	}
	allies := 0
	x.Orgs(func(o *Organisation) bool {
		if o.Ally {
			allies++
		}
		return true
	})
	if allies != 3 {
		t.Errorf("%d allies, want 3", allies)
	}
	for id, city := range map[string]string{"adug": "Kabul", "uisce": "Dublin", "russian-drug-user-organisation": "Moscow", "inpud": "London"} {
		if got := org(id).City; got != city {
			t.Errorf("%s: seat %q, want %q", id, got, city)
		}
	}
	// The 2014 entries cite the page they come from.
	if s := org("vandu").MainSource(); s.URL != "https://blackpoppymag.wordpress.com/drug-user-unions-globally/" || s.Date != "2014-08" {
		t.Errorf("vandu main source = %+v", s)
	}
	if s := org("peer-network-athens").MainSource(); s.Date != "2017-01-18" || !strings.Contains(s.Title, "comments") {
		t.Errorf("peer-network-athens main source = %+v", s)
	}
}
