package moderation

import (
	"context"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/bottest"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/store"
	"github.com/unionbot/unionbot/store/bothstores"
)

// eachStore runs a test against both stores.
func eachStore(t *testing.T, fn func(t *testing.T, st store.Store)) { bothstores.Run(t, fn) }

// recorder is a moderator channel or user chat that records what it is sent.
type recorder struct {
	mu     sync.Mutex
	sent   []*bot.Reply
	to     []bot.Address
	edits  map[string][]*bot.Reply
	notify chan struct{}
}

func newRecorder() *recorder {
	return &recorder{edits: map[string][]*bot.Reply{}, notify: make(chan struct{}, 100)}
}

func (r *recorder) Send(ctx context.Context, to bot.Address, rep *bot.Reply) (string, error) {
	r.mu.Lock()
	r.sent = append(r.sent, rep)
	r.to = append(r.to, to)
	id := fmt.Sprint(len(r.sent))
	r.mu.Unlock()
	r.wake()
	return id, nil
}

// wake tells waitFor to look again. It never blocks: a full channel already
// holds a wake-up, and a sender that blocked here would keep the service
// from stopping when a test ends.
func (r *recorder) wake() {
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

func (r *recorder) Edit(ctx context.Context, to bot.Address, id string, rep *bot.Reply) error {
	r.mu.Lock()
	r.edits[id] = append(r.edits[id], rep)
	r.mu.Unlock()
	r.wake()
	return nil
}

func (r *recorder) texts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, s := range r.sent {
		out = append(out, render(s))
	}
	return out
}

// waitFor polls cond until it holds or the deadline passes, waking on every
// message the recorder gets.
func (r *recorder) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case <-r.notify:
		case <-deadline:
			t.Fatalf("timed out waiting for %s; sent: %q", what, r.texts())
		}
	}
}

// render shows a reply with its buttons' data ("[/approve S-1]").
func render(r *bot.Reply) string { return bottest.DataText(r) }

type harness struct {
	t   *testing.T
	st  store.Store
	dir *directory.Live
	svc *Service
	bot *bot.Bot
}

func newHarness(t *testing.T, st store.Store, opts Options) *harness {
	t.Helper()
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	dir := directory.NewLive(seed, st, log)
	if err := dir.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if opts.ClaimIdle == 0 {
		opts.ClaimIdle = time.Minute
	}
	if opts.Block == 0 {
		opts.Block = 50 * time.Millisecond
	}
	svc := New(st, dir, log, opts)
	b := bot.New(bot.Options{Directory: dir, Log: log, Moderators: bot.Moderators{Users: map[string]bool{"test:mod1": true, "test:mod2": true}}})
	svc.Register(b.Router())
	return &harness{t: t, st: st, dir: dir, svc: svc, bot: b}
}

// run runs the service (it posts cards and sends notices) until the test
// ends.
func (h *harness) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { h.svc.Run(ctx); close(done) }()
	h.t.Cleanup(func() { cancel(); <-done })
}

// say sends text as user (an id) in a private chat and returns the reply
// rendered as text.
func (h *harness) say(user, text string) string {
	h.t.Helper()
	return h.do(&bot.Message{Platform: "test", Text: text, User: bot.User{ID: user, Name: "name-" + user}, Chat: bot.Chat{ID: "chat-" + user, Private: true}})
}

func (h *harness) do(m *bot.Message) string {
	h.t.Helper()
	rep, err := h.bot.Handle(context.Background(), m)
	if err != nil {
		h.t.Fatalf("Handle(%q) error: %v", m.Text, err)
	}
	if rep == nil {
		return ""
	}
	return render(rep)
}

func mustContain(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("reply %q does not contain %q", got, w)
		}
	}
}

func (h *harness) item(ref string) *Item {
	h.t.Helper()
	it, err := h.svc.Get(context.Background(), ref)
	if err != nil {
		h.t.Fatalf("Get(%s): %v", ref, err)
	}
	return it
}

