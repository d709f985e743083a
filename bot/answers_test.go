package bot

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/directory/directorytest"
)

// plain renders a reply with each button as the command line it stands
// for, so that answers signed for different people compare equal.
func plain(r *Reply) string {
	if r == nil {
		return "<nil>"
	}
	var sb strings.Builder
	for _, b := range r.Blocks {
		sb.WriteString(PlainText(b) + "\n")
	}
	for _, row := range r.Buttons {
		for _, btn := range row {
			sb.WriteString("[" + btn.Label + "|" + ButtonCommand(btn.Data) + "]")
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

func askAs(t testing.TB, b *Bot, user, text string) *Reply {
	t.Helper()
	m := &Message{Platform: "telegram", Text: text, User: User{ID: user}, Chat: Chat{ID: user, Private: true}, Lang: "en", PageSize: 5}
	r, err := b.Handle(context.Background(), m)
	if err != nil || r == nil {
		t.Fatalf("%s: %v, %v", text, r, err)
	}
	return r
}

var cacheQueries = []string{"/find Canada", "/find Vancouver", "/find VANDU", "/find Vancover", "/find Portugal",
	"/find Germny", "/find Victoria, BC", "/page 2 /find Canada", "/find Lisbon", "/find Europe", "/find near Lyon", "/find qqqzzzx"}

// An answer from the cache, and each page cut from it, is the answer the
// core renders without one, whoever asks and however often.
func TestCachedAnswersAreTheRenderedOnes(t *testing.T) {
	dir := directorytest.MustSeed(t)
	cached := New(Options{Directory: dir})
	fresh := New(Options{Directory: dir, AnswerCache: -1})
	for round := range 3 {
		for _, q := range cacheQueries {
			user := fmt.Sprint(round % 2)
			if got, want := plain(askAs(t, cached, user, q)), plain(askAs(t, fresh, user, q)); got != want {
				t.Fatalf("round %d, %s: cached answer\n%s\nwant\n%s", round, q, got, want)
			}
		}
	}
	if n := len(cached.answers.byQ); n == 0 || n >= len(cacheQueries) {
		t.Errorf("%d answers kept for %d queries (one found nothing)", n, len(cacheQueries))
	}
	if fresh.answers != nil {
		t.Error("AnswerCache -1 still keeps answers")
	}
}

// The cache holds no one: the same answer comes signed for each person
// who asks, and a button of one person's answer does not open for another.
func TestCachedAnswersAreSignedForWhoAsks(t *testing.T) {
	b := New(Options{Directory: directorytest.MustSeed(t)})
	ra := askAs(t, b, "alice", "/find Canada")
	rb := askAs(t, b, "bob", "/find Canada")
	if plain(ra) != plain(rb) {
		t.Fatal("two people got different answers")
	}
	da, db := ra.Buttons[len(ra.Buttons)-1][0].Data, rb.Buttons[len(rb.Buttons)-1][0].Data
	if da == db {
		t.Fatalf("alice's and bob's buttons carry the same data %q", da)
	}
	for _, tc := range []struct {
		user, data string
		ok         bool
	}{{"alice", da, true}, {"bob", db, true}, {"bob", da, false}, {"alice", db, false}} {
		m := &Message{Platform: "telegram", Text: tc.data, Pressed: true, User: User{ID: tc.user}, Chat: Chat{ID: tc.user, Private: true}}
		if _, _, err := b.press.open(context.Background(), m); (err == nil) != tc.ok {
			t.Errorf("%s pressing %q: %v, want ok %v", tc.user, tc.data, err, tc.ok)
		}
	}
	for k := range b.answers.byQ {
		if strings.Contains(k.query, "alice") || strings.Contains(k.query, "bob") {
			t.Errorf("a key names a person: %+v", k)
		}
	}
}

// swapDir is a Directory whose snapshot a test replaces, as an approval
// does.
type swapDir struct {
	x atomic.Pointer[directory.Index]
}

func (d *swapDir) Index() *directory.Index { return d.x.Load() }

// A new snapshot of the directory empties the cache: an approved or
// removed group shows in the next answer.
func TestCacheFollowsTheDirectory(t *testing.T) {
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	var without []directory.Organisation
	for _, o := range seed.Organisations {
		if o.ID != "vandu" {
			without = append(without, o)
		}
	}
	if len(without) == len(seed.Organisations) {
		t.Fatal("the seed has no vandu")
	}
	d := &swapDir{}
	d.x.Store(directorytest.MustSeedIndex(t))
	b := New(Options{Directory: d, Log: slog.New(slog.DiscardHandler)})
	if got := plain(askAs(t, b, "1", "/find Vancouver")); !strings.Contains(got, "/org vandu") {
		t.Fatalf("vandu not in Vancouver's answer:\n%s", got)
	}
	d.x.Store(directory.Build(seed, without))
	if got := plain(askAs(t, b, "1", "/find Vancouver")); strings.Contains(got, "/org vandu") {
		t.Fatalf("a removed group still answers from the cache:\n%s", got)
	}
}

// genLinks is a LinkStatus that says when its states change, as
// linkcheck.Snapshot does.
type genLinks struct {
	s   atomic.Pointer[states]
	gen atomic.Uint64
}

func (g *genLinks) Link(u string) (directory.LinkState, bool) { return g.s.Load().Link(u) }
func (g *genLinks) Generation() uint64                        { return g.gen.Load() }

// set replaces the states, as a refresh does.
func (g *genLinks) set(s states) { g.s.Store(&s); g.gen.Add(1) }

// A link check that finds a website down shows in the next answer; link
// states that cannot say when they change are never cached with.
func TestCacheFollowsTheLinkStates(t *testing.T) {
	g := &genLinks{}
	g.set(states{})
	b := botWith(t, g, listedGroup())
	if got := plain(askAs(t, b, "1", "/find VANDU")); strings.Contains(got, "unreachable") {
		t.Fatalf("unchecked link marked:\n%s", got)
	}
	g.set(states{"http://www.vandu.org": {Checked: nov28, DownSince: oct2}})
	if got := plain(askAs(t, b, "1", "/find VANDU")); !strings.Contains(got, "unreachable") {
		t.Fatalf("a link found down is not marked after the check:\n%s", got)
	}

	plainStates := states{}
	b = botWith(t, plainStates, listedGroup())
	askAs(t, b, "1", "/find VANDU")
	if n := len(b.answers.byQ); n != 0 {
		t.Errorf("%d answers kept with link states that cannot say when they change", n)
	}
}

// The cache keeps at most its number of answers and about its budget of
// bytes, the least recently used going first, and no answer that found
// nothing.
func TestCacheIsBounded(t *testing.T) {
	c := newAnswerCache(4)
	x := directorytest.MustSeedIndex(t)
	answer := func(i int) *Reply {
		r := &Reply{}
		r.Add(T(strings.Repeat("x", 100) + fmt.Sprint(i)))
		return r
	}
	for i := range 10 {
		c.put(x, 0, answerKey{"en", fmt.Sprint(i)}, answer(i))
		if i == 7 {
			c.get(x, 0, answerKey{"en", "4"}) // used, so kept
		}
	}
	if n := c.lru.Len(); n != 4 || len(c.byQ) != 4 {
		t.Fatalf("%d answers kept (%d keys), want 4", n, len(c.byQ))
	}
	for _, k := range []string{"4", "7", "8", "9"} {
		if c.get(x, 0, answerKey{"en", k}) == nil {
			t.Errorf("answer %s was let go", k)
		}
	}
	nothing := Text("nothing")
	nothing.NotFound = true
	c.put(x, 0, answerKey{"en", "nothing"}, nothing)
	if c.get(x, 0, answerKey{"en", "nothing"}) != nil {
		t.Error("an answer that found nothing was kept")
	}
	if c.get(x, 1, answerKey{"en", "9"}) != nil || c.lru.Len() != 0 {
		t.Error("answers kept across a change of link states")
	}

	c = newAnswerCache(1000)
	c.budget = 256 << 10
	big := answer(0)
	for range 20 {
		big.Add(T(strings.Repeat("y", 200)))
	}
	for i := range 200 {
		c.put(x, 0, answerKey{"en", fmt.Sprint(i)}, big)
	}
	if c.size > c.budget || c.lru.Len() < 2 || c.lru.Len() > 20 {
		t.Errorf("%d bytes kept in %d answers, budget %d", c.size, c.lru.Len(), c.budget)
	}
}

// Many people asking at once, cached answers and pages included (run
// with -race).
func TestCacheUnderConcurrentAsking(t *testing.T) {
	dir := directorytest.MustSeed(t)
	fresh := New(Options{Directory: dir, AnswerCache: -1})
	want := map[string]string{}
	for _, q := range cacheQueries {
		want[q] = plain(askAs(t, fresh, "0", q))
	}
	// A cold cache, so that answers and pages are cut and kept while
	// others read them.
	b := New(Options{Directory: dir})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 40 {
				q := cacheQueries[(i+w)%len(cacheQueries)]
				r := askAs(t, b, fmt.Sprint(w), q)
				if got := plain(r); got != want[q] {
					t.Errorf("%s: concurrent answer differs", q)
					return
				}
				// What an adapter may do to its own reply.
				r.Blocks = append(r.Blocks, Block{Spans: []Span{T("mine")}})
				if len(r.Blocks) > 1 {
					r.Blocks[0].Spans = append(r.Blocks[0].Spans, T("mine too"))
				}
				r.Edit = true
			}
		})
	}
	wg.Wait()
}

