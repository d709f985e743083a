package telegram

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot/telegram/telegramtest"
)

// hostileUpdates are updates a hostile or broken client could make
// Telegram send: each must leave the process alive, the next person
// answered, and nothing sent that Telegram would refuse.
func hostileUpdates() map[string]string {
	id := strconv.FormatInt(bob.ID, 10)
	from := `"from":{"id":` + id + `,"is_bot":false,"first_name":"B"}`
	priv := `"chat":{"id":` + id + `,"type":"private"}`
	grp := `"chat":{"id":` + strconv.FormatInt(group.ID, 10) + `,"type":"supergroup","title":"G"}`
	msg := func(chat, text, extra string) string {
		return `{"message":{"message_id":9000,"date":1,` + from + `,` + chat + `,"text":` + jsonString(text) + extra + `}}`
	}
	long := strings.Repeat("Ä<&>", 25_000) // 100 KB
	return map[string]string{
		"entity beyond the text":   msg(priv, "/find x", `,"entities":[{"type":"bot_command","offset":3,"length":900}]`),
		"negative entity":          msg(grp, "/find@"+telegramtest.DefaultUsername+" x", `,"entities":[{"type":"bot_command","offset":-5,"length":-2}]`),
		"entity offset over int64": msg(priv, "/find x", `,"entities":[{"type":"bot_command","offset":1e30,"length":2}]`),
		"invalid UTF-8":            `{"message":{"message_id":9001,"date":1,` + from + `,` + priv + `,"text":"/find ` + "\xff\xfe" + `\ud800 x"}}`,
		"100 KB text":              msg(priv, "/find "+long, ""),
		"100 KB in a group":        msg(grp, "/find@"+telegramtest.DefaultUsername+" "+long, ""),
		"bidi and controls":        msg(grp, "/find@"+telegramtest.DefaultUsername+" \u202eAbuse\u0000\u200b", ""),
		"no sender":                `{"message":{"message_id":9002,"date":1,` + priv + `,"text":"/help"}}`,
		"no chat":                  `{"message":{"message_id":9003,"date":1,` + from + `,"text":"/help"}}`,
		"wrong types":              `{"message":{"message_id":"x","chat":[],"text":7}}`,
		"location off the map":     `{"message":{"message_id":9004,"date":1,` + from + `,` + priv + `,"location":{"latitude":1e308,"longitude":-999}}}`,
		"press without data":       `{"callback_query":{"id":"h1",` + from + `,"chat_instance":"i"}}`,
		"press with 100 KB data":   `{"callback_query":{"id":"h2",` + from + `,"chat_instance":"i","data":` + jsonString("/page 2 /find "+long) + `}}`,
		"press on a foreign message": `{"callback_query":{"id":"h3",` + from + `,"chat_instance":"i","data":"/page 1 /find France",` +
			`"message":{"message_id":1,"date":1,` + grp + `,"text":"a card","reply_markup":{"inline_keyboard":[[{"text":"Approve","callback_data":"/approve S-1"}]]}}}}`,
		"inline 100 KB":      `{"inline_query":{"id":"h4",` + from + `,"query":` + jsonString(long) + `,"offset":""}}`,
		"edited message":     `{"edited_message":{"message_id":9005,"date":1,` + from + `,` + priv + `,"text":"/help"}}`,
		"channel post":       `{"channel_post":{"message_id":9006,"date":1,"chat":{"id":-100555,"type":"channel"},"text":"/help"}}`,
		"member update":      `{"my_chat_member":{"chat":{"id":-100555,"type":"channel"},` + from + `,"date":1}}`,
		"unknown kind":       `{"something_new":{"x":1}}`,
		"not an object":      `[1,2,3]`,
		"reply to no prompt": msg(priv, "a reason", `,"reply_to_message":{"message_id":77,"date":1,`+priv+`,"text":"?"}`),
	}
}

// jsonString is s as a JSON string.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func checkAllAccepted(t *testing.T, e *env) {
	t.Helper()
	for _, c := range e.srv.Calls("") {
		if c.Method != "getUpdates" && !c.OK() {
			t.Errorf("Telegram would refuse %s: %d %s", c.Method, c.Status, c.Description)
		}
	}
	for _, r := range e.logs.records() {
		if r.Level >= slog.LevelError && strings.Contains(r.Msg, "panic") {
			t.Errorf("a panic: %s", r.Line)
		}
	}
}

func TestHostileUpdatesPolling(t *testing.T) {
	e := start(t, MustCore(t), nil)
	for name, raw := range hostileUpdates() {
		if strings.HasPrefix(raw, "[") {
			continue // getUpdates' answer is a list of objects
		}
		t.Logf("pushing %s", name)
		e.srv.PushUpdate(`{"update_id":0,` + raw[1:])
	}
	last := e.push(text(alice, private(alice), "/help"))
	e.srv.WaitAcked(t, last, wait)
	if c := e.sent(alice.ID); len(c) != 1 || !strings.Contains(c[0].Text(), "What I can do") {
		t.Fatalf("the next person was not answered after the hostile updates: %+v", c)
	}
	// Cleaning what a reply echoes (bidi overrides, controls) is the
	// core's (issue 12, "Cleaning"), tested there.
	checkAllAccepted(t, e)
}

func TestHostileUpdatesWebhook(t *testing.T) {
	const secret = "s3cret-Token_1"
	mux := http.NewServeMux()
	hs := httptest.NewServer(mux)
	t.Cleanup(hs.Close)
	e := start(t, MustCore(t), func(a *Adapter) { mux.Handle(WebhookPath, a.WebhookHandler()) },
		func(c *Config, _ *telegramtest.Server) {
			c.WebhookURL = hs.URL + WebhookPath
			c.WebhookSecret = secret
		})
	e.srv.WaitFor(t, "setWebhook", nil, wait)
	n := 5000
	for name, raw := range hostileUpdates() {
		body := raw
		if strings.HasPrefix(raw, "{") {
			n++
			body = `{"update_id":` + strconv.Itoa(n) + `,` + raw[1:]
		}
		if st := telegramtest.PostUpdate(t, hs.URL+WebhookPath, secret, body); st != http.StatusOK {
			t.Errorf("%s: answered %d, want 200 (anything else is delivered again)", name, st)
		}
	}
	u := text(alice, private(alice), "/help")
	u.UpdateID = n + 1
	if st := e.srv.Deliver(t, u); st != http.StatusOK {
		t.Fatalf("delivery answered %d", st)
	}
	e.waitDone(n + 1)
	if c := e.sent(alice.ID); len(c) != 1 {
		t.Fatalf("the next person was not answered: %+v", c)
	}
	checkAllAccepted(t, e)
}
