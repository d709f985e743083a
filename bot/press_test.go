package bot

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/unionbot/unionbot/store"
)

// buttonData is the data of the button of rep that stands for cmdline.
func buttonData(t *testing.T, rep *Reply, cmdline string) string {
	t.Helper()
	if rep == nil {
		t.Fatalf("no reply, so no button %q", cmdline)
	}
	var all []string
	for _, row := range rep.Buttons {
		for _, b := range row {
			if b.Data != "" && ButtonCommand(b.Data) == cmdline {
				return b.Data
			}
			all = append(all, b.Data)
		}
	}
	t.Fatalf("no button %q among %q", cmdline, all)
	return ""
}

func allData(rep *Reply) []string {
	var out []string
	for _, row := range rep.Buttons {
		for _, b := range row {
			if b.Data != "" {
				out = append(out, b.Data)
			}
		}
	}
	return out
}

// cardSender records what it is sent, as a moderators' channel would show.
type cardSender struct {
	mu   sync.Mutex
	sent []*Reply
}

func (s *cardSender) Send(ctx context.Context, to Address, r *Reply) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, r)
	return "1", nil
}

func (s *cardSender) Edit(ctx context.Context, to Address, id string, r *Reply) error { return nil }

// pressBot is the core with a moderators' command and a moderators' card
// sent to the chat "mods" through the signing sender; it returns the card
// as the channel received it.
func pressBot(t *testing.T) (*Bot, *Reply, *int) {
	t.Helper()
	b := MustBot(t)
	approved := 0
	b.Router().RegisterFunc(Command{Name: "approve", Moderator: true}, func(ctx context.Context, m *Message) (*Reply, error) {
		approved++
		_, args, _ := m.Command()
		return Text("approved " + args), nil
	})
	ch := &cardSender{}
	snd := b.Signing(ch)
	if _, ok := snd.(Editor); !ok {
		t.Fatal("the signing sender of an Editor is not an Editor")
	}
	card := &Reply{Buttons: [][]Button{{{Label: "Approve", Data: "/approve S-1"}, {Label: "Reject", Data: "/reject S-1"}}}}
	card.Add(T("New suggestion S-1"))
	if _, err := snd.Send(context.Background(), Address{Platform: "test", ChatID: "mods"}, card); err != nil {
		t.Fatal(err)
	}
	if card.Buttons[0][0].Data != "/approve S-1" {
		t.Errorf("signing changed the caller's reply: %q", card.Buttons[0][0].Data)
	}
	return b, ch.sent[0], &approved
}

func press(user, chat string, private bool, data string, offered []string) *Message {
	return &Message{Platform: "test", Text: data, Pressed: true, Offered: offered, PageSize: 4,
		User: User{ID: user}, Chat: Chat{ID: chat, Private: private}}
}

func mustRefuse(t *testing.T, what string, rep *Reply) {
	t.Helper()
	if rep == nil {
		t.Fatalf("%s: no reply", what)
	}
	if rep.Edit || !rep.Private || !strings.Contains(rep.Notice, "isn't for you") {
		t.Errorf("%s: edit %v, private %v, notice %q; want a private refusal that edits nothing", what, rep.Edit, rep.Private, rep.Notice)
	}
	if got := text(rep); strings.Contains(got, "VANDU") || strings.Contains(got, "ASUD") || strings.Contains(got, "approved") {
		t.Errorf("%s: the refused press was acted on: %q", what, got)
	}
}