func TestFullFlow(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{})
		modA, modB, user := newRecorder(), newRecorder(), newRecorder()
		h.svc.AddChannel(Channel{Key: "a", To: bot.Address{Platform: "test", ChatID: "mods-a"}, Sender: modA})
		h.svc.AddChannel(Channel{Key: "b", To: bot.Address{Platform: "other", ChatID: "mods-b"}, Sender: modB})
		h.svc.AddSender("test", user)
		h.run()

		got := h.say("u1", "/suggest Lisbon Drug Users Union (LDUU) | Lisbon, Portugal | https://lduu.example.org | a peer-run union")
		mustContain(t, got, "S-1", "Lisbon, Portugal")

		for _, ch := range []*recorder{modA, modB} {
			ch.waitFor(t, "the card", func() bool { return len(ch.texts()) == 1 })
			mustContain(t, ch.texts()[0], "New suggestion S-1", "Lisbon Drug Users Union", "Lisbon, Portugal", "[/approve S-1]", "[/reject S-1]")
		}
		// Cards are recorded on the item right after they are posted.
		deadline := time.Now().Add(10 * time.Second)
		for it := h.item("S-1"); it.Posted["a"] == "" || it.Posted["b"] == ""; it = h.item("S-1") {
			if time.Now().After(deadline) {
				t.Fatalf("cards not recorded on the item: %v", it.Posted)
			}
			runtime.Gosched()
		}
		if got := h.say("mod1", "/queue"); !strings.Contains(got, "S-1") {
			t.Errorf("/queue = %q, want S-1 listed", got)
		}

		// Not yet listed.
		if got := h.say("u2", "/find LDUU"); strings.Contains(got, "Lisbon Drug Users Union") {
			t.Fatalf("listed before approval: %q", got)
		}
		mustContain(t, h.say("mod1", "/approve S-1"), "approved")
		mustContain(t, h.say("u2", "/find LDUU"), "Lisbon Drug Users Union", "Lisbon, Portugal")
		mustContain(t, h.say("u2", "/find Portugal"), "Lisbon Drug Users Union")

		// Every card updated, the suggester told, their ids deleted.
		for _, ch := range []*recorder{modA, modB} {
			ch.waitFor(t, "the card update", func() bool { ch.mu.Lock(); defer ch.mu.Unlock(); return len(ch.edits["1"]) > 0 })
			ch.mu.Lock()
			edit := render(ch.edits["1"][len(ch.edits["1"])-1])
			ch.mu.Unlock()
			mustContain(t, edit, "Approved by test:name-mod1")
			if strings.Contains(edit, "[/approve") {
				t.Errorf("decided card still has buttons: %q", edit)
			}
		}
		user.waitFor(t, "the outcome", func() bool { return len(user.texts()) == 1 })
		mustContain(t, user.texts()[0], "approved")
		if user.to[0].ChatID != "chat-u1" {
			t.Errorf("outcome sent to %+v, want the suggester's chat", user.to[0])
		}
		if it := h.item("S-1"); it.Submitter != nil {
			t.Errorf("submitter ids kept after the outcome: %+v", it.Submitter)
		}
		// A later decision is told who decided.
		mustContain(t, h.say("mod2", "/reject S-1 late"), "already approved by test:name-mod1")

		// The entry's source and verified date.
		x := h.dir.Index()
		var found *directory.Organisation
		x.Orgs(func(o *directory.Organisation) bool {
			if o.Name == "Lisbon Drug Users Union" {
				found = o
			}
			return true
		})
		if found == nil || found.MainSource().Title != "community suggestion" || found.MainSource().Date != found.Verified || found.Verified == "" || found.Acronym != "LDUU" {
			t.Errorf("approved entry = %+v", found)
		}
		// The audit log has the suggestion and the decision.
		entries, err := h.svc.Audit(context.Background(), 10)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range entries {
			actions = append(actions, e.Action)
		}
		if !strings.Contains(strings.Join(actions, ","), "suggested") || !strings.Contains(strings.Join(actions, ","), "approved") {
			t.Errorf("audit actions = %v", actions)
		}
		mustContain(t, h.say("mod1", "/audit"), "approved S-1")
	})
}

