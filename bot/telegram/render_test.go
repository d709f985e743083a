package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"maps"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

func TestRenderSpan(t *testing.T) {
	for _, tc := range []struct {
		span bot.Span
		want string
	}{
		{bot.T(`a<b>&"c'`), `a&lt;b&gt;&amp;&#34;c&#39;`},
		{bot.B("x"), "<b>x</b>"},
		{bot.I("x"), "<i>x</i>"},
		{bot.C("/find <x>"), "<code>/find &lt;x&gt;</code>"},
		{bot.L("INPUD", "https://inpud.net"), `<a href="https://inpud.net">INPUD</a>`},
		{bot.L("", "https://inpud.net/?a=1&b=2"), `<a href="https://inpud.net/?a=1&amp;b=2">https://inpud.net/?a=1&amp;b=2</a>`},
		{bot.L("x", "javascript:alert(1)"), "x"},
		{bot.L("x", "data:text/html,<script>"), "x"},
		{bot.L("x", `https://a.example/"onmouseover="x`), "x"},
		{bot.Span{Text: "site", Style: bot.Bold, URL: "https://a.example"}, `<b><a href="https://a.example">site</a></b>`},
		{bot.Span{Text: "site", Style: bot.Mono, URL: "https://a.example"}, `<a href="https://a.example">site</a>`},
		{bot.B(""), ""},
	} {
		if got := renderSpan(tc.span); got != tc.want {
			t.Errorf("renderSpan(%+v) = %q, want %q", tc.span, got, tc.want)
		}
		if _, err := telegramtest.ParseHTML(renderSpan(tc.span)); err != nil {
			t.Errorf("renderSpan(%+v): %v", tc.span, err)
		}
	}
}

// checkPieces asserts the pieces of b are valid, within limit, and hold
// all of its text.
func checkPieces(t *testing.T, b bot.Block, limit int) {
	t.Helper()
	var got strings.Builder
	for _, p := range blockPieces(b, limit) {
		if len(p) > limit {
			t.Fatalf("piece of %d bytes, limit %d", len(p), limit)
		}
		plain, err := telegramtest.ParseHTML(p)
		if err != nil {
			t.Fatalf("piece %q: %v", p, err)
		}
		got.WriteString(plain)
	}
	want := ""
	for _, s := range b.Spans {
		if s.Text == "" && bot.SafeURL(s.URL) {
			want += s.URL // a bare link shows its address
		}
		want += s.Text
	}
	if strip(got.String()) != strip(want) {
		t.Fatalf("pieces hold %q, want %q", strip(got.String()), strip(want))
	}
}

func TestBlockPiecesRandom(t *testing.T) {
	alphabet := []rune("ab &<>\"'é😀д\n")
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		var spans []bot.Span
		for range 1 + r.IntN(4) {
			n := r.IntN(600)
			rs := make([]rune, n)
			for i := range rs {
				rs[i] = alphabet[r.IntN(len(alphabet))]
			}
			s := bot.Span{Text: string(rs), Style: bot.Style(r.IntN(4))}
			if r.IntN(3) == 0 {
				s.URL = "https://example.org/?q=1&r=2"
			}
			spans = append(spans, s)
		}
		checkPieces(t, bot.Block{Spans: spans}, 100+r.IntN(200))
	}
}

func FuzzBlockPieces(f *testing.F) {
	f.Add("plain text", 80)
	f.Add(strings.Repeat("&<>", 100), 70)
	f.Add(strings.Repeat("😀", 100), 64)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		if limit < 64 || limit > 5000 || len(s) > 20000 {
			return
		}
		s = strings.ToValidUTF8(s, "?")
		checkPieces(t, bot.Block{Spans: []bot.Span{bot.B(s), bot.T(s)}}, limit)
	})
}

func TestRenderPartsJoinsWithBlankLines(t *testing.T) {
	r := (&bot.Reply{}).Add(bot.T("one")).Add(bot.T("two"))
	r.Heading("three")
	got := renderParts(r, MaxText)
	if len(got) != 1 || got[0] != "one\n\ntwo\n\n<b>three</b>" {
		t.Errorf("renderParts = %q", got)
	}
	if got := renderParts(&bot.Reply{}, MaxText); len(got) != 0 {
		t.Errorf("empty reply rendered as %q", got)
	}
}

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"hello", 5, "hello"},
		{"hello!", 5, "hell…"},
		{"😀😀😀", 6, "😀😀😀"},
		{"😀😀😀", 5, "😀😀…"},
	} {
		if got := truncate(tc.s, tc.n); got != tc.want {
			t.Errorf("truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestPacerCancel(t *testing.T) {
	p := newPacer(Pacing{Private: time.Hour, Burst: 1})
	ctx, cancel := context.WithCancel(context.Background())
	unlock, _ := p.lock(ctx, 42)
	defer unlock()
	if err := p.wait(ctx, 42, true); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- p.wait(ctx, 42, true) }()
	cancel()
	select {
	case err := <-errc:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("wait = %v", err)
		}
	case <-time.After(wait):
		t.Fatal("wait ignored its context")
	}
	// A second reply to the chat waits for the first to finish.
	if _, err := p.lock(ctx, 42); err == nil {
		t.Errorf("lock of a held chat succeeded with a cancelled context")
	}
}

