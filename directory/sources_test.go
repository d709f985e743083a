package directory

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// A change stored before Sources existed carries a `source` string: it
// loads as Sources[0], dated by its verified date, and is written back
// without `source`.
func TestOldStoredChangeUpgrades(t *testing.T) {
	old := `{"id":"x","org":{"id":"x","name":"X Union","kind":"local","countries":["CA"],"source":"reader comment, 2017-01-18","verified":"2017-01"},"at":"2017-01-18T00:00:00Z"}`
	var c Change
	if err := json.Unmarshal([]byte(old), &c); err != nil {
		t.Fatal(err)
	}
	want := []Source{{Title: "reader comment, 2017-01-18", Date: "2017-01"}}
	if !slices.Equal(c.Org.Sources, want) || c.Org.Source != "" {
		t.Fatalf("sources = %+v, source = %q; want %+v and none", c.Org.Sources, c.Org.Source, want)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), `"source":`) || !strings.Contains(string(b), `"sources":[{"title":"reader comment, 2017-01-18","date":"2017-01"}]`) {
		t.Fatalf("re-encoded = %s", b)
	}
	// Decoding the new form again changes nothing.
	var again Change
	if err := json.Unmarshal(b, &again); err != nil || !slices.Equal(again.Org.Sources, want) {
		t.Fatalf("second decode = %+v, %v", again.Org, err)
	}
}

// An old record with no verified date gets an "undated" source.
func TestOldSourceWithoutDate(t *testing.T) {
	var o Organisation
	if err := json.Unmarshal([]byte(`{"id":"x","name":"X","kind":"local","source":"community suggestion"}`), &o); err != nil {
		t.Fatal(err)
	}
	if got := o.MainSource(); got != (Source{Title: "community suggestion", Date: Undated}) {
		t.Fatalf("main source = %+v", got)
	}
}

// The seed's YAML may still say `source:`; loading turns it into Sources.
func TestSeedYAMLSourceUpgrades(t *testing.T) {
	seed := mustSeed(t)
	fsys := fstest.MapFS{}
	for _, name := range []string{"countries.yaml", "subdivisions.yaml", "cities.yaml", "regions.yaml", "worldsubdivisions.tsv", "worldcities.tsv"} {
		b, err := seedFiles.ReadFile("data/" + name)
		if err != nil {
			t.Fatal(err)
		}
		fsys["d/"+name] = &fstest.MapFile{Data: b}
	}
	fsys["d/organisations.yaml"] = &fstest.MapFile{Data: []byte(`organisations:
  - id: old
    name: Old Union
    kind: local
    countries: [CA]
    source: "INPUD list, Aug 2014"
    verified: "2014-08"
  - id: new
    name: New Union
    kind: national
    countries: [KE]
    sources:
      - {title: "A page", url: "https://example.org/a", date: "2025-03"}
      - {title: "Another page", date: undated, note: "its city"}
    verified: "2025-03"
`)}
	s, err := loadSeedFS(fsys, "d")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.Organisations[0].Sources, []Source{{Title: "INPUD list, Aug 2014", Date: "2014-08"}}; !slices.Equal(got, want) || s.Organisations[0].Source != "" {
		t.Errorf("old entry sources = %+v, want %+v", got, want)
	}
	if got := s.Organisations[1].Sources; len(got) != 2 || got[0].URL != "https://example.org/a" || got[1].Note != "its city" || got[1].Date != Undated {
		t.Errorf("new entry sources = %+v", got)
	}
	if p := Build(seed, s.Organisations).Problems(); len(p) != 0 {
		t.Errorf("problems: %v", p)
	}
}