// A city's own groups read "in <city>" with no distance; the groups near
// it give theirs instead (Gatineau's answer lists DUAL, across the river in
// Ottawa, at a few km).
func TestCityGroupsReadInTheCity(t *testing.T) {
	b := New(Options{Directory: seedDir(t), Log: slog.New(slog.DiscardHandler)})
	lines := strings.Split(plain(askAs(t, b, "1", "/find Ottawa")), "\n")
	var dual string
	for _, l := range lines {
		if strings.Contains(l, "(DUAL)") {
			dual = l
			break
		}
	}
	if !strings.Contains(dual, "in Ottawa") || strings.Contains(dual, "km") {
		t.Fatalf("Ottawa's own DUAL reads %q, want it in Ottawa with no distance:\n%s", dual, strings.Join(lines, "\n"))
	}
	got := plain(askAs(t, b, "1", "/find Gatineau"))
	i := strings.Index(got, "(DUAL)")
	if i < 0 {
		t.Fatalf("no DUAL near Gatineau:\n%s", got)
	}
	line, _, _ := strings.Cut(got[i:], "\n")
	if !strings.Contains(line, " km") || strings.Contains(line, "in Gatineau") {
		t.Fatalf("DUAL near Gatineau reads %q, want a distance", line)
	}
}

func seedDir(t testing.TB) *swapDir {
	d := &swapDir{}
	d.x.Store(directorytest.MustSeedIndex(t))
	return d
}
