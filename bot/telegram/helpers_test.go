package telegram

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/bottest"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

// testToken has the shape of a real token (it is not one), so that both
// the literal and the pattern redaction are exercised.
const testToken = "987654321:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawQ"

const wait = 10 * time.Second // deadline for anything the tests wait for

var (
	alice = telegramtest.User{ID: 424242001, FirstName: "Alice", Username: "alice_a", LanguageCode: "en-GB"}
	// bia's Telegram is set to Brazilian Portuguese.
	bia   = telegramtest.User{ID: 424242003, FirstName: "Bia", Username: "bia_b", LanguageCode: "pt-br"}
	bob   = telegramtest.User{ID: 424242002, FirstName: "", Username: "bob_b"}
	group = telegramtest.GroupChat(-1001234567890, "Harm reduction workers")
)

// logSink is a slog.Handler that keeps every record, for assertions.
type logSink struct {
	mu      sync.Mutex
	recs    []logRec
	changed chan struct{}
	attrs   string
}

type logRec struct {
	Level slog.Level
	Msg   string
	Line  string // message and attributes, as text
}

func newLogSink(t testing.TB) *logSink {
	s := &logSink{changed: make(chan struct{})}
	// Registered before the adapter's cleanup, so it runs after Run has
	// returned and every line is in.
	t.Cleanup(func() {
		for _, r := range s.records() {
			if strings.Contains(r.Line, testToken) || strings.Contains(r.Line, strings.SplitN(testToken, ":", 2)[1]) {
				t.Errorf("the token was logged: %s", r.Line)
			}
		}
	})
	return s
}

func (s *logSink) Enabled(context.Context, slog.Level) bool { return true }

func (s *logSink) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	b.WriteString(s.attrs)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value.Any())
		return true
	})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.recs = append(s.recs, logRec{Level: r.Level, Msg: r.Message, Line: b.String()})
	close(s.changed)
	s.changed = make(chan struct{})
	return nil
}

func (s *logSink) WithAttrs(as []slog.Attr) slog.Handler {
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value.Any())
	}
	return &sharedSink{s, b.String()}
}

func (s *logSink) WithGroup(string) slog.Handler { return s }

// sharedSink adds attributes while recording into the same sink.
type sharedSink struct {
	*logSink
	extra string
}

func (s *sharedSink) Handle(ctx context.Context, r slog.Record) error {
	r.AddAttrs(slog.String("with", s.extra))
	return s.logSink.Handle(ctx, r)
}

func (s *logSink) records() []logRec {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]logRec(nil), s.recs...)
}

// waitFor waits for a record that match accepts.
func (s *logSink) waitFor(t *testing.T, match func(logRec) bool) logRec {
	t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		recs := append([]logRec(nil), s.recs...)
		s.mu.Unlock()
		for _, r := range recs {
			if match(r) {
				return r
			}
		}
		select {
		case <-ch:
		case <-timer.C:
			t.Fatalf("no matching log record; have %d records", len(recs))
		}
	}
}

// assertNotLoggedAbove fails when any record at level or above contains s.
func (s *logSink) assertNotLoggedAbove(t *testing.T, level slog.Level, needles ...string) {
	t.Helper()
	for _, r := range s.records() {
		if r.Level < level {
			continue
		}
		for _, n := range needles {
			if strings.Contains(r.Line, n) {
				t.Errorf("%q logged at %v: %s", n, r.Level, r.Line)
			}
		}
	}
}

// env is an adapter running against a fake server.
type env struct {
	t    testing.TB
	srv  *telegramtest.Server
	a    *Adapter
	logs *logSink

	mu      sync.Mutex
	done    map[int]bool
	changed chan struct{}

	cancel context.CancelFunc
	runErr chan error
	// handledAtReturn is how many updates had been handled, replies
	// sent, at the moment Run returned.
	handledAtReturn int
	stopped         sync.Once
	err             error
}

type option func(*Config, *telegramtest.Server)

// start runs an adapter with h against a new fake server. before, when
// set, is called between New and Run (to set test hooks or mount the
// webhook).
func start(t testing.TB, h bot.Handler, before func(*Adapter), opts ...option) *env {
	t.Helper()
	e := &env{t: t, srv: telegramtest.New(t, testToken), logs: newLogSink(t), done: map[int]bool{}, changed: make(chan struct{})}
	cfg := Config{Token: testToken, Endpoint: e.srv.Endpoint(), Pacing: Pacing{Off: true}, InlineCommand: "find"}
	for _, o := range opts {
		o(&cfg, e.srv)
	}
	a, err := New(cfg, slog.New(e.logs))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	e.a = a
	a.onDone = e.markDone
	if before != nil {
		before(a)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	e.runErr = make(chan error, 1)
	go func() {
		err := a.Run(ctx, h)
		e.mu.Lock()
		e.handledAtReturn = len(e.done)
		e.mu.Unlock()
		e.runErr <- err
	}()
	t.Cleanup(func() {
		if err := e.stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return e
}

// stop cancels Run and waits for it to return.
func (e *env) stop() error {
	e.stopped.Do(func() {
		e.cancel()
		select {
		case e.err = <-e.runErr:
		case <-time.After(wait):
			e.err = fmt.Errorf("Run did not return within %v", wait)
		}
	})
	return e.err
}

func (e *env) markDone(id int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.done[id] = true
	close(e.changed)
	e.changed = make(chan struct{})
}

// waitDone waits until update id has been handled and its replies sent.
func (e *env) waitDone(id int) {
	e.t.Helper()
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		e.mu.Lock()
		ok, ch := e.done[id], e.changed
		e.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-timer.C:
			e.t.Fatalf("update %d was not handled within %v", id, wait)
		}
	}
}

// push queues u and waits until it has been handled.
func (e *env) push(u telegramtest.Update) int {
	e.t.Helper()
	id := e.srv.PushUpdate(u)
	e.waitDone(id)
	return id
}

// sent is the sendMessage calls to chat so far.
func (e *env) sent(chat int64) []telegramtest.Call {
	var out []telegramtest.Call
	for _, c := range e.srv.Calls("sendMessage") {
		if c.ChatID() == chat {
			out = append(out, c)
		}
	}
	return out
}

// recorder keeps a copy of every message before passing it on.
type recorder struct {
	h    bot.Handler
	mu   sync.Mutex
	msgs []bot.Message
}

func record(h bot.Handler) *recorder { return &recorder{h: h} }

func (r *recorder) Handle(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
	r.mu.Lock()
	r.msgs = append(r.msgs, *m)
	r.mu.Unlock()
	return r.h.Handle(ctx, m)
}

func (r *recorder) messages() []bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]bot.Message(nil), r.msgs...)
}

// find returns the recorded message with text, failing when there is none.
func (r *recorder) find(t *testing.T, text string) bot.Message {
	t.Helper()
	for _, m := range r.messages() {
		if m.Text == text {
			return m
		}
	}
	t.Fatalf("the handler never saw %q", text)
	return bot.Message{}
}

// MustCore is the real core over the embedded seed.
func MustCore(t testing.TB) *bot.Bot { return bottest.MustBot(t, bot.Options{}) }

func private(u telegramtest.User) telegramtest.Chat { return telegramtest.PrivateChat(u) }

func text(u telegramtest.User, c telegramtest.Chat, s string) telegramtest.Update {
	return telegramtest.TextUpdate(u, c, s)
}

// sleeps stands in for the adapter's sleep: it records each pause asked
// for and returns at once, so a test checks the waits without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

// all returns the pauses asked for so far, in order.
func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.d)
}