func TestConcurrentApprovalsMakeOneEntry(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		// Two "processes": two services and directories on one store.
		h1 := newHarness(t, st, Options{})
		h2 := newHarness(t, st, Options{})
		for _, h := range []*harness{h1, h2} {
			// The presses come from the moderators' chat.
			h.svc.AddChannel(Channel{Key: "mods", To: bot.Address{Platform: "test", ChatID: "mods"}, Sender: newRecorder()})
		}
		mustContain(t, h1.say("u1", "/suggest Porto Peers | Porto, Portugal"), "S-1")
		var wg sync.WaitGroup
		results := make(chan string, 20)
		for i := 0; i < 20; i++ {
			h := h1
			if i%2 == 1 {
				h = h2
			}
			mod := fmt.Sprintf("mod%d", 1+i%2)
			wg.Add(1)
			go func() {
				defer wg.Done()
				rep, _ := h.bot.Handle(context.Background(), &bot.Message{Platform: "test", Text: "/approve S-1",
					User: bot.User{ID: mod, Name: mod}, Chat: bot.Chat{ID: "mods"}})
				results <- render(rep)
			}()
		}
		wg.Wait()
		close(results)
		approved := 0
		for r := range results {
			if strings.Contains(r, "S-1 approved") {
				approved++
			} else if !strings.Contains(r, "already approved") {
				t.Errorf("unexpected answer %q", r)
			}
		}
		if approved != 1 {
			t.Errorf("%d approvals took effect, want exactly 1", approved)
		}
		docs, err := st.List(context.Background(), directory.ChangesCollection)
		if err != nil {
			t.Fatal(err)
		}
		if len(docs) != 1 {
			t.Errorf("%d directory entries added, want 1", len(docs))
		}
	})
}

// TestCrashBetweenPostAndAck: a process posts a card and records it, then
// dies before acknowledging. Another process claims the item again and must
// not post a second card.
func TestCrashBetweenPostAndAck(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{})
		mustContain(t, h.say("u1", "/suggest Braga Peers | Braga, Portugal"), "S-1")
		ch := newRecorder()
		ctx := context.Background()
		// The first process: claim, post and record, but no ack.
		ds, err := st.Claim(ctx, queueTopic, "a", "dead", 10, 50*time.Millisecond, time.Hour)
		if err != nil || len(ds) != 1 {
			t.Fatalf("claim = %v, %v", ds, err)
		}
		id, _ := ch.Send(ctx, bot.Address{}, h.svc.card(h.dir.Index(), h.item("S-1"), "en"))
		if _, err := h.svc.update(ctx, "S-1", func(it *Item) error { it.Posted = map[string]string{"a": id}; return nil }); err != nil {
			t.Fatal(err)
		}
		// After a restart, another consumer claims the stale entry.
		h2 := newHarness(t, st, Options{Consumer: "alive", ClaimIdle: time.Millisecond})
		var again []store.Delivery
		deadline := time.Now().Add(10 * time.Second)
		for len(again) == 0 && time.Now().Before(deadline) {
			again, err = st.Claim(ctx, queueTopic, "a", "alive", 10, 50*time.Millisecond, time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(again) != 1 || again[0].ID != ds[0].ID {
			t.Fatalf("reclaimed %v, want the same entry %s", again, ds[0].ID)
		}
		if err := h2.svc.Deliver(ctx, Channel{Key: "a", Sender: ch}, again[0]); err != nil {
			t.Fatal(err)
		}
		if n := len(ch.texts()); n != 1 {
			t.Errorf("%d cards posted, want 1", n)
		}
		// It was acknowledged: nothing is left to claim.
		left, err := st.Claim(ctx, queueTopic, "a", "alive", 10, 50*time.Millisecond, time.Millisecond)
		if err != nil || len(left) != 0 {
			t.Errorf("left after delivery: %v, %v", left, err)
		}
	})
}

