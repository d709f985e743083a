package bot

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/directory/directorytest"
)

// MustBot returns a core over the embedded seed.
func MustBot(t testing.TB) *Bot {
	t.Helper()
	return New(Options{Directory: directorytest.MustSeed(t), Log: slog.New(slog.DiscardHandler),
		Moderators: Moderators{Users: map[string]bool{"test:mod": true}}})
}

func text(r *Reply) string {
	if r == nil {
		return ""
	}
	var parts []string
	for _, b := range r.Blocks {
		parts = append(parts, PlainText(b))
	}
	for _, row := range r.Buttons {
		for _, b := range row {
			parts = append(parts, "["+b.Label+"|"+ButtonCommand(b.Data)+"]")
		}
	}
	return strings.Join(parts, "\n")
}

func ask(t *testing.T, b *Bot, m *Message) string {
	t.Helper()
	if m.Platform == "" {
		m.Platform = "test"
	}
	r, err := b.Handle(context.Background(), m)
	if err != nil {
		t.Fatalf("Handle(%q): %v", m.Text, err)
	}
	return text(r)
}

func private(s string) *Message {
	return &Message{Text: s, User: User{ID: "u1"}, Chat: Chat{ID: "c1", Private: true}}
}

func TestCommands(t *testing.T) {
	b := MustBot(t)
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"/start", []string{"peer-run groups", "/find Canada"}},
		{"/help", []string{"/find <place or name>", "/network", "/privacy"}},
		{"/about", []string{"INPUD", "Sources"}},
		{"/privacy", []string{"stores nothing", "deleted"}},
		{"/find Canada", []string{"VANDU", "CAPUD", "Toronto Drug Users Union", "International Network of People who Use Drugs"}},
		{"/find Vancover", []string{"Showing results for", "VANDU"}},
		{"/find Italy", []string{"no group listed in Italy yet", "Nearest groups", "EuroNPUD", "/suggest"}},
		{"/find Victoria", []string{"Victoria, British Columbia", "SOLID", "Other places by that name", "/find Victoria, Australia"}},
		{"/find VANDU", []string{"Vancouver Area Network of Drug Users", "vandu.org"}},
		{"/find near Lyon", []string{"no group listed in Lyon", "ASUD", "Cologne", "km"}},
		{"/find near me", []string{"Share your location"}},
		{"/org vandu", []string{"Vancouver Area Network of Drug Users", "vandu.org", "listed 2014", "/report vandu"}},
		{"/org nope", []string{"No group has the id"}},
		{"/find", []string{"Tell me a place"}},
		{"/find zzqqxxjj", []string{"couldn't find anything", "/suggest"}},
		{"/network", []string{"Asia", "ANPUD", "Latin America"}},
		{"/network Asia", []string{"Asian Network of People who Use Drugs"}},
		{"/network Eurpoe", []string{"EuroNPUD"}}, // misspelt
		{"/network Australia", []string{"Oceania", "No regional network is listed"}},
		{"/network Atlantis", []string{"don't know a region"}},
		{"/start find_Canada", []string{"VANDU"}},
		{"/start org_vandu", []string{"Vancouver Area Network of Drug Users"}},
		{"/start org_nope", []string{"isn't in the directory"}},
		{"/FIND canada", []string{"VANDU"}},
		{"/frobnicate", []string{"I don't know /frobnicate", "/help"}},
		{"Vancouver", []string{"VANDU"}}, // plain text in a private chat is a search
		{"/find " + strings.Repeat("x", 300), []string{"long search"}},
	} {
		got := ask(t, b, private(tc.in))
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%q → %q\nwant it to contain %q", tc.in, got, w)
			}
		}
	}
}

func TestFindCanadaListsEveryCanadianOrganisation(t *testing.T) {
	b := MustBot(t)
	got := ask(t, b, private("/find Canada"))
	directorytest.MustSeedIndex(t).Orgs(func(o *directory.Organisation) bool {
		for _, c := range o.Countries {
			if c == "CA" && !strings.Contains(got, o.Name) {
				t.Errorf("/find Canada misses %s", o.Name)
			}
		}
		return true
	})
}