// TestForgedPageOnAModeratorsCard is the attack of issue 12: a press whose
// data reads "/page 1 /find France" on a pending moderators' card. It is
// refused and edits nothing, whether the data is raw, signed for someone
// else, or a real page button of the presser's own answer that is not on
// the card.
func TestForgedPageOnAModeratorsCard(t *testing.T) {
	b, card, approved := pressBot(t)
	ctx := context.Background()
	offered := allData(card)
	if len(offered) != 2 || offered[0] == "/approve S-1" {
		t.Fatalf("the card's buttons are %q; want two signed buttons", offered)
	}

	// Raw data, with and without the platform's list of the card's buttons.
	for _, off := range [][]string{nil, offered} {
		rep, _ := b.Handle(ctx, press("mallory", "mods", false, "/page 1 /find France", off))
		mustRefuse(t, "raw /page on the card", rep)
	}
	// A moderators' card's Approve as it was before buttons were signed
	// does nothing, and says how to act without it.
	old := []string{"/approve S-1", "/reject S-1"}
	rep, _ := b.Handle(ctx, press("mod", "mods", false, "/approve S-1", old))
	if rep == nil || !strings.Contains(rep.Notice, "Type /approve S-1 instead") || rep.Edit {
		t.Errorf("an unsigned Approve: %+v", rep)
	}
	// Data shaped like a signed button, with a made-up tag.
	rep, _ = b.Handle(ctx, press("mallory", "mods", false, "~pAAAAAAAAAAA/page 1 /find France", nil))
	mustRefuse(t, "a made-up tag", rep)

	// A real page button, of an answer Mallory got in the moderators' chat.
	ask := press("mallory", "mods", false, "/find Canada", nil)
	ask.Pressed = false
	own, _ := b.Handle(ctx, ask)
	var page string
	for _, d := range allData(own) {
		if strings.HasPrefix(ButtonCommand(d), "/page 2 ") {
			page = d
		}
	}
	if page == "" {
		t.Fatalf("the answer to /find Canada has no page button: %q", allData(own))
	}
	// Pressed on the card, which does not carry it: refused.
	rep, _ = b.Handle(ctx, press("mallory", "mods", false, page, offered))
	mustRefuse(t, "Mallory's page button pressed on the card", rep)
	// Edited to page 1, so that its tag no longer matches: refused.
	rep, _ = b.Handle(ctx, press("mallory", "mods", false, strings.Replace(page, "/page 2", "/page 1", 1), nil))
	mustRefuse(t, "a page button with its page changed", rep)

	// The card's own buttons still work, for anyone in the chat (the
	// moderation layer decides who may act), and edit nothing.
	rep, _ = b.Handle(ctx, press("mod", "mods", false, offered[0], offered))
	if got := text(rep); !strings.Contains(got, "approved S-1") || rep.Edit {
		t.Errorf("the card's Approve: %q (edit %v)", got, rep.Edit)
	}
	// ... but only in the chat it was sent to.
	rep, _ = b.Handle(ctx, press("mod", "elsewhere", false, offered[0], nil))
	mustRefuse(t, "the card's Approve in another chat", rep)
	if *approved != 1 {
		t.Errorf("approve ran %d times, want once", *approved)
	}
}

// TestPagerOnlyForTheAsker: page buttons turn the pages of the answer they
// came with, for the person who asked, in the chat they asked in; anyone
// else is told to ask their own.
func TestPagerOnlyForTheAsker(t *testing.T) {
	b := MustBot(t)
	ctx := context.Background()
	ask := press("alice", "group", false, "/find Canada", nil)
	ask.Pressed = false
	first, _ := b.Handle(ctx, ask)
	next := buttonData(t, first, "/page 2 /find Canada")
	offered := allData(first)

	rep, _ := b.Handle(ctx, press("alice", "group", false, next, offered))
	if got := text(rep); !strings.Contains(got, "Page 2 of") || !rep.Edit {
		t.Errorf("Alice's next page: edit %v, %q", rep.Edit, got)
	}
	back := buttonData(t, rep, "/page 1 /find Canada")
	if !strings.HasPrefix(back, "~p") {
		t.Errorf("the previous-page button is not a signed page button: %q", back)
	}

	// Where the platform does not say what the pressed message carries,
	// the page comes as a new message in a group: it could be pressed on
	// any message of the chat.
	rep, _ = b.Handle(ctx, press("alice", "group", false, next, nil))
	if got := text(rep); !strings.Contains(got, "Page 2 of") || rep.Edit {
		t.Errorf("Alice's next page without Offered in a group: edit %v, %q", rep.Edit, got)
	}

	rep, _ = b.Handle(ctx, press("bob", "group", false, next, offered))
	mustRefuse(t, "Bob pressing Alice's page button", rep)
	rep, _ = b.Handle(ctx, press("alice", "other-group", false, next, nil))
	mustRefuse(t, "Alice's page button pressed in another chat", rep)
	other := press("alice", "group", false, next, offered)
	other.Platform = "other"
	rep, _ = b.Handle(ctx, other)
	mustRefuse(t, "Alice's page button pressed on another platform", rep)

	// Typed, a page command answers with a new message.
	typed := press("bob", "group", false, "/page 2 /find Canada", nil)
	typed.Pressed = false
	rep, _ = b.Handle(ctx, typed)
	if got := text(rep); !strings.Contains(got, "Page 2 of") || rep.Edit {
		t.Errorf("typed /page 2: edit %v, %q", rep.Edit, got)
	}
	// A handler cannot make an unverified press edit.
	b.Router().RegisterFunc(Command{Name: "sneaky"}, func(ctx context.Context, m *Message) (*Reply, error) {
		r := Text("replaced")
		r.Edit = true
		return r, nil
	})
	sneak, _ := b.Handle(ctx, &Message{Platform: "test", Text: "/sneaky", User: User{ID: "alice"}, Chat: Chat{ID: "group"}})
	if sneak.Edit {
		t.Error("a typed command's reply may edit a message")
	}
}

