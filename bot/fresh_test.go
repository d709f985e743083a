package bot

import (
	"context"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/directory/directorytest"
	"github.com/unionbot/unionbot/directory/linkcheck"
	"github.com/unionbot/unionbot/store/bothstores"
)

// states is a LinkStatus from a map.
type states map[string]directory.LinkState

func (s states) Link(u string) (directory.LinkState, bool) { st, ok := s[u]; return st, ok }

var (
	nov28 = time.Date(2026, 11, 28, 4, 0, 0, 0, time.UTC)
	oct2  = time.Date(2026, 10, 2, 23, 0, 0, 0, time.UTC)
)

func botWith(t *testing.T, links LinkStatus, orgs ...directory.Organisation) *Bot {
	t.Helper()
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	if orgs == nil {
		orgs = seed.Organisations
	}
	return New(Options{Directory: directorytest.Dir{X: directory.Build(seed, orgs)}, Log: slog.New(slog.DiscardHandler), Links: links})
}

// listedGroup is an entry with a known source, so the expected lines do
// not follow the seed's wording.
func listedGroup() directory.Organisation {
	return directory.Organisation{ID: "vandu", Name: "Vancouver Area Network of Drug Users", Acronym: "VANDU",
		Kind: directory.KindLocal, Countries: []string{"CA"}, Province: "CA-BC", City: "Vancouver",
		Websites: []string{"http://www.vandu.org"}, Sources: []directory.Source{{Title: "INPUD list", Date: "2014-08"}}, Verified: "2014-08"}
}

func TestFreshnessLine(t *testing.T) {
	up := states{"http://www.vandu.org": {Checked: nov28, OK: true, LastOK: nov28}}
	down := states{"http://www.vandu.org": {Checked: nov28, OK: false, LastOK: oct2.Add(-7 * 24 * time.Hour), DownSince: oct2}}
	for _, tc := range []struct {
		name  string
		links LinkStatus
		want  string
	}{
		{"unchecked", nil, "listed 2014 (INPUD list)"},
		{"reachable", up, "listed 2014 (INPUD list) · website reachable on 2026-11-28"},
		{"unreachable", down, "listed 2014 (INPUD list) · website unreachable since 2026-10-02"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := botWith(t, tc.links, listedGroup())
			o, ok := b.dir.Index().Org("vandu")
			if !ok {
				t.Fatal("no vandu in the seed")
			}
			if got := b.freshness(o, "en"); got != tc.want {
				t.Errorf("freshness = %q, want %q", got, tc.want)
			}
			// The full card carries it.
			if got := ask(t, b, private("/org vandu")); !strings.Contains(got, tc.want) {
				t.Errorf("/org vandu lacks %q:\n%s", tc.want, got)
			}
		})
	}
}

func TestFreshnessInEveryLanguage(t *testing.T) {
	b := botWith(t, states{"http://www.vandu.org": {Checked: nov28, DownSince: oct2}}, listedGroup())
	o, _ := b.dir.Index().Org("vandu")
	want := map[string]string{
		"en": "listed 2014 (INPUD list) · website unreachable since 2026-10-02",
		"fr": "répertorié en 2014 (INPUD list) · site injoignable depuis le 2026-10-02",
		"es": "en la lista desde 2014 (INPUD list) · sitio web inaccesible desde el 2026-10-02",
		"pt": "na lista desde 2014 (INPUD list) · site inacessível desde 2026-10-02",
		"ru": "в списке с 2014 (INPUD list) · сайт недоступен с 2026-10-02",
		"de": "eingetragen 2014 (INPUD list) · Website nicht erreichbar seit 2026-10-02",
		"id": "terdaftar 2014 (INPUD list) · situs web tidak dapat dijangkau sejak 2026-10-02",
	}
	for _, lang := range i18n.Default().Languages() {
		w, ok := want[lang]
		if !ok {
			t.Errorf("no expectation for %s", lang)
			continue
		}
		if got := b.freshness(o, lang); got != w {
			t.Errorf("%s: %q, want %q", lang, got, w)
		}
	}
}