func TestGroupsAndAddressing(t *testing.T) {
	b := MustBot(t)
	group := func(s, botName string) *Message {
		return &Message{Text: s, BotName: botName, User: User{ID: "u1"}, Chat: Chat{ID: "g1"}}
	}
	if got := ask(t, b, group("/find@unionbot Canada", "unionbot")); !strings.Contains(got, "VANDU") {
		t.Errorf("/find@unionbot not answered: %q", got)
	}
	if got := ask(t, b, group("/find@UnionBot Canada", "unionbot")); !strings.Contains(got, "VANDU") {
		t.Errorf("bot names are case-insensitive: %q", got)
	}
	if got := ask(t, b, group("/find@otherbot Canada", "unionbot")); got != "" {
		t.Errorf("/find@otherbot answered: %q", got)
	}
	if got := ask(t, b, group("just chatting about Vancouver", "unionbot")); got != "" {
		t.Errorf("group chatter answered: %q", got)
	}
	if got := ask(t, b, group("/frob", "unionbot")); !strings.Contains(got, "don't know") {
		t.Errorf("an unknown command addressed to us should be answered: %q", got)
	}
}

func TestPaging(t *testing.T) {
	b := MustBot(t)
	m := private("/find Canada")
	m.PageSize = 4
	r, _ := b.Handle(context.Background(), m)
	got := text(r)
	if !strings.Contains(got, "Page 1 of") || len(r.Buttons) == 0 {
		t.Fatalf("first page = %q", got)
	}
	next := r.Buttons[0][len(r.Buttons[0])-1]
	if !strings.HasPrefix(ButtonCommand(next.Data), "/page 2 ") || len(next.Data) > MaxButtonData {
		t.Fatalf("next button = %+v", next)
	}
	cards := 0
	for _, bl := range r.Blocks {
		if !bl.Heading && !strings.HasPrefix(PlainText(bl), "Page ") {
			cards++
		}
	}
	// A /find answer is a compact list: CompactFactor entries per card.
	if cards > 4*CompactFactor {
		t.Errorf("page has %d entries, want at most %d", cards, 4*CompactFactor)
	}
	p := private(next.Data)
	p.PageSize, p.Pressed = 4, true
	r2, _ := b.Handle(context.Background(), p)
	if !strings.Contains(text(r2), "Page 2 of") || !r2.Edit {
		t.Errorf("second page = %q (edit %v)", text(r2), r2.Edit)
	}
	if text(r2) == got {
		t.Error("page 2 is page 1")
	}
	// Every organisation appears on some page, once.
	seen := map[string]int{}
	for page := 1; page < 20; page++ {
		m := private(strings.Replace(ButtonCommand(next.Data), "/page 2", "/page "+strconv.Itoa(page), 1))
		m.PageSize = 4
		r, _ := b.Handle(context.Background(), m)
		s := text(r)
		for _, name := range []string{"VANDU", "CAPUD", "SOLID", "TDUU"} {
			if strings.Contains(s, "("+name+")") {
				seen[name]++
			}
		}
		if !strings.Contains(s, "Next") {
			break
		}
	}
	for _, name := range []string{"VANDU", "CAPUD", "SOLID", "TDUU"} {
		if seen[name] != 1 {
			t.Errorf("%s on %d pages, want 1", name, seen[name])
		}
	}
	for _, bad := range []string{"/page x /find Canada", "/page 2 find Canada", "/page 2 /page 3 /find x"} {
		if got := ask(t, b, private(bad)); !strings.Contains(got, "broken") {
			t.Errorf("%q → %q, want a kind error", bad, got)
		}
	}
}