// TestLongPageButtonsUseTokens: a page button whose command line does not
// fit in a button's data is kept in the store under a token, still fits,
// still works, and says it has expired once the token is gone.
func TestLongPageButtonsUseTokens(t *testing.T) {
	kv := newMemKV(100)
	b := New(Options{Directory: MustBot(t).dir, ButtonTokens: kv})
	b.Router().RegisterFunc(Command{Name: "list"}, func(ctx context.Context, m *Message) (*Reply, error) {
		r := &Reply{}
		for i := 0; i < 10; i++ {
			r.Add(T(strings.Repeat("item ", i+1)))
		}
		return r, nil
	})
	ctx := context.Background()
	q := "/list " + strings.Repeat("a long question ", 4)
	ask := press("alice", "c", true, q, nil)
	ask.Pressed = false
	first, _ := b.Handle(ctx, ask)
	if !strings.Contains(text(first), "Page 1 of") {
		t.Fatalf("the long command is not paged: %q", text(first))
	}
	var next string
	for _, d := range allData(first) {
		if len(d) > MaxButtonData {
			t.Errorf("button data of %d bytes: %q", len(d), d)
		}
		if strings.HasPrefix(d, "~P") {
			next = d
		}
	}
	if next == "" {
		t.Fatalf("no token page button among %q", allData(first))
	}
	rep, _ := b.Handle(ctx, press("alice", "c", true, next, nil))
	if got := text(rep); !strings.Contains(got, "Page 2 of") || !rep.Edit {
		t.Errorf("the token page button: edit %v, %q", rep.Edit, got)
	}
	rep, _ = b.Handle(ctx, press("bob", "c", true, next, nil))
	mustRefuse(t, "Bob pressing Alice's token button", rep)
	kv.mu.Lock()
	kv.vals = map[string]memVal{}
	kv.mu.Unlock()
	rep, _ = b.Handle(ctx, press("alice", "c", true, next, nil))
	if rep == nil || rep.Edit || !strings.Contains(rep.Notice, "expired") {
		t.Errorf("an expired token button: %+v", rep)
	}
}

