package telegram

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

// A handler that returns an error is answered by the core's error path,
// in the person's language, not with words of the adapter's own; a press
// gets it as its pop-up too.
func TestErrorsAnsweredByTheCore(t *testing.T) {
	h := bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		return nil, errors.New("the store is down at 10.0.0.7")
	})
	e := start(t, h, nil)
	fr := telegramtest.User{ID: 424242077, FirstName: "Zoé", LanguageCode: "fr"}
	e.push(text(fr, private(fr), "/find Paris"))
	want := i18n.Tr("fr", "error.internal")
	if c := e.sent(fr.ID); len(c) != 1 || telegramtest.PlainText(c[0].Text()) != want {
		t.Fatalf("answered %+v, want %q", c, want)
	}
	e.push(telegramtest.CallbackUpdate(fr, private(fr), 5, "/page 2 /find Paris"))
	a := e.srv.WaitFor(t, "answerCallbackQuery", nil, wait)
	if a.Text() != want {
		t.Errorf("pop-up %q, want %q", a.Text(), want)
	}
	// Internal errors are logged by the core, for the operator; what the
	// person typed is not.
	e.logs.assertNotLoggedAbove(t, 0, "Paris")
}

// Run can be called again once it has returned: the application restarts
// an adapter after losing and regaining its lease.
func TestRunAgain(t *testing.T) {
	e := start(t, MustCore(t), nil)
	e.push(text(alice, private(alice), "/help"))
	if err := e.stop(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.a.Run(ctx, MustCore(t)) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("second Run: %v", err)
		}
	}()
	e.push(text(alice, private(alice), "/about"))
	got := e.sent(alice.ID)
	if len(got) != 2 || !got[1].OK() || strings.Contains(got[1].Text(), "What I can do") {
		t.Fatalf("%d answers after Run was called again, want 2", len(got))
	}
}

// Server errors: a card that could not be sent is reported to the caller
// (the moderation queue retries it), a failed reply does not stop the
// next one, and getUpdates' 5xx are waited out without losing updates.
func TestServerErrors(t *testing.T) {
	var pauses sleeps
	e := start(t, MustCore(t), func(a *Adapter) { a.sleep = pauses.sleep })
	to := bot.Address{Platform: Platform, ChatID: strconv.FormatInt(alice.ID, 10)}
	e.srv.FailNextWith("sendMessage", 1, http.StatusBadGateway, "Bad Gateway")
	id, err := e.a.Send(context.Background(), to, bot.Text("a card"))
	var te *Error
	if id != "" || !errors.As(err, &te) || te.Code != http.StatusBadGateway {
		t.Fatalf("Send = %q, %v; want no id and a 502 *Error", id, err)
	}
	if id, err := e.a.Send(context.Background(), to, bot.Text("a card")); err != nil || id == "" {
		t.Fatalf("Send again = %q, %v", id, err)
	}

	e.srv.FailNextWith("sendMessage", 1, http.StatusInternalServerError, "Internal Server Error")
	e.push(text(bob, private(bob), "/help"))
	e.push(text(bob, private(bob), "/about"))
	var ok []telegramtest.Call
	for _, c := range e.sent(bob.ID) {
		if c.OK() {
			ok = append(ok, c)
		}
	}
	if len(ok) != 1 {
		t.Errorf("%d answers to bob after a 500, want the second one", len(ok))
	}

	e.srv.FailNextWith("getUpdates", 2, http.StatusBadGateway, "Bad Gateway")
	last := e.push(text(alice, private(alice), "/privacy"))
	e.srv.WaitAcked(t, last, wait)
	if slept := pauses.all(); !slices.Equal(slept, []time.Duration{time.Second, 2 * time.Second}) {
		t.Errorf("getUpdates back-off %v, want [1s 2s]", slept)
	}
}