func TestRecoverAndErrors(t *testing.T) {
	b := MustBot(t)
	b.Router().RegisterFunc(Command{Name: "boom"}, func(ctx context.Context, m *Message) (*Reply, error) {
		var m2 map[string]int
		m2["x"]++ // a nil map write panics
		return nil, nil
	})
	b.Router().RegisterFunc(Command{Name: "oops"}, func(ctx context.Context, m *Message) (*Reply, error) {
		return nil, &Error{Code: Internal, Message: "secret detail", Err: context.DeadlineExceeded}
	})
	b.Router().RegisterFunc(Command{Name: "nope"}, func(ctx context.Context, m *Message) (*Reply, error) {
		return nil, Errorf(NotAllowed, "You can't do that here.")
	})
	if got := ask(t, b, private("/boom")); !strings.Contains(got, "Sorry, something went wrong") {
		t.Errorf("panic → %q", got)
	}
	if got := ask(t, b, private("/oops")); strings.Contains(got, "secret") || !strings.Contains(got, "Sorry") {
		t.Errorf("internal error shown to the user: %q", got)
	}
	if got := ask(t, b, private("/nope")); got != "You can't do that here." {
		t.Errorf("user-safe error = %q", got)
	}
}

func TestModeratorsPolicy(t *testing.T) {
	p := Moderators{
		Users:       map[string]bool{"telegram:1": true},
		Roles:       map[string]bool{"discord:r1": true},
		AdminSpaces: map[string]bool{"discord:g1": true},
	}
	for _, tc := range []struct {
		m    Message
		want bool
	}{
		{Message{Platform: "telegram", User: User{ID: "1"}}, true},
		{Message{Platform: "telegram", User: User{ID: "2"}}, false},
		{Message{Platform: "discord", User: User{ID: "1"}}, false}, // ids are per platform
		{Message{Platform: "discord", User: User{ID: "9", Roles: []string{"r1"}}}, true},
		{Message{Platform: "discord", User: User{ID: "9", Roles: []string{"r2"}}}, false},
		{Message{Platform: "discord", User: User{ID: "9", Admin: true}, Chat: Chat{Space: "g1"}}, true},
		{Message{Platform: "discord", User: User{ID: "9", Admin: true}, Chat: Chat{Space: "g2"}}, false}, // admin of their own server
		{Message{Platform: "telegram", User: User{ID: "2"}, Moderator: true}, false},                     // a forged flag
	} {
		m := tc.m
		var got bool
		p.Middleware()(HandlerFunc(func(ctx context.Context, m *Message) (*Reply, error) {
			got = m.Moderator
			return nil, nil
		})).Handle(context.Background(), &m)
		if got != tc.want {
			t.Errorf("%+v: moderator = %v, want %v", tc.m, got, tc.want)
		}
	}
}

func TestCommandParsing(t *testing.T) {
	for _, tc := range []struct {
		text, botName, name, args string
		ok                        bool
	}{
		{"/find Canada", "", "find", "Canada", true},
		{"  /find   Canada  ", "", "find", "Canada", true},
		{"/find@ubot Canada", "ubot", "find", "Canada", true},
		{"/find@other Canada", "ubot", "", "", false},
		{"/find@ubot", "", "", "", false},
		{"/find\nCanada", "", "find", "Canada", true},
		{"find Canada", "", "", "find Canada", false},
		{"/", "", "", "", false},
	} {
		m := Message{Text: tc.text, BotName: tc.botName}
		name, args, ok := m.Command()
		if name != tc.name || args != tc.args || ok != tc.ok {
			t.Errorf("Command(%q) = %q, %q, %v; want %q, %q, %v", tc.text, name, args, ok, tc.name, tc.args, tc.ok)
		}
	}
}

