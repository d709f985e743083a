package moderation

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/store"
)

// leadsTSV is a file in the research table's columns: two unclear leads
// (one in a city the directory does not know), one the source says is not
// peer-run, and one that is already listed (KeNPUD).
const leadsTSV = "name\tacronym\tkind\tcountry_iso2\tcity\twebsite\tsource_url\tsource_date\tpeer_run\n" +
	"Youth RISE (Resources, Information, Support and Education)\tYouth RISE\tinternational\t\t\thttps://youthrise.org\thttps://youthrise.org/what-we-do/\tn.d.\tunclear\n" +
	"Asociación de Reducción de Daños de Argentina\tARDA\tnational\tAR\tNowhereville\thttps://arda.org.ar\thttps://arda.org.ar/quienes_somos.html\tc. 2014\tunclear\n" +
	"Example Service Provider\tESP\tlocal\tKE\tNairobi\t\thttps://example.org/esp\t2018, annual report 2017\tno\n" +
	"Kenya Network of People who Use Drugs\tKeNPUD\tnational\tKE\tNairobi\t\thttps://idpc.net/alerts/2013/03/capacity-building-workshop-for-drug-users-network-in-kenya\t2013-03\tyes\n"

// submitLeads reads file as a file of leads and submits them, failing the
// test on any error.
func (h *harness) submitLeads(file string) []LeadResult {
	h.t.Helper()
	leads, err := ReadLeads(strings.NewReader(file), h.dir.Index())
	if err != nil {
		h.t.Fatal(err)
	}
	res, err := h.svc.SubmitLeads(context.Background(), leads)
	if err != nil {
		h.t.Fatal(err)
	}
	return res
}

func TestLeadsQueuedOnceWithTheirSources(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		h := newHarness(t, st, Options{})
		x := h.dir.Index()
		first := h.submitLeads(leadsTSV)
		wantNew := []bool{true, true, true, false}
		if len(first) != len(wantNew) {
			t.Fatalf("results = %+v", first)
		}
		for i, r := range first {
			if r.New != wantNew[i] {
				t.Errorf("lead %d (%s): new %v, want %v", i, r.Name, r.New, wantNew[i])
			}
		}
		if first[3].Listed == "" || first[3].Ref != "" {
			t.Errorf("KeNPUD = %+v, want already listed and not queued", first[3])
		}

		// The same file again adds nothing, and gives the same references.
		second := h.submitLeads(leadsTSV)
		for i := range second {
			if second[i].New || second[i].Ref != first[i].Ref {
				t.Errorf("second import of %s = %+v, first gave %+v", second[i].Name, second[i], first[i])
			}
		}
		pend, err := h.svc.pending(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(pend) != 3 {
			t.Errorf("%d items pending after two imports, want 3", len(pend))
		}

		// Each item carries its source and says why it is uncertain.
		youth := h.item(first[0].Ref)
		if youth.Kind != KindSuggestion || youth.Lead == nil || youth.Lead.Why != WhyUnclear || !youth.Org.Ally {
			t.Errorf("Youth RISE item = %+v", youth)
		}
		if got := youth.Org.MainSource(); got.URL != "https://youthrise.org/what-we-do/" || got.Date != directory.Undated {
			t.Errorf("Youth RISE source = %+v", got)
		}
		arda := h.item(first[1].Ref)
		if got := arda.Org.MainSource(); got.Date != "2014" || !strings.Contains(got.Note, "c. 2014") {
			t.Errorf("ARDA source = %+v", got)
		}
		if arda.Org.City != "" || arda.Lead.UnknownCity != "Nowhereville" {
			t.Errorf("ARDA city %q, unknown city %q: want the city kept off the entry and named on the card", arda.Org.City, arda.Lead.UnknownCity)
		}
		esp := h.item(first[2].Ref)
		if esp.Lead.Why != WhyNotPeer || esp.Org.MainSource().Date != "2018" || esp.Org.City != "Nairobi" {
			t.Errorf("ESP item = %+v, source %+v", esp, esp.Org.MainSource())
		}
		card := render(h.svc.card(x, youth, "en"))
		mustContain(t, card, "New suggestion "+youth.Ref, "Youth RISE", "the source does not say it is run by people who use drugs", "https://youthrise.org/what-we-do/", "undated")
		mustContain(t, render(h.svc.card(x, arda, "fr")), "Nowhereville", "la source ne dit pas")
		mustContain(t, render(h.svc.card(x, esp, "en")), "the source says it is not run by people who use drugs")

		// The audit log says the import queued them.
		entries, err := h.svc.Audit(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, e := range entries {
			if e.Action == "queued a lead" && e.Actor == leadActor {
				n++
			}
		}
		if n != 3 {
			t.Errorf("%d audit entries for leads, want 3: %+v", n, entries)
		}

		// Approving a lead lists it with its source first, verified today.
		mustContain(t, h.say("mod1", "/approve "+youth.Ref), "approved")
		var listed *directory.Organisation
		h.dir.Index().Orgs(func(o *directory.Organisation) bool {
			if o.Name == youth.Org.Name {
				listed = o
			}
			return true
		})
		if listed == nil {
			t.Fatal("approved lead is not listed")
		}
		if listed.MainSource().URL != "https://youthrise.org/what-we-do/" || listed.Verified != time.Now().UTC().Format("2006-01-02") || !listed.Ally {
			t.Errorf("approved lead = %+v", listed)
		}
	})
}