func TestForgedDecisionsFail(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{})
		mustContain(t, h.say("u1", "/suggest Faro Peers | Faro, Portugal"), "S-1")
		for _, text := range []string{"/approve S-1", "/reject S-1 spam", "/edit S-1 name X", "/queue", "/remove VANDU", "/audit"} {
			// A command whose message claims moderator rights, from
			// someone who is not one. (A press the core did not sign is
			// refused before moderation sees it: bot/press_test.go.)
			m := &bot.Message{Platform: "test", Text: text, Moderator: true,
				User: bot.User{ID: "intruder", Name: "intruder", Admin: true, Roles: []string{"mod"}}, Chat: bot.Chat{ID: "x", Space: "guild"}}
			mustContain(t, h.do(m), "Only moderators")
		}
		if it := h.item("S-1"); it.Status != Pending || it.Edited {
			t.Errorf("item changed by a non-moderator: %+v", it)
		}
		if _, ok := h.dir.Index().Org("vandu"); !ok {
			t.Error("VANDU removed by a non-moderator")
		}
		entries, _ := h.svc.Audit(context.Background(), 20)
		refused := 0
		for _, e := range entries {
			if strings.HasPrefix(e.Action, "refused") {
				refused++
			}
		}
		if refused != 6 {
			t.Errorf("%d refusals recorded, want 6", refused)
		}
	})
}

func TestTwoModeratorApproval(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{ApprovalsRequired: 2})
		mustContain(t, h.say("u1", "/suggest Coimbra Peers | Coimbra, Portugal"), "S-1")
		mustContain(t, h.say("mod1", "/approve S-1"), "1 of 2 approvals")
		mustContain(t, h.say("mod1", "/approve S-1"), "already approved")
		if h.item("S-1").Status != Pending {
			t.Fatal("approved by one moderator")
		}
		mustContain(t, h.say("mod2", "/approve S-1"), "S-1 approved")
		if h.item("S-1").Status != Approved {
			t.Fatal("not approved after two moderators")
		}
	})
}

func TestValidation(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{PerHour: 100, PerDay: 100})
		for _, tc := range []struct{ in, want string }{
			{"/suggest X | Lisbon, Portugal", "group's name"},
			{"/suggest " + strings.Repeat("n", MaxName+1) + " | Portugal", "name is too long"},
			{"/suggest Good Group", "say where the group is"},
			{"/suggest Good Group | Atlantis", "Did you mean"},
			{"/suggest Good Group | Nowhereville", "couldn't find the place"},
			{"/suggest Good Group | Victoria", "could be"},
			{"/suggest Good Group | Portugal | javascript:alert(1)", "http:// or https://"},
			{"/suggest Good Group | Portugal | ftp://files.example.org", "http:// or https://"},
			{"/suggest Good Group | Portugal | https://a.org https://b.org https://c.org https://d.org", "at most 3 links"},
			{"/suggest Good Group | Portugal | https://" + strings.Repeat("a", MaxLink) + ".org", "too long"},
			{"/suggest Good Group | Portugal | https://example.org | " + strings.Repeat("d", MaxDescription+1), "description is too long"},
			{"/suggest Good Group | " + strings.Repeat("p", MaxPlace+1), "place is too long"},
			{"/suggest VANDU | Vancouver, Canada", "already listed"},
			{"/suggest Vancouver Area Network of Drug Users | Vancouver, Canada", "already listed"},
			{"/report", "name the group"},
			{"/report Nobody Group broken", "couldn't tell which group"},
			{"/report VANDU", "What is wrong"},
			{"/approve", "Which item"},
		} {
			var got string
			if strings.HasPrefix(tc.in, "/approve") {
				got = h.say("mod1", tc.in)
			} else {
				got = h.say("u1", tc.in)
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("%q → %q, want it to say %q", tc.in, got, tc.want)
			}
			if strings.Contains(got, "S-") && !strings.Contains(tc.want, "S-") && strings.Contains(got, "Your suggestion is") {
				t.Errorf("%q was queued: %q", tc.in, got)
			}
		}
		pend, err := h.svc.pending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(pend) != 0 {
			t.Errorf("%d items queued from bad input", len(pend))
		}
	})
}