func TestSafeURL(t *testing.T) {
	for _, tc := range []struct {
		u  string
		ok bool
	}{
		{"https://www.vandu.org", true},
		{"http://vandu.org/path?q=1", true},
		{"javascript:alert(1)", false},
		{"JavaScript:alert(1)", false},
		{"data:text/html,<script>", false},
		{"https://user:pass@evil.org", false},
		{"//evil.org", false},
		{"https://", false},
		{"https://a.org/\"onmouseover=x", false},
		{"ftp://files.org", false},
	} {
		if got := SafeURL(tc.u); got != tc.ok {
			t.Errorf("SafeURL(%q) = %v, want %v", tc.u, got, tc.ok)
		}
	}
}

func TestPack(t *testing.T) {
	paras := []string{strings.Repeat("a", 30), strings.Repeat("b", 30), strings.Repeat("é", 50), "short"}
	out := Pack(paras, 40)
	for _, m := range out {
		if len(m) > 40 {
			t.Errorf("message of %d bytes > 40: %q", len(m), m)
		}
		if !utf8.ValidString(m) {
			t.Errorf("split inside a rune: %q", m)
		}
	}
	joined := strings.ReplaceAll(strings.Join(out, ""), "\n", "")
	for _, p := range paras {
		for _, r := range p {
			if !strings.ContainsRune(joined, r) {
				t.Errorf("lost %q", r)
			}
		}
	}
	if n := strings.Count(joined, "é"); n != 50 {
		t.Errorf("%d é kept, want 50", n)
	}
}

func FuzzCommand(f *testing.F) {
	for _, s := range []string{"/find Canada", "/find@bot x", "/@", "/page 2 /find x", "\x00/", "/find\n\tx"} {
		f.Add(s)
	}
	b := MustBot(f)
	f.Fuzz(func(t *testing.T, s string) {
		m := &Message{Platform: "test", Text: s, BotName: "bot", Chat: Chat{ID: "c", Private: true}, PageSize: 3}
		name, _, ok := m.Command()
		if ok && (name == "" || strings.ContainsAny(name, " @")) {
			t.Fatalf("Command(%q) name %q", s, name)
		}
		// Never an error, never a panic.
		if _, err := b.Handle(context.Background(), m); err != nil {
			t.Fatalf("Handle(%q) error %v", s, err)
		}
	})
}

// TestPanicIsLoggedWithoutItsValue: a panic carrying what someone typed is
// logged with its stack at error level, but the value never reaches the
// info level, and the person is answered in their own language.
func TestPanicIsLoggedWithoutItsValue(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	b := New(Options{Directory: MustBot(t).dir, Log: log})
	b.Router().RegisterFunc(Command{Name: "boom"}, func(ctx context.Context, m *Message) (*Reply, error) {
		panic("user typed: " + m.Text)
	})
	m := private("/boom my secret words")
	m.Platform, m.Lang = "test", "de"
	rep, err := b.Handle(context.Background(), m)
	if err != nil || rep == nil {
		t.Fatalf("Handle = %v, %v", rep, err)
	}
	if got := text(rep); got != i18n.Tr("de", "error.internal") || !rep.Private || rep.Lang != "de" {
		t.Errorf("the apology is %q (private %v, lang %q); want the German one, private", got, rep.Private, rep.Lang)
	}
	out := logs.String()
	if !strings.Contains(out, "panic recovered") || !strings.Contains(out, "stack=") || !strings.Contains(out, "bot.TestPanicIsLoggedWithoutItsValue") {
		t.Errorf("the log lacks the panic's stack:\n%s", out)
	}
	if strings.Contains(out, "secret words") {
		t.Errorf("the panicking value reached the info log:\n%s", out)
	}
	// A press gets the apology as its notice too.
	if r := ErrorReply(nil, "fr", true); r.Notice != i18n.Tr("fr", "error.internal") || text(r) != r.Notice {
		t.Errorf("ErrorReply for a press = %+v", r)
	}
	if r := ErrorReply(Errorf(NotAllowed, "press.not_yours"), "es", false); text(r) != i18n.Tr("es", "press.not_yours") || r.Notice != "" {
		t.Errorf("ErrorReply of a user-safe error in Spanish = %q", text(r))
	}
}