// Serves, status and dates are checked: a bad entry is reported as a
// Problem and left out, and the others still answer.
func TestFactsValidated(t *testing.T) {
	seed := mustSeed(t)
	base := func(id string) Organisation {
		return Organisation{ID: id, Name: "Union " + id, Kind: KindLocal, Countries: []string{"CA"}, Province: "CA-BC", City: "Nelson",
			Sources: []Source{{Title: "a page", Date: "2020"}}}
	}
	good := []func(*Organisation){
		func(o *Organisation) { o.Serves = []string{"Grand Forks, CA-BC"} },
		func(o *Organisation) { o.Serves = []string{"grand forks, CA"} },
		func(o *Organisation) { o.Serves = []string{"CA-YT"} },
		func(o *Organisation) { o.Countries = []string{"CA", "US"}; o.Serves = []string{"US", "Seattle, US-WA"} },
		func(o *Organisation) { o.Status = StatusClosed },
		func(o *Organisation) { o.Status = StatusActive; o.Verified = "2026-12-01" },
		func(o *Organisation) { o.Sources[0].Date = Undated; o.Verified = Undated },
	}
	bad := map[string]func(*Organisation){
		`serves "Atlantis, CA-BC"`:     func(o *Organisation) { o.Serves = []string{"Atlantis, CA-BC"} },
		`serves "CA-ZZ"`:               func(o *Organisation) { o.Serves = []string{"CA-ZZ"} },
		`serves "VN"`:                  func(o *Organisation) { o.Serves = []string{"VN"} },
		`serves "XX"`:                  func(o *Organisation) { o.Serves = []string{"XX"} },
		`serves "Whitehorse, CA-BC"`:   func(o *Organisation) { o.Serves = []string{"Whitehorse, CA-BC"} },
		`serves ", CA"`:                func(o *Organisation) { o.Serves = []string{", CA"} },
		`unknown status "gone"`:        func(o *Organisation) { o.Status = "gone" },
		`source 1 has date "Aug 2014"`: func(o *Organisation) { o.Sources[0].Date = "Aug 2014" },
		`verified "2014-13"`:           func(o *Organisation) { o.Verified = "2014-13" },
		`source 1 has neither`:         func(o *Organisation) { o.Sources[0].Title = "" },
	}
	var orgs []Organisation
	for i, f := range good {
		o := base("good" + string(rune('a'+i)))
		f(&o)
		orgs = append(orgs, o)
	}
	var wantProblems []string
	for want, f := range bad {
		o := base("bad" + string(rune('a'+len(wantProblems))))
		f(&o)
		orgs = append(orgs, o)
		wantProblems = append(wantProblems, o.ID+": "+want)
	}
	x := Build(seed, orgs)
	problems := x.Problems()
	if len(problems) != len(bad) {
		t.Errorf("problems = %q, want %d", problems, len(bad))
	}
	for _, want := range wantProblems {
		found := false
		for _, p := range problems {
			found = found || strings.HasPrefix(p, want)
		}
		if !found {
			t.Errorf("no problem starting %q in %q", want, problems)
		}
	}
	for i := range good {
		if _, ok := x.Org("good" + string(rune('a'+i))); !ok {
			t.Errorf("good entry %d left out", i)
		}
	}
}

func TestValidDate(t *testing.T) {
	for d, want := range map[string]bool{"2014": true, "2014-08": true, "2014-08-31": true, "undated": true,
		"": false, "2014-8": false, "2014-02-30": false, "Aug 2014": false, "n.d.": false, "20140831": false} {
		if got := ValidDate(d); got != want {
			t.Errorf("ValidDate(%q) = %v, want %v", d, got, want)
		}
	}
}

func TestClosedAndPeerRun(t *testing.T) {
	o := Organisation{}
	if o.Closed() || !o.PeerRun() {
		t.Errorf("zero organisation: closed %v, peer-run %v", o.Closed(), o.PeerRun())
	}
	o.Status, o.Ally = StatusClosed, true
	if !o.Closed() || o.PeerRun() {
		t.Errorf("closed ally: closed %v, peer-run %v", o.Closed(), o.PeerRun())
	}
}