func TestCleanRemovesDangerousText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Hello\u200b World", "Hello World"},
		{"evil\u202Egnp.exe", "evilgnp.exe"},
		{"a\x00b\x07c", "abc"},
		{"line one\nline two", "line one line two"},
		{"ping @everyone and @HERE now", "ping everyone and HERE now"},
		{"@@everyone", "everyone"},
		{"<@&123> <@456> <#789>", "<123> <456> <789>"},
		{"  spaced   out  ", "spaced out"},
	} {
		if got := Clean(tc.in); got != tc.want {
			t.Errorf("Clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestRateLimits(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{PerHour: 2, PerDay: 3, MaxPending: 100})
		mustContain(t, h.say("u1", "/suggest Group One | Portugal"), "S-1")
		mustContain(t, h.say("u1", "/suggest Group Two | Portugal"), "S-2")
		mustContain(t, h.say("u1", "/suggest Group Three | Portugal"), "this hour")
		// Someone else is not limited by u1.
		mustContain(t, h.say("u2", "/suggest Group Four | Portugal"), "S-")
	})
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{MaxPending: 1, PerHour: 10, PerDay: 10})
		mustContain(t, h.say("u1", "/suggest Group One | Portugal"), "S-1")
		mustContain(t, h.say("u2", "/suggest Group Two | Spain"), "a lot to check")
	})
}

func TestDuplicatesOfPendingItems(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{})
		mustContain(t, h.say("u1", "/suggest Porto Peer Union | Porto, Portugal | https://ppu.example.org"), "S-1")
		mustContain(t, h.say("u2", "/suggest Porto Peer Union | Porto, Portugal"), "waiting for moderators (S-1)")
		mustContain(t, h.say("u2", "/suggest Peer Union of Porto | Porto, Portugal | https://www.ppu.example.org/about"), "S-1")
		// A likely duplicate of a listed entry is queued, flagged.
		got := h.say("u3", "/suggest Vancouver Area Network of Drug User | Vancouver, Canada")
		mustContain(t, got, "S-2")
		if it := h.item("S-2"); len(it.Duplicates) == 0 || it.Duplicates[0] != "vandu" {
			t.Errorf("duplicates = %v, want vandu", it.Duplicates)
		}
	})
}