func TestFreshnessSourcesAndConfirmation(t *testing.T) {
	b := botWith(t, nil)
	src := func(title, date string) []directory.Source { return []directory.Source{{Title: title, Date: date}} }
	for _, tc := range []struct {
		sources  []directory.Source
		legacy   string // an old record's source string
		verified string
		want     string
	}{
		// A verified date that is only the source's own date is no confirmation.
		{src("reader comment, 2017-01-18", "2017-01-18"), "", "2017-01-18", "listed 2017 (reader comment)"},
		{[]directory.Source{{Title: "HRVic submission", Date: "2020-08-31"}, {Title: directory.ModeratorSource, Date: "2026-11-30"}}, "", "2026-11-30", "listed 2020 (HRVic submission) · confirmed 2026-11-30"},
		{[]directory.Source{{Title: "reader comment", Date: "2017-01-18"}, {Title: directory.ModeratorSource, Date: "2017-01-18"}}, "", "2017-01-18", "listed 2017 (reader comment) · confirmed 2017-01-18"},
		{src("reader comment", "undated"), "", "", "listed, undated (reader comment)"},
		{src("reader comment", "undated"), "", "2014-08", "listed, undated (reader comment)"},
		{src("KeNPUD: about us", "2025-06"), "", "2025-06", "listed 2025 (KeNPUD: about us)"},
		{src("INPUD list, Aug 2014; Canadian peer-run list", "2014-08"), "", "2014-08", "listed 2014 (INPUD list)"},
		{src("Drug User Unions Worldwide, An Evolving List", ""), "", "2014-08", "listed 2014 (Drug User Unions Worldwide, An Evolving List)"},
		{src("community suggestion", "2026-12-01"), "", "2026-12-01", "listed 2026 (community suggestion) · confirmed 2026-12-01"},
		{nil, "INPUD list, Aug 2014", "2014-08", "listed 2014 (INPUD list)"},
		{nil, "", "2014-08", "listed 2014"},
		{nil, "", "", ""},
	} {
		o := &directory.Organisation{Sources: tc.sources, Source: tc.legacy, Verified: tc.verified}
		if got := b.freshness(o, "en"); got != tc.want {
			t.Errorf("sources %v (%q) verified %q: %q, want %q", tc.sources, tc.legacy, tc.verified, got, tc.want)
		}
	}
}

// TestDeadLinkKeptMarkedAndNotAlone: a dead website is still shown,
// marked unreachable, after the entry's link that answers.
func TestDeadLinkKeptMarkedAndNotAlone(t *testing.T) {
	const site, page = "http://dead.example.org", "https://www.facebook.com/deadgroup"
	org := directory.Organisation{ID: "deadsite", Name: "Dead Site Drug Users Union", Kind: directory.KindNational,
		Countries: []string{"CA"}, Websites: []string{site}, Social: []string{page}, Source: "test"}
	b := botWith(t, states{site: {Checked: nov28, DownSince: oct2}, page: {Checked: nov28, OK: true, LastOK: nov28}}, org)
	r, err := b.Handle(context.Background(), private("/org deadsite"))
	if err != nil {
		t.Fatal(err)
	}
	var card Block
	for _, bl := range r.Blocks {
		if len(bl.Spans) > 0 && strings.HasPrefix(bl.Spans[0].Text, org.Name) {
			card = bl
		}
	}
	if card.Spans == nil {
		t.Fatalf("no card for the entry: %s", text(r))
	}
	var links []string
	for _, s := range card.Spans {
		if s.URL != "" {
			links = append(links, s.URL)
		}
	}
	if strings.Join(links, " ") != page+" "+site {
		t.Errorf("links %v, want the page that answers first, then the dead site", links)
	}
	got := PlainText(card)
	if !strings.Contains(got, "dead.example.org (http://dead.example.org) (unreachable)") {
		t.Errorf("dead site not marked:\n%s", got)
	}
	if strings.Contains(got, "deadgroup (unreachable)") {
		t.Errorf("the page that answers is marked:\n%s", got)
	}
	if !strings.Contains(got, "website unreachable since 2026-10-02") {
		t.Errorf("no freshness line:\n%s", got)
	}
	// The Website button and the card's link open the page that answers.
	if card.Card == nil || card.Card.URL != page {
		t.Errorf("card URL %+v, want %s", card.Card, page)
	}
	var button string
	for _, row := range r.Buttons {
		for _, bt := range row {
			if bt.URL != "" {
				button = bt.URL
			}
		}
	}
	if button != page {
		t.Errorf("Website button opens %q, want %s", button, page)
	}
	// The compact list leads with the link that answers, and still shows
	// the dead one, marked.
	list := ask(t, b, private("/find Dead Site Drug Users Union"))
	if want := "facebook.com/deadgroup (" + page + ") · dead.example.org (" + site + ") (unreachable)"; !strings.Contains(list, want) {
		t.Errorf("compact entry lacks %q:\n%s", want, list)
	}
}