// stubAPI answers from functions, for logic that needs no HTTP at all.
type stubAPI struct {
	mu      sync.Mutex
	sends   []tgbotapi.Params
	send    func(n int, p tgbotapi.Params) (tgbotapi.Message, error)
	polls   []tgbotapi.UpdateConfig
	updates func(ctx context.Context, n int) ([]json.RawMessage, error)
}

func (s *stubAPI) Request(ctx context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	return &tgbotapi.APIResponse{Ok: true}, nil
}

func (s *stubAPI) GetUpdates(ctx context.Context, c tgbotapi.UpdateConfig) ([]json.RawMessage, error) {
	s.mu.Lock()
	s.polls = append(s.polls, c)
	n := len(s.polls)
	s.mu.Unlock()
	if s.updates != nil {
		return s.updates(ctx, n)
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

func (s *stubAPI) MakeRequest(ctx context.Context, method string, p tgbotapi.Params) (*tgbotapi.APIResponse, error) {
	if method != "sendMessage" {
		return &tgbotapi.APIResponse{Ok: true}, nil
	}
	s.mu.Lock()
	s.sends = append(s.sends, maps.Clone(p))
	n := len(s.sends)
	s.mu.Unlock()
	msg, err := s.send(n, p)
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(msg)
	return &tgbotapi.APIResponse{Ok: true, Result: raw}, nil
}

func TestSendFollowsMigratedGroup(t *testing.T) {
	stub := &stubAPI{send: func(n int, _ tgbotapi.Params) (tgbotapi.Message, error) {
		if n == 1 {
			return tgbotapi.Message{}, &tgbotapi.Error{Code: 400, Message: "Bad Request: group chat was upgraded to a supergroup chat",
				ResponseParameters: tgbotapi.ResponseParameters{MigrateToChatID: -100999}}
		}
		return tgbotapi.Message{MessageID: 7}, nil
	}}
	a := newAdapter(Config{Token: testToken, Pacing: Pacing{Off: true}}, slog.New(slog.DiscardHandler), stub, "UnionTestBot")
	id, err := a.Send(context.Background(), bot.Address{ChatID: "-555"}, bot.Text("hello"))
	if err != nil || id != "7" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	if len(stub.sends) != 2 || stub.sends[1]["chat_id"] != "-100999" {
		t.Errorf("sends = %+v", stub.sends)
	}
}

func TestErrorsAreRedacted(t *testing.T) {
	for _, s := range []string{
		"Post \"https://api.telegram.org/bot" + testToken + "/sendMessage\": EOF",
		"bot123456:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi",
		"/bot123456%3AABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi/getMe",
		"123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghi",
	} {
		got := redact(s, testToken)
		if strings.Contains(got, "ABCDEFGHIJ") || strings.Contains(got, testToken) {
			t.Errorf("redact(%q) = %q", s, got)
		}
	}
	err := wrapErr("getMe", testToken, errors.New("x "+testToken))
	if strings.Contains(err.Error(), testToken) {
		t.Errorf("wrapErr kept the token: %v", err)
	}
}

// An update received just as the adapter stops is still confirmed, so a
// restart does not answer it twice.
func TestPollConfirmsOnShutdown(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	stub := &stubAPI{updates: func(_ context.Context, n int) ([]json.RawMessage, error) {
		if n == 1 {
			cancel() // shutdown arrives with the batch
			return []json.RawMessage{json.RawMessage(`{"update_id":41}`)}, nil
		}
		return nil, nil
	}}
	a := newAdapter(Config{Token: testToken, Pacing: Pacing{Off: true}}, slog.New(slog.DiscardHandler), stub, "UnionTestBot")
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) { return nil, nil })
	if err := a.Run(ctx, h); err != nil {
		t.Fatal(err)
	}
	stub.mu.Lock()
	defer stub.mu.Unlock()
	if len(stub.polls) != 2 || stub.polls[1].Offset != 42 || stub.polls[1].Timeout != 0 {
		t.Errorf("polls = %+v; want the first, then a confirmation with offset 42", stub.polls)
	}
}