func TestReportEditApproveAndRemove(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{})
		mustContain(t, h.say("u1", "/report VANDU the website moved to https://vandu.example.org"), "R-1")
		it := h.item("R-1")
		if it.Target != "vandu" || !strings.Contains(it.Problem, "website moved") {
			t.Fatalf("report = %+v", it)
		}
		card := render(h.svc.card(h.dir.Index(), it, "en"))
		mustContain(t, card, "Report R-1", "website moved", "Current entry", "vandu.org")
		mustContain(t, h.say("mod1", "/edit R-1 website https://vandu.example.org"), "R-1 updated")
		mustContain(t, h.say("mod1", "/approve R-1"), "R-1 approved")
		mustContain(t, h.say("u2", "/find VANDU"), "vandu.example.org")

		mustContain(t, h.say("u1", "/suggest Evora Peers | Evora, Portugal"), "S-1")
		mustContain(t, h.say("mod1", "/edit S-1 place Lisbon, Portugal"), "Lisbon")
		mustContain(t, h.say("mod1", "/edit S-1 colour red"), "can't edit")
		mustContain(t, h.say("mod1", "/reject S-1 not peer-run"), "S-1 rejected")
		mustContain(t, h.say("mod1", "/edit S-1 name Other"), "already rejected")

		// /remove marks it closed: out of answers, kept in the export
		// and the history, with a moderator's source.
		mustContain(t, h.say("mod1", "/remove VANDU"), "marked closed", "/remove vandu delete")
		if got := h.say("u2", "/find VANDU"); strings.Contains(got, "Vancouver Area Network") {
			t.Errorf("closed entry still found: %q", got)
		}
		if o, ok := h.dir.Index().Org("vandu"); !ok || !o.Closed() || o.Sources[len(o.Sources)-1].Note != "marked closed with /remove" {
			t.Errorf("closed entry = %+v, %v; want kept, closed, with a moderator's source", o, ok)
		}
		var exp strings.Builder
		if err := h.dir.Export(context.Background(), &exp); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(exp.String(), "id: vandu") || !strings.Contains(exp.String(), "status: closed") {
			t.Errorf("export lacks the closed entry")
		}
		changes, err := h.dir.Changes(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if c := changes["vandu"]; c.Removed || c.Org == nil || !c.Org.Closed() {
			t.Errorf("closure not kept in history: %+v", c)
		}
		mustContain(t, h.say("mod1", "/remove vandu"), "already marked closed")

		// "/remove … delete" deletes it outright, closed or not, and the
		// history keeps its last version.
		mustContain(t, h.say("mod1", "/remove vandu delete"), "deleted from the directory")
		if _, ok := h.dir.Index().Org("vandu"); ok {
			t.Errorf("deleted entry still in the directory")
		}
		exp.Reset()
		if err := h.dir.Export(context.Background(), &exp); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(exp.String(), "id: vandu\n") {
			t.Errorf("export still holds the deleted entry")
		}
		if changes, err = h.dir.Changes(context.Background()); err != nil {
			t.Fatal(err)
		}
		if c := changes["vandu"]; !c.Removed || c.Org == nil {
			t.Errorf("deletion not kept in history: %+v", c)
		}
		// A report that a group closed: the moderator sets its status and
		// approves; the group leaves answers and stays in the directory.
		mustContain(t, h.say("u3", "/report ASUD they closed down last year"), "R-2")
		mustContain(t, h.say("mod1", "/edit R-2 status gone"), "active or closed")
		mustContain(t, h.say("mod1", "/edit R-2 status closed"), "R-2 updated")
		mustContain(t, h.say("mod1", "/approve R-2"), "R-2 approved")
		if o, ok := h.dir.Index().Org("asud"); !ok || !o.Closed() {
			t.Errorf("after the approved report, asud = %+v, %v; want kept and closed", o, ok)
		}
		if got := h.say("u2", "/find ASUD"); strings.Contains(got, "Auto-Support des Usagers de Drogues") {
			t.Errorf("closed entry still found: %q", got)
		}
		audit := h.say("mod1", "/audit")
		if i, j := strings.Index(audit, "closed"), strings.Index(audit, "deleted"); i < 0 || j < 0 {
			t.Errorf("/audit lacks the closure or the deletion: %q", audit)
		}
	})
}

func TestGuidedSuggestion(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{})
		mustContain(t, h.say("u1", "/suggest"), "name")
		mustContain(t, h.say("u1", "Aveiro Peers"), "Where is it")
		mustContain(t, h.say("u1", "Nowhereville"), "couldn't find the place")
		mustContain(t, h.say("u1", "Aveiro, Portugal"), "website")
		mustContain(t, h.say("u1", "javascript:alert(1)"), "http")
		mustContain(t, h.say("u1", "skip"), "what do they do")
		mustContain(t, h.say("u1", "Peer support"), "S-1")
		if it := h.item("S-1"); it.Org.Name != "Aveiro Peers" || it.Org.Description != "Peer support" {
			t.Errorf("item = %+v", it.Org)
		}
		// After it ends, plain text is a search again.
		mustContain(t, h.say("u1", "Vancouver"), "VANDU")
		// /cancel stops one.
		h.say("u2", "/suggest")
		mustContain(t, h.say("u2", "/cancel"), "Stopped")
		mustContain(t, h.say("u2", "Vancouver"), "VANDU")
	})
}