// TestButtonSecret: the secret is made once, atomically, and read back the
// same by every process of a deployment, on both stores.
func TestButtonSecret(t *testing.T) {
	bothStores(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		keys := make([][]byte, 8)
		var wg sync.WaitGroup
		for i := range keys {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k, err := ButtonSecret(ctx, s)
				if err != nil {
					t.Error(err)
				}
				keys[i] = k
			}()
		}
		wg.Wait()
		for i, k := range keys {
			if len(k) != secretLen || string(k) != string(keys[0]) {
				t.Fatalf("process %d got key %x, process 0 %x: want one shared %d-byte key", i, k, keys[0], secretLen)
			}
		}
		again, err := ButtonSecret(ctx, s)
		if err != nil || string(again) != string(keys[0]) {
			t.Errorf("read again: %x, %v", again, err)
		}
		// Two cores on the key: a button of one is good on the other.
		d := MustBot(t).dir
		b1 := New(Options{Directory: d, ButtonKey: again})
		b2 := New(Options{Directory: d, ButtonKey: again})
		b3 := New(Options{Directory: d})
		ask := press("u", "c", true, "/lang", nil)
		ask.Pressed = false
		b1.Router().RegisterFunc(Command{Name: "lang"}, func(ctx context.Context, m *Message) (*Reply, error) {
			r := Text("choose")
			r.Buttons = [][]Button{{{Label: "fr", Data: "/ping fr"}}}
			return r, nil
		})
		for _, x := range []*Bot{b2, b3} {
			x.Router().RegisterFunc(Command{Name: "ping"}, func(ctx context.Context, m *Message) (*Reply, error) { return Text("pong"), nil })
		}
		rep, _ := b1.Handle(ctx, ask)
		data := buttonData(t, rep, "/ping fr")
		if got, _ := b2.Handle(ctx, press("u", "c", true, data, nil)); text(got) != "pong" {
			t.Errorf("another process with the same key: %q", text(got))
		}
		got, _ := b3.Handle(ctx, press("u", "c", true, data, nil))
		mustRefuse(t, "a core with another key", got)
	})
}

// FuzzPress checks the promises of button data on any input: the only data
// a press can open is data the core sealed for that kind, person and chat;
// any command line seals into data that fits a button and opens back to
// itself; and changing any byte of sealed data, or pressing it as someone
// else, is refused.
func FuzzPress(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	seeder := newPresses(key, newMemKV(10), nil)
	valid, _ := seeder.seal(context.Background(), pressPager, bindingFor(pressPager, "test", "c", "u"), "/page 2 /find Canada")
	for _, s := range []string{"/page 1 /find France", "~pAAAAAAAAAAA/page 1 /find France", valid, "~", "~P", "/approve S-1",
		"/find " + strings.Repeat("x", 80), "\x00~m", "~mzzzzzzzzzzz/approve S-1"} {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, s string, flip uint8) {
		ctx := context.Background()
		p := newPresses(key, newMemKV(10), func(name string) bool { return name == "approve" })
		m := &Message{Platform: "test", Text: s, Pressed: true, User: User{ID: "u"}, Chat: Chat{ID: "c", Private: true}}
		if cmdline, kind, err := p.open(ctx, m); err == nil {
			b := bindingFor(kind, "test", "c", "u")
			if again, _ := p.seal(ctx, kind, b, cmdline); again != s {
				t.Fatalf("opened %q as %q (kind %c), which seals to %q", s, cmdline, kind, again)
			}
		}

		cmd := "/" + strings.TrimLeft(s, "/ ")
		kind := p.kindOf(cmd, nil)
		data, ok := p.seal(ctx, kind, bindingFor(kind, "test", "c", "u"), cmd)
		if !ok {
			t.Fatalf("seal(%q) failed", cmd)
		}
		if len(data) > MaxButtonData {
			t.Fatalf("seal(%q) = %d bytes", cmd, len(data))
		}
		m.Text = data
		got, gotKind, err := p.open(ctx, m)
		if err != nil || got != cmd || gotKind != kind {
			t.Fatalf("seal(%q) = %q opens to %q, kind %c, %v", cmd, data, got, gotKind, err)
		}
		bad := []byte(data)
		bad[int(flip)%len(bad)] ^= 1 << (flip % 7)
		m.Text = string(bad)
		if _, _, err := p.open(ctx, m); err == nil && string(bad) != data {
			t.Fatalf("%q opened after changing a byte of %q", bad, data)
		}
		other := *m
		other.Text, other.User.ID = data, "someone else"
		if _, _, err := p.open(ctx, &other); err == nil && kind != pressChat {
			t.Fatalf("%q opened for someone else", data)
		}
	})
}