// A lead that could not become an entry (an unknown country, no source) is
// refused with the others, before anything is queued.
func TestLeadsRefusedTogether(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{})
		bad := "name\tacronym\tkind\tcountry_iso2\tcity\twebsite\tsource_url\tsource_date\tpeer_run\n" +
			"Good Lead\t\tnational\tNP\t\t\thttps://example.org/good\t2020\tunclear\n" +
			"Nowhere Lead\t\tnational\tXX\t\t\thttps://example.org/nowhere\t2020\tunclear\n" +
			"Unsourced Lead\t\tnational\tNP\t\t\t\t2020\tunclear\n"
		_, err := ReadLeads(strings.NewReader(bad), h.dir.Index())
		if err == nil || !strings.Contains(err.Error(), "Nowhere Lead") || !strings.Contains(err.Error(), "Unsourced Lead") || strings.Contains(err.Error(), "Good Lead") {
			t.Errorf("ReadLeads error = %v", err)
		}
		if _, err := ReadLeads(strings.NewReader("name\tacronym\n"), h.dir.Index()); err == nil {
			t.Error("a TSV file with other columns was accepted")
		}
		if pend, _ := h.svc.pending(context.Background()); len(pend) != 0 {
			t.Errorf("%d items queued", len(pend))
		}
	})
}

// A file in the export format works as a file of leads too.
func TestLeadsFromExportFormat(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		h := newHarness(t, st, Options{})
		yaml := "organisations:\n  - id: x\n    name: Kathmandu Peer Group\n    kind: local\n    countries: [NP]\n    city: Kathmandu\n" +
			"    sources:\n      - {title: \"A page\", url: \"https://example.org/k\", date: \"2025-02\"}\n"
		leads, err := ReadLeads(strings.NewReader(yaml), h.dir.Index())
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if _, err := h.svc.SubmitLeads(ctx, leads); err != nil {
				t.Fatal(err)
			}
		}
		pend, _ := h.svc.pending(ctx)
		if len(pend) != 1 || pend[0].Lead.Why != WhyFile || pend[0].Org.MainSource().URL != "https://example.org/k" {
			t.Fatalf("pending = %+v", pend)
		}
	})
}

func TestLeadDate(t *testing.T) {
	for in, want := range map[string][2]string{
		"2013-03":                  {"2013-03", ""},
		"n.d.":                     {"undated", ""},
		"":                         {"undated", ""},
		"c. 2014":                  {"2014", "date approximate (c. 2014)"},
		"2018, annual report 2017": {"2018", "date given as 2018, annual report 2017"},
		"n.d., >=2024":             {"undated", "date given as n.d., >=2024"},
		"2012-13":                  {"2012", "date given as 2012-13"},
	} {
		d, n := leadDate(in)
		if d != want[0] || n != want[1] {
			t.Errorf("leadDate(%q) = %q, %q; want %q, %q", in, d, n, want[0], want[1])
		}
	}
}

// FuzzReadLeads: any file either is refused with an error or gives leads
// that can become entries, each with a dated source.
func FuzzReadLeads(f *testing.F) {
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		f.Fatal(err)
	}
	x := directory.Build(seed, seed.Organisations)
	f.Add(leadsTSV)
	f.Add("organisations:\n  - id: x\n    name: X\n    kind: national\n    countries: [NP]\n    source: s\n")
	f.Add("name\tacronym\tkind\tcountry_iso2\tcity\twebsite\tsource_url\tsource_date\tpeer_run\nA\t\tlocal\tKE\tNairobi\t\thttps://e.org\t2012-13\t\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, in string) {
		leads, err := ReadLeads(strings.NewReader(in), x)
		if err != nil {
			return
		}
		for _, l := range leads {
			if len(l.Org.Sources) == 0 || !directory.ValidDate(l.Org.Sources[0].Date) {
				t.Errorf("lead %q has sources %+v", l.Org.Name, l.Org.Sources)
			}
			if _, listed, _ := duplicates(x, &l.Org, nil); listed != "" {
				continue
			}
			check := l.Org
			check.ID = "lead"
			if err := x.Check(check); err != nil {
				t.Errorf("lead %q accepted but cannot be an entry: %v", l.Org.Name, err)
			}
		}
	})
}
