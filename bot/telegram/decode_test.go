package telegram

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

// counter is an Observer that counts.
type counter struct{ skipped, dropped atomic.Int64 }

func (c *counter) UpdateSkipped() { c.skipped.Add(1) }
func (c *counter) ReplyDropped()  { c.dropped.Add(1) }

func withObserver(o Observer) option {
	return func(c *Config, _ *telegramtest.Server) { c.Observer = o }
}

// poison is a message whose entity offset does not fit in an int64: the
// SDK's types cannot hold it, so decoding it fails.
func poison(id int, u telegramtest.User) string {
	return `{"update_id":` + strconv.Itoa(id) + `,"message":{"message_id":77,"date":1,` +
		`"from":{"id":` + strconv.FormatInt(u.ID, 10) + `,"is_bot":false,"first_name":"X"},` +
		`"chat":{"id":` + strconv.FormatInt(u.ID, 10) + `,"type":"private"},"text":"/find x",` +
		`"entities":[{"type":"bot_command","offset":99999999999999999999999,"length":5}]}}`
}

func TestPoisonUpdateSkipped(t *testing.T) {
	// The update really is one the SDK cannot decode.
	var tu tgbotapi.Update
	if err := json.Unmarshal([]byte(poison(1, bob)), &tu); err == nil {
		t.Fatal("the SDK decodes the poison update; the test proves nothing")
	}
	obs := &counter{}
	e := start(t, MustCore(t), nil, withObserver(obs))
	bad := e.srv.PushUpdate(poison(0, bob))
	next := e.push(text(alice, private(alice), "/find Canada"))
	if next <= bad {
		t.Fatalf("update ids %d then %d", bad, next)
	}
	c := e.srv.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.Succeeded, telegramtest.ToChat(alice.ID)), wait)
	if !strings.Contains(telegramtest.PlainText(c.Text()), "Canada") {
		t.Errorf("the next user's /find was answered with %q", c.Text())
	}
	// The offset moved past both: Telegram is told they were received.
	e.srv.WaitAcked(t, next, wait)
	if n := obs.skipped.Load(); n != 1 {
		t.Errorf("skipped updates counted %d, want 1", n)
	}
	if len(e.sent(bob.ID)) != 0 {
		t.Errorf("the poison update was answered")
	}
	r := e.logs.waitFor(t, func(r logRec) bool { return strings.Contains(r.Msg, "skipped an update") })
	if strings.Contains(r.Line, "99999999999999999999999") || strings.Contains(r.Line, "/find") {
		t.Errorf("the skipped update's content was logged: %s", r.Line)
	}
}

func TestPoisonUpdateWebhook(t *testing.T) {
	const secret = "s3cret-Token_1"
	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	obs := &counter{}
	e := start(t, MustCore(t), func(a *Adapter) { mux.Handle(WebhookPath, a.WebhookHandler()) },
		func(c *Config, _ *telegramtest.Server) {
			c.WebhookURL = hs.URL + WebhookPath
			c.WebhookSecret = secret
		}, withObserver(obs))
	e.srv.WaitFor(t, "setWebhook", nil, wait)
	for _, body := range []string{poison(50, bob), "{not json", `{"update_id":"x"}`} {
		if st := telegramtest.PostUpdate(t, hs.URL+WebhookPath, secret, body); st != http.StatusOK {
			t.Errorf("poison %.30q answered %d, want 200 so that Telegram does not redeliver it", body, st)
		}
	}
	if n := obs.skipped.Load(); n != 3 {
		t.Errorf("skipped updates counted %d, want 3", n)
	}
	if st := e.srv.Deliver(t, text(alice, private(alice), "/find Canada")); st != http.StatusOK {
		t.Fatalf("delivery answered %d", st)
	}
	e.srv.WaitFor(t, "sendMessage", telegramtest.All(telegramtest.Succeeded, telegramtest.ToChat(alice.ID)), wait)
}

func TestDecodeUpdate(t *testing.T) {
	for _, tc := range []struct {
		raw    string
		id     int
		wantOK bool
	}{
		{`{"update_id":7,"message":{"message_id":1,"date":1,"chat":{"id":1,"type":"private"},"text":"hi"}}`, 7, true},
		{poison(8, bob), 8, false},
		{`{"update_id":9,"message":"not an object"}`, 9, false},
		{`{"message":{}}`, 0, false},
		{`{"update_id":-3}`, 0, false},
		{`[1,2]`, 0, false},
		{`nul`, 0, false},
	} {
		u, id, err := decodeUpdate([]byte(tc.raw))
		if id != tc.id || (err == nil) != tc.wantOK {
			t.Errorf("decodeUpdate(%.40q) = id %d, err %v; want id %d, ok %v", tc.raw, id, err, tc.id, tc.wantOK)
		}
		if tc.wantOK && u.UpdateID != tc.id {
			t.Errorf("decoded update_id %d", u.UpdateID)
		}
	}
}

// FuzzDecodeUpdate: decoding never panics, a decoded update carries the id
// reported, and a failure still reports the id when one is readable.
func FuzzDecodeUpdate(f *testing.F) {
	f.Add([]byte(poison(1, bob)))
	f.Add([]byte(`{"update_id":2,"callback_query":{"id":"q","from":{"id":1,"is_bot":false,"first_name":"a"},"data":"/page 2 /find x"}}`))
	f.Add([]byte(`{"update_id":3,"inline_query":{"id":"i","from":{"id":1,"is_bot":false,"first_name":"a"},"query":"Ca","offset":""}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		u, id, err := decodeUpdate(raw)
		if err == nil && (id <= 0 || u.UpdateID != id) {
			t.Fatalf("decoded with id %d, update_id %d", id, u.UpdateID)
		}
		if id < 0 {
			t.Fatalf("negative id %d", id)
		}
	})
}