// TestFindOrderIgnoresFreshness: marking every link dead changes no
// answer's order.
func TestFindOrderIgnoresFreshness(t *testing.T) {
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	dead := states{}
	for _, o := range seed.Organisations {
		for _, u := range append(append([]string(nil), o.Websites...), o.Social...) {
			dead[u] = directory.LinkState{Checked: nov28, DownSince: oct2}
		}
	}
	plain, marked := botWith(t, nil), botWith(t, dead)
	for _, q := range []string{"/find Canada", "/find France", "/find Asia", "/find near Lyon", "/network"} {
		a, b := names(t, plain, q), names(t, marked, q)
		if strings.Join(a, "|") != strings.Join(b, "|") || len(a) == 0 {
			t.Errorf("%s: order %v with no link states, %v with all dead", q, a, b)
		}
	}
}

// names lists the bold spans (entry names and headings) of an answer, in order.
func names(t *testing.T, b *Bot, q string) []string {
	r, err := b.Handle(context.Background(), private(q))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, bl := range r.Blocks {
		for _, s := range bl.Spans {
			if s.Style&Bold != 0 {
				out = append(out, s.Text)
			}
		}
	}
	return out
}

// countingDocs counts the store calls made through it.
type countingDocs struct {
	linkcheck.Docs
	calls atomic.Int64
}

func (c *countingDocs) Get(ctx context.Context, coll, id string) ([]byte, error) {
	c.calls.Add(1)
	return c.Docs.Get(ctx, coll, id)
}

func (c *countingDocs) List(ctx context.Context, coll string) (map[string][]byte, error) {
	c.calls.Add(1)
	return c.Docs.List(ctx, coll)
}

func (c *countingDocs) Version(ctx context.Context, coll string) (int64, error) {
	c.calls.Add(1)
	return c.Docs.Version(ctx, coll)
}

// TestFindMakesNoStoreCall: cards read link states from the snapshot in
// memory.
func TestFindMakesNoStoreCall(t *testing.T) {
	st := bothstores.Bolt(t)
	ctx := t.Context()
	rec := []byte(`{"url":"http://www.vandu.org","checked":"2026-11-28T04:00:00Z","status":"http 404","failures":3,"failing_since":"2026-10-02T23:00:00Z"}`)
	if _, err := st.Update(ctx, linkcheck.Collection, linkcheck.Key("http://www.vandu.org"), func([]byte) ([]byte, error) { return rec, nil }); err != nil {
		t.Fatal(err)
	}
	docs := &countingDocs{Docs: st}
	snap := linkcheck.NewSnapshot(docs, time.Minute, nil)
	if err := snap.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	b := botWith(t, snap)
	before := docs.calls.Load()
	got := ask(t, b, private("/find Vancouver"))
	card := ask(t, b, private("/org vandu"))
	if n := docs.calls.Load() - before; n != 0 {
		t.Errorf("/find and /org made %d store calls", n)
	}
	// Its only link: still shown, marked.
	if !strings.Contains(got, "vandu.org (http://www.vandu.org) (unreachable)") {
		t.Errorf("/find Vancouver does not mark the dead link:\n%s", got)
	}
	if !strings.Contains(card, "website unreachable since 2026-10-02") || !strings.Contains(card, "(unreachable)") {
		t.Errorf("/org vandu does not show the recorded state:\n%s", card)
	}
	// A refresh with nothing new reads only the version.
	before = docs.calls.Load()
	if err := snap.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if n := docs.calls.Load() - before; n != 1 {
		t.Errorf("an idle refresh made %d store calls, want 1 (the version)", n)
	}
}
