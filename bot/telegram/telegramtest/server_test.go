package telegramtest

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

const token = "1234:test-token"

type answer struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

func call(t *testing.T, s *Server, method string, form url.Values) (int, answer) {
	t.Helper()
	resp, err := http.PostForm(s.URL()+"/bot"+s.Token()+"/"+method, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, a
}

func updateIDs(t *testing.T, a answer) []int {
	t.Helper()
	var ups []Update
	if err := json.Unmarshal(a.Result, &ups); err != nil {
		t.Fatal(err)
	}
	var ids []int
	for _, u := range ups {
		ids = append(ids, u.UpdateID)
	}
	return ids
}

func TestLongPollAndOffsets(t *testing.T) {
	s := New(t, token)
	alice := User{ID: 7, FirstName: "Alice"}

	// A held poll returns as soon as an update is queued.
	got := make(chan answer, 1)
	go func() {
		_, a := call(t, s, "getUpdates", url.Values{"timeout": {"30"}})
		got <- a
	}()
	s.WaitPolling(t, 10*time.Second)
	id := s.PushUpdate(TextUpdate(alice, PrivateChat(alice), "/start"))
	select {
	case a := <-got:
		if ids := updateIDs(t, a); !slices.Equal(ids, []int{id}) {
			t.Fatalf("ids = %v, want [%d]", ids, id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll did not return when an update was pushed")
	}

	id2 := s.PushUpdate(`{"message":{"message_id":5,"date":1,"chat":{"id":7,"type":"private"},"text":"hi"}}`)
	if id2 != id+1 {
		t.Errorf("second id %d, want %d", id2, id+1)
	}
	// Without an offset both are still there; with one, the first is gone.
	_, a := call(t, s, "getUpdates", nil)
	if ids := updateIDs(t, a); len(ids) != 2 {
		t.Errorf("unconfirmed: %v", ids)
	}
	_, a = call(t, s, "getUpdates", url.Values{"offset": {"2"}})
	if ids := updateIDs(t, a); !slices.Equal(ids, []int{id2}) {
		t.Errorf("after offset 2: %v", ids)
	}
	s.WaitAcked(t, id, time.Second)
	if s.Pending() != 1 {
		t.Errorf("pending = %d", s.Pending())
	}
	// allowed_updates filters.
	_, a = call(t, s, "getUpdates", url.Values{"offset": {"2"}, "allowed_updates": {`["callback_query"]`}})
	if ids := updateIDs(t, a); len(ids) != 0 {
		t.Errorf("filtered: %v", ids)
	}
}

func TestErrorsAndFailures(t *testing.T) {
	s := New(t, token)
	resp, err := http.PostForm(s.URL()+"/botWRONG/getMe", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}

	s.FailNext("sendMessage", 2, 1)
	for range 2 {
		st, a := call(t, s, "sendMessage", url.Values{"chat_id": {"7"}, "text": {"x"}})
		if st != 429 || a.OK || a.ErrorCode != 429 || a.Parameters.RetryAfter != 1 || !strings.HasPrefix(a.Description, "Too Many Requests") {
			t.Errorf("flood answer: %d %+v", st, a)
		}
	}
	st, a := call(t, s, "sendMessage", url.Values{"chat_id": {"7"}, "text": {"x"}})
	if st != 200 || !a.OK {
		t.Errorf("third send: %d %+v", st, a)
	}
	calls := s.Calls("sendMessage")
	if len(calls) != 3 || calls[0].OK() || !calls[2].OK() {
		t.Errorf("calls: %+v", calls)
	}

	for _, tc := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"chat_id": {"7"}, "text": {"a < b"}, "parse_mode": {"HTML"}}, "can't parse entities"},
		{url.Values{"chat_id": {"7"}, "text": {"<script>x</script>"}, "parse_mode": {"HTML"}}, "unsupported start tag"},
		{url.Values{"chat_id": {"7"}, "text": {strings.Repeat("😀", 2049)}}, "message is too long"},
		{url.Values{"chat_id": {"7"}, "text": {"x"}, "reply_markup": {`{"inline_keyboard":[[{"text":"a","callback_data":"` + strings.Repeat("d", 65) + `"}]]}`}}, "BUTTON_DATA_INVALID"},
		{url.Values{"text": {"x"}}, "chat not found"},
	} {
		st, a := call(t, s, "sendMessage", tc.form)
		if st != 400 || !strings.Contains(a.Description, tc.want) {
			t.Errorf("%v: %d %q, want %q", tc.form, st, a.Description, tc.want)
		}
	}

	// getUpdates is refused while a webhook is set.
	call(t, s, "setWebhook", url.Values{"url": {"https://bot.example/hook"}, "secret_token": {"abc"}})
	if st, _ := call(t, s, "getUpdates", nil); st != 409 {
		t.Errorf("getUpdates with a webhook: %d", st)
	}
	if w := s.Webhook(); w.URL != "https://bot.example/hook" || w.SecretToken != "abc" {
		t.Errorf("webhook = %+v", w)
	}
	call(t, s, "deleteWebhook", nil)
	if st, _ := call(t, s, "getUpdates", nil); st != 200 {
		t.Errorf("getUpdates after deleteWebhook: %d", st)
	}
}