func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Proposal
	}{
		{"Name | City, Country | https://x.org | does things", Proposal{"Name", "City, Country", "https://x.org", "does things"}},
		{"Name | Country", Proposal{Name: "Name", Place: "Country"}},
		{"Name | Country | does things", Proposal{Name: "Name", Place: "Country", Description: "does things"}},
		{"Name | Country | www.x.org", Proposal{Name: "Name", Place: "Country", Links: "www.x.org"}},
		{"Name", Proposal{Name: "Name"}},
	} {
		if got := ParseLine(tc.in); got != tc.want {
			t.Errorf("ParseLine(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
	}
}

// dmRefuser refuses direct messages (addresses with no chat), as a user
// whose direct messages are closed would.
type dmRefuser struct{ *recorder }

func (d dmRefuser) Send(ctx context.Context, to bot.Address, rep *bot.Reply) (string, error) {
	if to.ChatID == "" {
		return "", fmt.Errorf("direct messages closed")
	}
	return d.recorder.Send(ctx, to, rep)
}

// TestOutcomeInServersGoesToDirectMessages: a suggestion made in a server
// was answered to the suggester alone, so the outcome goes to their direct
// messages; when those are closed it is held (outcome_test.go), never
// posted in the channel.
func TestOutcomeInServersGoesToDirectMessages(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		for _, refuse := range []bool{false, true} {
			h := newHarness(t, st, Options{PerHour: 10, PerDay: 10})
			user := newRecorder()
			var snd bot.Sender = user
			if refuse {
				snd = dmRefuser{user}
			}
			h.svc.AddSender("test", snd)
			m := &bot.Message{Platform: "test", Text: "/suggest Server Peers " + fmt.Sprint(refuse) + " | Porto, Portugal",
				User: bot.User{ID: "u9", Name: "u9"}, Chat: bot.Chat{ID: "public-channel", Space: "guild-1"}}
			got := h.do(m)
			ref := got[strings.Index(got, "S-") : strings.Index(got, "S-")+3]
			mustContain(t, h.say("mod1", "/approve "+ref), "approved")
			if refuse {
				if n := len(user.texts()); n != 0 {
					t.Errorf("outcome sent %d times though direct messages are closed: to %+v", n, user.to)
				}
				continue
			}
			user.waitFor(t, "the outcome", func() bool { return len(user.texts()) == 1 })
			if to := user.to[0]; to.ChatID != "" || to.UserID != "u9" {
				t.Errorf("outcome sent to %+v, want the user's direct messages", to)
			}
		}
	})
}

// TestRateLimitCountsBeforeValidation: invalid and duplicate suggestions and
// reports use up the person's allowance like valid ones, so a flood of them
// is cut off as early and costs as little.
func TestRateLimitCountsBeforeValidation(t *testing.T) {
	eachStore(t, func(t *testing.T, st store.Store) {
		h := newHarness(t, st, Options{PerHour: 2, PerDay: 5, MaxPending: 100})
		mustContain(t, h.say("u1", "/suggest Good Group | Atlantis"), "Did you mean")
		mustContain(t, h.say("u1", "/suggest VANDU | Vancouver, Canada"), "already listed")
		// The third, valid one is over the hourly limit.
		mustContain(t, h.say("u1", "/suggest Group One | Portugal"), "this hour")
		if pend, err := h.svc.pending(t.Context()); err != nil || len(pend) != 0 {
			t.Fatalf("pending = %d (%v), want none queued", len(pend), err)
		}
		// Reports count the same way, and before the group is looked up.
		mustContain(t, h.say("u2", "/report Nobody Group broken"), "couldn't tell which group")
		mustContain(t, h.say("u2", "/report VANDU"), "What is wrong")
		mustContain(t, h.say("u2", "/report VANDU the website moved"), "this hour")
		// Asking how to suggest costs nothing.
		h.say("u3", "/report")
		h.say("u3", "/report")
		mustContain(t, h.say("u3", "/suggest Group Three | Portugal"), "S-1")
	})
}