func TestJSONBodiesAndQueries(t *testing.T) {
	s := New(t, token)
	body := `{"chat_id":-1005,"text":"<b>hi</b>","parse_mode":"HTML","reply_markup":{"inline_keyboard":[[{"text":"a","callback_data":"/a"}]]}}`
	resp, err := http.Post(s.URL()+"/bot"+token+"/sendMessage", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	c := s.WaitFor(t, "sendMessage", Succeeded, time.Second)
	if c.ChatID() != -1005 || c.Markup().InlineKeyboard[0][0].CallbackData != "/a" || PlainText(c.Text()) != "hi" {
		t.Errorf("call = %+v", c.Params)
	}

	u := CallbackUpdate(User{ID: 7}, GroupChat(-1005, "g"), 1, "/page 2 /find x")
	s.PushUpdate(u)
	_, a := call(t, s, "getUpdates", nil)
	var ups []Update
	json.Unmarshal(a.Result, &ups)
	cq := ups[0].CallbackQuery
	if cq.ID == "" || cq.Message.Text != "hi" || cq.Message.From == nil || !cq.Message.From.IsBot {
		t.Errorf("callback not filled from the sent message: %+v", cq)
	}
	st, _ := call(t, s, "answerCallbackQuery", url.Values{"callback_query_id": {cq.ID}})
	st2, _ := call(t, s, "answerCallbackQuery", url.Values{"callback_query_id": {cq.ID}})
	if st != 200 || st2 != 400 {
		t.Errorf("answering twice: %d then %d", st, st2)
	}
	// Editing to the same content is refused, as Telegram does.
	same := url.Values{"chat_id": {"-1005"}, "message_id": {"1"}, "text": {"<b>hi</b>"}, "parse_mode": {"HTML"},
		"reply_markup": {`{"inline_keyboard":[[{"text":"a","callback_data":"/a"}]]}`}}
	if st, a := call(t, s, "editMessageText", same); st != 400 || !strings.Contains(a.Description, "not modified") {
		t.Errorf("same edit: %d %q", st, a.Description)
	}
}

func TestCommandEntities(t *testing.T) {
	got := CommandEntities("😀 /find@Bot Canada /x")
	want := []MessageEntity{{Type: "bot_command", Offset: 3, Length: 9}, {Type: "bot_command", Offset: 20, Length: 2}}
	if !slices.Equal(got, want) {
		t.Errorf("entities = %+v, want %+v", got, want)
	}
	if e := CommandEntities("no commands / here"); len(e) != 0 {
		t.Errorf("entities = %+v", e)
	}
}

func TestParseHTML(t *testing.T) {
	for _, tc := range []struct {
		in, text string
		ok       bool
	}{
		{`<b>a &amp; b</b> <i>c</i> <a href="https://x.example/?a=1&amp;b=2">d</a> <code>e&lt;</code>`, `a & b c d e<`, true},
		{`&#34;q&#39; &#x41;`, `"q' A`, true},
		{`<b>x`, "", false},
		{`<b>x</i>`, "", false},
		{`a & b`, "", false},
		{`a > b`, "", false},
		{`&nbsp;`, "", false},
		{`<a href=x>y</a>`, "", false},
		{`<code><b>x</b></code>`, "", false},
	} {
		got, err := ParseHTML(tc.in)
		if (err == nil) != tc.ok || got != tc.text {
			t.Errorf("ParseHTML(%q) = %q, %v", tc.in, got, err)
		}
	}
}
