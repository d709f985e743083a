// Package telegramtest is a fake Telegram Bot API server for tests: an
// httptest server that speaks the documented wire format
// (https://core.telegram.org/bots/api), so an adapter can be driven through
// the real SDK with no network and no Telegram account.
//
// Requests are POST (or GET) /bot<token>/<method> with form-urlencoded,
// multipart or JSON bodies; answers are {"ok":true,"result":…} or
// {"ok":false,"error_code":…,"description":…,"parameters":{…}} with the
// same HTTP status as error_code. The fake implements getMe, getUpdates
// (long polling, offsets, allowed_updates), sendMessage, editMessageText,
// answerCallbackQuery, answerInlineQuery, setMyCommands, setWebhook,
// deleteWebhook and getWebhookInfo, and checks what Telegram checks where a
// mistake would be costly: HTML that Telegram would refuse, texts over 4,096
// UTF-16 code units, callback data over 64 bytes, a callback or inline
// query answered twice, getUpdates while a webhook is set, a
// message_thread_id outside a forum, a reply to a message that does not
// exist. Sent messages carry message_thread_id and is_topic_message in
// forum topics, as Telegram's do, and presses on them report the topic.
//
// A typical test:
//
//	srv := telegramtest.New(t, "123456:TEST-token")
//	a, _ := telegram.New(telegram.Config{Token: srv.Token(), Endpoint: srv.Endpoint()}, log)
//	go a.Run(ctx, handler)
//	alice := telegramtest.User{ID: 42, FirstName: "Alice"}
//	srv.PushUpdate(telegramtest.TextUpdate(alice, telegramtest.PrivateChat(alice), "/help"))
//	call := srv.WaitFor(t, "sendMessage", telegramtest.ToChat(42), 5*time.Second)
//	_ = call.Text()
//
// Everything is safe for concurrent use. The server closes itself when the
// test ends; stop what uses it first (t.Cleanup runs last-registered first).
package telegramtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// DefaultUsername is the fake bot's username unless SetUsername changes it.
// It is mixed case on purpose: Telegram matches "/cmd@bot" case-insensitively.
const DefaultUsername = "UnionTestBot"

// Call is one request the server answered.
type Call struct {
	Seq    int    // order among all calls, from 1
	Method string // as documented, e.g. "sendMessage"
	// Params holds the request's parameters as strings, the way the
	// form-urlencoded encoding carries them: JSON-valued parameters
	// (reply_markup, results, commands) hold their JSON text.
	Params      url.Values
	ContentType string
	At          time.Time
	Status      int    // the HTTP status answered: 200, or the error code
	Description string // the error description when Status is not 200
	Result      json.RawMessage
}

// OK reports whether the call succeeded.
func (c Call) OK() bool { return c.Status == http.StatusOK }

// Get returns a parameter.
func (c Call) Get(key string) string { return c.Params.Get(key) }

// Int returns a parameter as an integer, 0 when absent or malformed.
func (c Call) Int(key string) int64 {
	n, _ := strconv.ParseInt(c.Params.Get(key), 10, 64)
	return n
}

// Text is the text parameter (sendMessage, editMessageText,
// answerCallbackQuery), as sent: with its HTML markup.
func (c Call) Text() string { return c.Params.Get("text") }

// ChatID is the chat_id parameter.
func (c Call) ChatID() int64 { return c.Int("chat_id") }

// JSON decodes a JSON-valued parameter into v.
func (c Call) JSON(key string, v any) error {
	s := c.Params.Get(key)
	if s == "" {
		return fmt.Errorf("telegramtest: %s has no %s", c.Method, key)
	}
	return json.Unmarshal([]byte(s), v)
}

// Markup decodes reply_markup; the zero value when there is none.
func (c Call) Markup() ReplyMarkup {
	var m ReplyMarkup
	_ = c.JSON("reply_markup", &m)
	return m
}

// Results decodes answerInlineQuery's results.
func (c Call) Results() []InlineResult {
	var r []InlineResult
	_ = c.JSON("results", &r)
	return r
}

// Matchers for WaitFor. A nil matcher matches any call.

// ToChat matches calls whose chat_id is id.
func ToChat(id int64) func(Call) bool { return func(c Call) bool { return c.ChatID() == id } }

// Succeeded matches calls that were answered with ok: true.
func Succeeded(c Call) bool { return c.OK() }

// TextContains matches calls whose visible text contains s.
func TextContains(s string) func(Call) bool {
	return func(c Call) bool { return strings.Contains(PlainText(c.Text()), s) }
}

// All matches calls that every matcher matches.
func All(ms ...func(Call) bool) func(Call) bool {
	return func(c Call) bool {
		for _, m := range ms {
			if m != nil && !m(c) {
				return false
			}
		}
		return true
	}
}

// WebhookInfo is what the last setWebhook asked for.
type WebhookInfo struct {
	URL            string
	SecretToken    string
	AllowedUpdates []string
}

type queued struct {
	id   int
	kind string
	raw  []byte
}

type sent struct {
	text   string // as sent, with markup
	markup string
	thread int // message_thread_id, in a forum topic
}

type failure struct {
	code        int
	description string
	retryAfter  int
}

// Server is the fake Bot API.
type Server struct {
	srv   *httptest.Server
	token string

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every change
	closed    chan struct{}
	closeOnce sync.Once
	bot       User
	queue     []queued
	nextID    int // next update_id
	acked     int // highest offset confirmed by getUpdates
	allowed   []string
	calls     []Call
	seq       int // calls answered so far, kept or not
	nextMsg   int
	messages  map[string]sent // "chat/message" -> last content
	chats     map[int64]Chat
	answered  map[string]bool // callback and inline query ids answered
	nextQuery int
	failures  map[string][]failure
	webhook   WebhookInfo
	commands  map[string][]BotCommand // by "scope|language_code"; "" for everyone
	polling   int                     // getUpdates requests being held
	holds     []*Hold                 // calls to hold (hold.go)
	forget    bool                    // KeepCalls(false): calls are not kept
	onCall    []func(Call)            // OnCall's observers
}

// New starts a fake server for the bot with this token; it is closed when
// the test ends. The token's leading digits, if any, become the bot's id.
func New(t testing.TB, token string) *Server {
	t.Helper()
	id, _ := strconv.ParseInt(strings.SplitN(token, ":", 2)[0], 10, 64)
	if id == 0 {
		id = 1000
	}
	s := &Server{
		token:    token,
		changed:  make(chan struct{}),
		closed:   make(chan struct{}),
		bot:      User{ID: id, IsBot: true, FirstName: "Union Test Bot", Username: DefaultUsername},
		nextID:   1,
		messages: map[string]sent{},
		chats:    map[int64]Chat{},
		answered: map[string]bool{},
		failures: map[string][]failure{},
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Close stops the server; held getUpdates requests return at once. It is
// safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.srv.Close()
	})
}

// Endpoint is the API endpoint in the SDK's format,
// "http://127.0.0.1:port/bot%s/%s" (token, then method).
func (s *Server) Endpoint() string { return s.srv.URL + "/bot%s/%s" }

// URL is the server's base URL.
func (s *Server) URL() string { return s.srv.URL }

// Token is the token the server accepts; any other gets 401 Unauthorized.
func (s *Server) Token() string { return s.token }

// Bot is the bot's own user, as getMe returns it.
func (s *Server) Bot() User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bot
}

// Username is the bot's username.
func (s *Server) Username() string { return s.Bot().Username }

// SetUsername changes the bot's username; call it before the adapter's
// constructor calls getMe.
func (s *Server) SetUsername(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bot.Username = name
}

// PushUpdate queues an update for getUpdates and returns its update_id. u
// is an Update (or any value that marshals to an update object), or the
// update's JSON as []byte, string or json.RawMessage. A missing or zero
// update_id is assigned from an increasing counter; in an Update, zero
// message ids, callback query ids and inline query ids are filled in too.
func (s *Server) PushUpdate(u any) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.prepareLocked(u)
	s.queue = append(s.queue, q)
	s.notifyLocked()
	return q.id
}

// prepareLocked turns u into JSON with an update_id, learning the chats it
// mentions so that answers carry the right chat type.
func (s *Server) prepareLocked(u any) queued {
	if up, ok := u.(*Update); ok {
		u = *up
	}
	if up, ok := u.(Update); ok {
		s.fillLocked(&up)
		// A typed update is marshalled once: its id is known here, and
		// its chats are read from it rather than from its JSON.
		if up.UpdateID == 0 {
			up.UpdateID = s.nextID
		}
		raw, err := json.Marshal(up)
		if err != nil {
			panic(fmt.Sprintf("telegramtest: cannot marshal update: %v", err))
		}
		return s.queuedLocked(up, raw)
	}
	raw, err := updateJSON(u)
	if err != nil {
		panic(fmt.Sprintf("telegramtest: cannot marshal update: %v", err))
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		panic(fmt.Sprintf("telegramtest: an update must be a JSON object: %v", err))
	}
	var id int
	_ = json.Unmarshal(obj["update_id"], &id)
	if id == 0 {
		id = s.nextID
		obj["update_id"] = json.RawMessage(strconv.Itoa(id))
		raw, _ = json.Marshal(obj)
	}
	var up Update
	_ = json.Unmarshal(raw, &up)
	up.UpdateID = id
	return s.queuedLocked(up, raw)
}

// queuedLocked is up, whose JSON is raw, ready to queue: the next id moves
// past its id, and the chats it mentions are learnt.
func (s *Server) queuedLocked(up Update, raw []byte) queued {
	id := up.UpdateID
	s.nextID = max(s.nextID, id+1)
	for _, m := range []*Message{up.Message, up.EditedMessage} {
		if m != nil {
			s.learnLocked(m.Chat)
		}
	}
	if up.CallbackQuery != nil && up.CallbackQuery.Message != nil {
		s.learnLocked(up.CallbackQuery.Message.Chat)
	}
	return queued{id: id, kind: up.Kind(), raw: raw}
}

func (s *Server) learnLocked(c Chat) {
	if c.ID != 0 && c.Type != "" {
		s.chats[c.ID] = c
	}
}

func (s *Server) fillLocked(u *Update) {
	now := time.Now().Unix()
	for _, m := range []*Message{u.Message, u.EditedMessage} {
		if m == nil {
			continue
		}
		if m.MessageID == 0 {
			s.nextMsg++
			m.MessageID = s.nextMsg
		}
		if m.Date == 0 {
			m.Date = now
		}
		if _, ok := s.messages[msgKey(m.Chat.ID, m.MessageID)]; !ok {
			// Known, so that the bot may reply to it.
			thread := 0
			if m.IsTopicMessage {
				thread = m.MessageThreadID
			}
			s.messages[msgKey(m.Chat.ID, m.MessageID)] = sent{text: m.Text, thread: thread}
		}
	}
	if cq := u.CallbackQuery; cq != nil {
		if cq.ID == "" {
			s.nextQuery++
			cq.ID = "cbq-" + strconv.Itoa(s.nextQuery)
		}
		if m := cq.Message; m != nil {
			if m.Date == 0 {
				m.Date = now
			}
			if m.From == nil {
				b := s.bot
				m.From = &b
			}
			if prev, ok := s.messages[msgKey(m.Chat.ID, m.MessageID)]; ok {
				if m.Text == "" {
					m.Text = PlainText(prev.text)
				}
				if len(m.ReplyMarkup) == 0 && prev.markup != "" {
					m.ReplyMarkup = json.RawMessage(prev.markup)
				}
				if m.MessageThreadID == 0 && prev.thread != 0 {
					m.MessageThreadID, m.IsTopicMessage = prev.thread, true
				}
			}
		}
	}
	if iq := u.InlineQuery; iq != nil && iq.ID == "" {
		s.nextQuery++
		iq.ID = "iq-" + strconv.Itoa(s.nextQuery)
	}
}

// Polling is how many getUpdates requests the server is holding (long
// polling) now.
func (s *Server) Polling() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polling
}

// OnCall has f told of every call once it is answered and recorded, on the
// goroutine that served it, outside the server's lock, so that f may call
// the server. f must not change c.Params, which the server and the other
// observers share (keeping it is fine: the server never changes it). It
// is for a driver that must react to each answer (a load tool timing
// them) without polling Calls, which copies every call kept so far.
func (s *Server) OnCall(f func(c Call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onCall = append(s.onCall, f)
}

// KeepCalls(false) stops keeping the calls answered from now on: Calls,
// WaitFor and WaitCalls no longer see them, OnCall's observers still do.
// A load run that answers thousands of 20 KB requests would otherwise keep
// them all, and its garbage collector would mark them on every cycle.
// Everything else the fake checks (messages sent, queries answered) is
// kept as before.
func (s *Server) KeepCalls(keep bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forget = !keep
}

// WaitPolling waits until a getUpdates request is being held (long
// polling), and fails the test after timeout.
func (s *Server) WaitPolling(t testing.TB, timeout time.Duration) {
	t.Helper()
	s.wait(t, timeout, func() bool {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.polling > 0
	}, func() string { return "no getUpdates request is being held" })
}

// Pending is how many queued updates getUpdates has not had confirmed.
func (s *Server) Pending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, q := range s.queue {
		if q.id >= s.acked {
			n++
		}
	}
	return n
}

// WaitAcked waits until getUpdates has confirmed the update id (called
// with a higher offset), and fails the test after timeout.
func (s *Server) WaitAcked(t testing.TB, id int, timeout time.Duration) {
	t.Helper()
	acked := func() int {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.acked
	}
	s.wait(t, timeout, func() bool { return acked() > id }, func() string {
		return fmt.Sprintf("update %d was not confirmed (offset %d)", id, acked())
	})
}

// Calls returns the calls of method so far, oldest first; all calls when
// method is "". Method names compare case-insensitively.
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || strings.EqualFold(c.Method, method) {
			out = append(out, c)
		}
	}
	return out
}

// WaitFor returns the first call of method (successful or not: combine
// with Succeeded) that match accepts, waiting up to timeout for it, and
// fails the test if none comes. match may be nil. Call it from the test's
// goroutine.
func (s *Server) WaitFor(t testing.TB, method string, match func(Call) bool, timeout time.Duration) Call {
	t.Helper()
	var found Call
	s.wait(t, timeout, func() bool {
		for _, c := range s.Calls(method) {
			if match == nil || match(c) {
				found = c
				return true
			}
		}
		return false
	}, func() string {
		var b strings.Builder
		fmt.Fprintf(&b, "no matching %s call within %v; calls so far:", method, timeout)
		for _, c := range s.Calls("") {
			fmt.Fprintf(&b, "\n  #%d %s %d %s chat_id=%s text=%.80q", c.Seq, c.Method, c.Status, c.Description, c.Get("chat_id"), c.Text())
		}
		return b.String()
	})
	return found
}

// WaitCalls waits until there are at least n calls of method and returns
// them all.
func (s *Server) WaitCalls(t testing.TB, method string, n int, timeout time.Duration) []Call {
	t.Helper()
	var out []Call
	s.wait(t, timeout, func() bool {
		out = s.Calls(method)
		return len(out) >= n
	}, func() string { return fmt.Sprintf("%d %s calls within %v, want %d", len(out), method, timeout, n) })
	return out
}

// wait evaluates done each time the server's state changes, until it is
// true, or fails the test with why() when timeout passes first.
func (s *Server) wait(t testing.TB, timeout time.Duration, done func() bool, why func() string) {
	t.Helper()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		s.mu.Lock()
		ch := s.changed // taken before done(), so no change can be missed
		s.mu.Unlock()
		if done() {
			return
		}
		select {
		case <-ch:
		case <-timer.C:
			t.Fatalf("telegramtest: %s", why())
			return
		}
	}
}

// FailNext makes the next n calls of method fail with 429 Too Many
// Requests and parameters.retry_after, as Telegram's flood control does.
func (s *Server) FailNext(method string, n, retryAfter int) {
	s.failNext(method, n, failure{
		code:        http.StatusTooManyRequests,
		description: fmt.Sprintf("Too Many Requests: retry after %d", retryAfter),
		retryAfter:  retryAfter,
	})
}

// FailNextWith makes the next n calls of method fail with code and
// description, such as 403 "Forbidden: bot was blocked by the user".
func (s *Server) FailNextWith(method string, n, code int, description string) {
	s.failNext(method, n, failure{code: code, description: description})
}

func (s *Server) failNext(method string, n int, f failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := strings.ToLower(method)
	for range n {
		s.failures[key] = append(s.failures[key], f)
	}
}

// Webhook is what the last setWebhook asked for; the zero value when no
// webhook is set.
func (s *Server) Webhook() WebhookInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.webhook
}

// Commands is the command menu of the last setMyCommands in the default
// scope without a language_code: the one shown to everyone.
func (s *Server) Commands() []BotCommand { return s.CommandsFor("") }

// CommandsFor is the default scope's command menu with this
// language_code: the one shown to users whose app is set to that language.
func (s *Server) CommandsFor(lang string) []BotCommand { return s.CommandsIn(ScopeDefault, lang) }

// Scopes of command menus, as CommandsIn names them. A chat's own scope
// is ScopeChat(id).
const (
	ScopeDefault         = "default"
	ScopeAllPrivateChats = "all_private_chats"
	ScopeAllGroupChats   = "all_group_chats"
	ScopeAllChatAdmins   = "all_chat_administrators"
)

// ScopeChat names the scope of one chat's menu.
func ScopeChat(id int64) string { return "chat:" + strconv.FormatInt(id, 10) }

// ScopeChatMember names the scope of one member's menu in one chat.
func ScopeChatMember(chat, user int64) string { return fmt.Sprintf("chat_member:%d:%d", chat, user) }

// CommandsIn is the command menu last set for scope (ScopeDefault,
// ScopeAllGroupChats, ScopeChat(id)…) and language_code lang ("" for
// everyone); nil when none was set.
func (s *Server) CommandsIn(scope, lang string) []BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.commands[scope+"|"+lang])
}

// MenuScopes lists the scopes some menu was set for, sorted.
func (s *Server) MenuScopes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.commands {
		sc, _, _ := strings.Cut(k, "|")
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	slices.Sort(out)
	return out
}

// scopeKey checks setMyCommands' scope as Telegram does and names it.
func scopeKey(raw string) (string, *apiError) {
	if raw == "" {
		return ScopeDefault, nil
	}
	var sc struct {
		Type   string `json:"type"`
		ChatID int64  `json:"chat_id"`
		UserID int64  `json:"user_id"`
	}
	if err := json.Unmarshal([]byte(raw), &sc); err != nil {
		return "", badRequest("can't parse BotCommandScope JSON object")
	}
	switch sc.Type {
	case ScopeDefault, ScopeAllPrivateChats, ScopeAllGroupChats, ScopeAllChatAdmins:
		return sc.Type, nil
	case "chat", "chat_administrators":
		if sc.ChatID == 0 {
			return "", badRequest("chat not found")
		}
		if sc.Type == "chat" {
			return ScopeChat(sc.ChatID), nil
		}
		return sc.Type + ":" + strconv.FormatInt(sc.ChatID, 10), nil
	case "chat_member":
		if sc.ChatID == 0 || sc.UserID == 0 {
			return "", badRequest("chat not found")
		}
		return ScopeChatMember(sc.ChatID, sc.UserID), nil
	}
	return "", badRequest("unsupported bot command scope type %q", sc.Type)
}

// Deliver posts u to the webhook set with setWebhook, with its secret in
// the X-Telegram-Bot-Api-Secret-Token header, as Telegram does, and returns
// the HTTP status. Ids are filled in as for PushUpdate. It fails the test if
// no webhook is set or the request cannot be made.
func (s *Server) Deliver(t testing.TB, u any) int {
	t.Helper()
	s.mu.Lock()
	hook := s.webhook
	q := s.prepareLocked(u)
	s.mu.Unlock()
	if hook.URL == "" {
		t.Fatalf("telegramtest: Deliver: no webhook is set")
	}
	return post(t, hook.URL, hook.SecretToken, q.raw)
}

// PostUpdate posts an update to a webhook URL with secret in the
// X-Telegram-Bot-Api-Secret-Token header (none when secret is empty) and
// returns the HTTP status. u is as for PushUpdate, but ids are not filled in.
func PostUpdate(t testing.TB, url, secret string, u any) int {
	t.Helper()
	raw, err := updateJSON(u)
	if err != nil {
		t.Fatalf("telegramtest: PostUpdate: %v", err)
	}
	return post(t, url, secret, raw)
}

// updateJSON is an update given as JSON text or as a value to marshal.
func updateJSON(u any) ([]byte, error) {
	switch v := u.(type) {
	case []byte:
		return v, nil
	case string:
		return []byte(v), nil
	case json.RawMessage:
		return v, nil
	}
	return json.Marshal(u)
}

func post(t testing.TB, url, secret string, body []byte) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatalf("telegramtest: webhook request: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("telegramtest: webhook request: %v", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func msgKey(chat int64, id int) string { return strconv.FormatInt(chat, 10) + "/" + strconv.Itoa(id) }

// apiError is a Bot API error answer.
type apiError struct {
	code        int
	description string
	retryAfter  int
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{code: http.StatusBadRequest, description: "Bad Request: " + fmt.Sprintf(format, args...)}
}

// methods maps the lowercase method name (Telegram's are case-insensitive)
// to its documented spelling.
var methods = func() map[string]string {
	m := map[string]string{}
	for _, name := range []string{"getMe", "getUpdates", "sendMessage", "editMessageText", "answerCallbackQuery",
		"answerInlineQuery", "setMyCommands", "setWebhook", "deleteWebhook", "getWebhookInfo"} {
		m[strings.ToLower(name)] = name
	}
	return m
}()

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	rest, ok := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, ok2 := strings.Cut(rest, "/")
	if !ok || !ok2 {
		writeAnswer(w, nil, &apiError{code: http.StatusNotFound, description: "Not Found"})
		return
	}
	if token != s.token {
		writeAnswer(w, nil, &apiError{code: http.StatusUnauthorized, description: "Unauthorized"})
		return
	}
	name, known := methods[strings.ToLower(method)]
	if !known {
		writeAnswer(w, nil, &apiError{code: http.StatusNotFound, description: "Not Found: method not found"})
		return
	}
	params, ct, err := readParams(r)
	if err != nil {
		s.record(name, params, ct, nil, badRequest("%v", err))
		writeAnswer(w, nil, badRequest("%v", err))
		return
	}
	var result any
	var aerr *apiError
	if name == "getUpdates" {
		result, aerr = s.getUpdates(r.Context(), params)
	} else {
		s.mu.Lock()
		if h := s.takeHoldLocked(name, params); h != nil {
			s.mu.Unlock()
			s.hold(w, r, name, params, ct)
			return
		}
		if f := s.failures[strings.ToLower(name)]; len(f) > 0 {
			s.failures[strings.ToLower(name)] = f[1:]
			aerr = &apiError{code: f[0].code, description: f[0].description, retryAfter: f[0].retryAfter}
		} else {
			result, aerr = s.handleLocked(name, params)
		}
		s.mu.Unlock()
	}
	raw := writeAnswer(w, result, aerr)
	s.record(name, params, ct, raw, aerr)
}

func (s *Server) record(method string, params url.Values, ct string, result json.RawMessage, aerr *apiError) {
	s.mu.Lock()
	c := Call{Seq: s.seq + 1, Method: method, Params: params, ContentType: ct, At: time.Now(), Status: http.StatusOK, Result: result}
	if aerr != nil {
		c.Status, c.Description, c.Result = aerr.code, aerr.description, nil
	}
	s.seq++
	if !s.forget {
		s.calls = append(s.calls, c)
	}
	s.notifyLocked()
	observers := s.onCall
	s.mu.Unlock()
	for _, f := range observers {
		f(c)
	}
}

func writeAnswer(w http.ResponseWriter, result any, aerr *apiError) json.RawMessage {
	w.Header().Set("Content-Type", "application/json")
	if aerr != nil {
		body := map[string]any{"ok": false, "error_code": aerr.code, "description": aerr.description}
		if aerr.retryAfter > 0 {
			body["parameters"] = map[string]int{"retry_after": aerr.retryAfter}
		}
		w.WriteHeader(aerr.code)
		json.NewEncoder(w).Encode(body)
		return nil
	}
	raw := resultJSON(result)
	// The envelope is written around raw as it is: raw is json.Marshal's
	// output, or updates checked to be JSON objects when queued, and
	// encoding it inside a map would validate and compact it again.
	buf := make([]byte, 0, len(raw)+len(`{"ok":true,"result":}`)+1)
	buf = append(buf, `{"ok":true,"result":`...)
	buf = append(append(buf, raw...), "}\n"...)
	w.Write(buf)
	return raw
}

// resultJSON is a result's JSON text. getUpdates' list of updates is
// joined as it is: each one was checked to be a JSON object when queued.
func resultJSON(result any) json.RawMessage {
	if ups, ok := result.([]json.RawMessage); ok {
		n := 2
		for _, u := range ups {
			n += len(u) + 1
		}
		raw := make([]byte, 0, n)
		raw = append(raw, '[')
		for i, u := range ups {
			if i > 0 {
				raw = append(raw, ',')
			}
			raw = append(raw, u...)
		}
		return append(raw, ']')
	}
	raw, err := json.Marshal(result)
	if err != nil {
		raw = []byte("true")
	}
	return raw
}

// Params reads a Bot API request's parameters as the fake does (the query
// string and a form, multipart or JSON body; JSON-valued fields as their
// JSON text), for a proxy in front of the fake that has already read the
// body: body is that body, and r's own is left as it is. What cannot be
// parsed is left out.
func Params(r *http.Request, body []byte) url.Values {
	c := r.Clone(r.Context())
	c.Body = io.NopCloser(bytes.NewReader(body))
	c.Form, c.PostForm, c.MultipartForm = nil, nil, nil
	vals, _, _ := readParams(c)
	return vals
}

// readParams reads the query string and a form, multipart or JSON body into
// string values, JSON-valued fields as their JSON text.
func readParams(r *http.Request) (url.Values, string, error) {
	vals := url.Values{}
	for k, v := range r.URL.Query() {
		vals[k] = v
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var obj map[string]json.RawMessage
		if err := json.NewDecoder(io.LimitReader(r.Body, 10<<20)).Decode(&obj); err != nil && err != io.EOF {
			return vals, ct, fmt.Errorf("can't parse JSON body: %v", err)
		}
		for k, raw := range obj {
			var str string
			if json.Unmarshal(raw, &str) == nil {
				vals.Set(k, str)
			} else {
				vals.Set(k, string(raw))
			}
		}
	case "multipart/form-data":
		if err := r.ParseMultipartForm(10 << 20); err != nil {
			return vals, ct, fmt.Errorf("can't parse multipart body: %v", err)
		}
		for k, v := range r.MultipartForm.Value {
			vals[k] = v
		}
	default:
		if err := r.ParseForm(); err != nil {
			return vals, ct, fmt.Errorf("can't parse form body: %v", err)
		}
		for k, v := range r.PostForm {
			vals[k] = v
		}
	}
	return vals, ct, nil
}

// getUpdates answers at once when updates are waiting or timeout is 0, and
// otherwise holds the request until one is queued, the timeout passes, the
// client goes away or the server closes.
func (s *Server) getUpdates(ctx context.Context, p url.Values) (any, *apiError) {
	offset, _ := strconv.Atoi(p.Get("offset"))
	limit, _ := strconv.Atoi(p.Get("limit"))
	if limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _ := strconv.Atoi(p.Get("timeout"))
	var deadline <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(time.Duration(timeout) * time.Second)
		defer t.Stop()
		deadline = t.C
	}
	s.mu.Lock()
	if f := s.failures["getupdates"]; len(f) > 0 {
		s.failures["getupdates"] = f[1:]
		s.mu.Unlock()
		return nil, &apiError{code: f[0].code, description: f[0].description, retryAfter: f[0].retryAfter}
	}
	if s.webhook.URL != "" {
		s.mu.Unlock()
		return nil, &apiError{code: http.StatusConflict, description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	if a := p.Get("allowed_updates"); a != "" {
		var list []string
		if err := json.Unmarshal([]byte(a), &list); err != nil {
			s.mu.Unlock()
			return nil, badRequest("can't parse allowed_updates JSON")
		}
		s.allowed = list
	}
	if offset > s.acked {
		s.acked = offset
		s.queue = slices.DeleteFunc(s.queue, func(q queued) bool { return q.id < offset })
		s.notifyLocked()
	}
	for {
		var out []json.RawMessage
		for _, q := range s.queue {
			if q.id < offset || len(out) == limit {
				continue
			}
			if len(s.allowed) > 0 && !slices.Contains(s.allowed, q.kind) {
				continue
			}
			out = append(out, q.raw)
		}
		if len(out) > 0 || deadline == nil {
			s.mu.Unlock()
			if out == nil {
				out = []json.RawMessage{}
			}
			return out, nil
		}
		s.polling++
		s.notifyLocked()
		ch := s.changed
		s.mu.Unlock()
		var stop bool
		select {
		case <-ch:
		case <-deadline:
			deadline = nil
		case <-ctx.Done():
			stop = true
		case <-s.closed:
			stop = true
		}
		s.mu.Lock()
		s.polling--
		if stop {
			s.mu.Unlock()
			return []json.RawMessage{}, nil
		}
	}
}

var (
	commandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	// languageCode is a two-letter ISO 639-1 code, as setMyCommands takes.
	languageCode = regexp.MustCompile(`^[a-z]{2}$`)
	secretToken  = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
	// startParameter is a deep link's (and switch_pm_parameter's) payload.
	startParameter = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

func (s *Server) handleLocked(method string, p url.Values) (any, *apiError) {
	switch method {
	case "getMe":
		b := s.bot
		b.CanJoinGroups, b.SupportsInlineQueries = true, true
		return b, nil
	case "sendMessage":
		chat, aerr := s.chatLocked(p.Get("chat_id"))
		if aerr != nil {
			return nil, aerr
		}
		text, aerr := checkText(p.Get("text"), p.Get("parse_mode"))
		if aerr != nil {
			return nil, aerr
		}
		markup, aerr := checkMarkup(p.Get("reply_markup"), false)
		if aerr != nil {
			return nil, aerr
		}
		thread, _ := strconv.Atoi(p.Get("message_thread_id"))
		if thread != 0 && !chat.IsForum {
			return nil, badRequest("message thread not found")
		}
		var replyTo *Message
		if id, _ := strconv.Atoi(p.Get("reply_to_message_id")); id != 0 {
			prev, ok := s.messages[msgKey(chat.ID, id)]
			switch {
			case ok:
				replyTo = &Message{MessageID: id, Chat: chat, Text: PlainText(prev.text)}
			case p.Get("allow_sending_without_reply") != "true":
				return nil, badRequest("replied message not found")
			}
		}
		s.nextMsg++
		s.messages[msgKey(chat.ID, s.nextMsg)] = sent{text: p.Get("text"), markup: markup, thread: thread}
		b := s.bot
		return Message{MessageID: s.nextMsg, From: &b, Date: time.Now().Unix(), Chat: chat, Text: text,
			MessageThreadID: thread, IsTopicMessage: thread != 0, ReplyToMessage: replyTo}, nil
	case "editMessageText":
		text, aerr := checkText(p.Get("text"), p.Get("parse_mode"))
		if aerr != nil {
			return nil, aerr
		}
		markup, aerr := checkMarkup(p.Get("reply_markup"), true)
		if aerr != nil {
			return nil, aerr
		}
		if p.Get("inline_message_id") != "" {
			return true, nil
		}
		chat, aerr := s.chatLocked(p.Get("chat_id"))
		if aerr != nil {
			return nil, aerr
		}
		id, _ := strconv.Atoi(p.Get("message_id"))
		if id <= 0 {
			return nil, badRequest("message identifier is not specified")
		}
		key := msgKey(chat.ID, id)
		if prev, ok := s.messages[key]; ok && PlainText(prev.text) == text && prev.markup == markup {
			return nil, badRequest("message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message")
		}
		// Messages the fake did not send (ids made up by a test) are
		// accepted, to keep tests short.
		s.messages[key] = sent{text: p.Get("text"), markup: markup, thread: s.messages[key].thread}
		b := s.bot
		return Message{MessageID: id, From: &b, Date: time.Now().Unix(), Chat: chat, Text: text}, nil
	case "answerCallbackQuery":
		id := p.Get("callback_query_id")
		if id == "" || s.answered[id] {
			return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
		}
		if utf16Len(p.Get("text")) > 200 {
			return nil, badRequest("MESSAGE_TOO_LONG")
		}
		s.answered[id] = true
		return true, nil
	case "answerInlineQuery":
		id := p.Get("inline_query_id")
		if id == "" || s.answered[id] {
			return nil, badRequest("query is too old and response timeout expired or query ID is invalid")
		}
		var results []InlineResult
		if err := json.Unmarshal([]byte(p.Get("results")), &results); err != nil || results == nil {
			return nil, badRequest("can't parse inline query results JSON object")
		}
		if len(results) > 50 {
			return nil, badRequest("RESULTS_TOO_MUCH")
		}
		seen := map[string]bool{}
		for _, r := range results {
			if r.ID == "" || len(r.ID) > 64 {
				return nil, badRequest("RESULT_ID_INVALID")
			}
			if seen[r.ID] {
				return nil, badRequest("RESULT_ID_DUPLICATE")
			}
			seen[r.ID] = true
			if r.Type == "article" {
				if r.Title == "" {
					return nil, badRequest("RESULT_TITLE_EMPTY")
				}
				if _, aerr := checkText(r.InputMessageContent.MessageText, r.InputMessageContent.ParseMode); aerr != nil {
					return nil, aerr
				}
			}
			if r.ReplyMarkup != nil {
				if aerr := checkKeyboards(r.ReplyMarkup, true); aerr != nil {
					return nil, aerr
				}
			}
		}
		if t := p.Get("switch_pm_text"); t != "" || p.Get("switch_pm_parameter") != "" {
			if t == "" || utf16Len(t) > 64 {
				return nil, badRequest("SWITCH_PM_TEXT_INVALID")
			}
			if !startParameter.MatchString(p.Get("switch_pm_parameter")) {
				return nil, badRequest("START_PARAM_INVALID")
			}
		}
		s.answered[id] = true
		return true, nil
	case "setMyCommands":
		var cmds []BotCommand
		if err := json.Unmarshal([]byte(p.Get("commands")), &cmds); err != nil {
			return nil, badRequest("can't parse commands JSON object")
		}
		if len(cmds) > 100 {
			return nil, badRequest("too many commands")
		}
		for _, c := range cmds {
			if !commandName.MatchString(c.Command) {
				return nil, badRequest("BOT_COMMAND_INVALID")
			}
			if n := utf16Len(c.Description); n < 1 || n > 256 {
				return nil, badRequest("command description must be 1-256 characters")
			}
		}
		lang := p.Get("language_code")
		if lang != "" && !languageCode.MatchString(lang) {
			return nil, badRequest("LANGUAGE_CODE_INVALID")
		}
		scope, aerr := scopeKey(p.Get("scope"))
		if aerr != nil {
			return nil, aerr
		}
		if s.commands == nil {
			s.commands = map[string][]BotCommand{}
		}
		s.commands[scope+"|"+lang] = cmds
		return true, nil
	case "setWebhook":
		u := p.Get("url")
		if u == "" {
			s.webhook = WebhookInfo{}
			return true, nil
		}
		if _, err := url.ParseRequestURI(u); err != nil {
			return nil, badRequest("bad webhook: invalid URL")
		}
		secret := p.Get("secret_token")
		if secret != "" && !secretToken.MatchString(secret) {
			return nil, badRequest("secret token contains unallowed characters")
		}
		var allowed []string
		if a := p.Get("allowed_updates"); a != "" {
			if err := json.Unmarshal([]byte(a), &allowed); err != nil {
				return nil, badRequest("can't parse allowed_updates JSON")
			}
			s.allowed = allowed
		}
		s.webhook = WebhookInfo{URL: u, SecretToken: secret, AllowedUpdates: allowed}
		return true, nil
	case "deleteWebhook":
		s.webhook = WebhookInfo{}
		if p.Get("drop_pending_updates") == "true" {
			s.queue = nil
		}
		return true, nil
	case "getWebhookInfo":
		return map[string]any{"url": s.webhook.URL, "has_custom_certificate": false, "pending_update_count": len(s.queue)}, nil
	}
	return nil, &apiError{code: http.StatusNotFound, description: "Not Found: method not found"}
}

func (s *Server) chatLocked(id string) (Chat, *apiError) {
	if strings.HasPrefix(id, "@") {
		return Chat{ID: -1001, Type: "channel", Username: id[1:]}, nil
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n == 0 {
		return Chat{}, badRequest("chat not found")
	}
	if c, ok := s.chats[n]; ok {
		return c, nil
	}
	if n > 0 {
		return Chat{ID: n, Type: "private"}, nil
	}
	return Chat{ID: n, Type: "supergroup"}, nil
}

// checkText validates a message text as Telegram would and returns its
// visible text.
func checkText(text, parseMode string) (string, *apiError) {
	visible := text
	switch strings.ToLower(parseMode) {
	case "":
	case "html":
		t, err := ParseHTML(text)
		if err != nil {
			return "", badRequest("%v", err)
		}
		visible = t
	default:
		// MarkdownV2 and Markdown are not modelled: the adapter uses HTML.
		return "", badRequest("unsupported parse_mode %q in this fake", parseMode)
	}
	if strings.TrimSpace(visible) == "" {
		return "", badRequest("message text is empty")
	}
	if utf16Len(visible) > 4096 {
		return "", badRequest("message is too long")
	}
	return visible, nil
}

// checkMarkup validates reply_markup and returns it compacted. An edit
// accepts only inline keyboards.
func checkMarkup(raw string, edit bool) (string, *apiError) {
	if raw == "" {
		return "", nil
	}
	var m ReplyMarkup
	if err := json.Unmarshal([]byte(raw), &m); err != nil {
		return "", badRequest("can't parse reply keyboard markup JSON object")
	}
	if aerr := checkKeyboards(&m, edit); aerr != nil {
		return "", aerr
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, []byte(raw)); err != nil {
		return raw, nil
	}
	return buf.String(), nil
}

// checkKeyboards validates decoded markup as checkMarkup does. An inline
// result's markup, decoded with the result, is checked as it is rather
// than encoded again to be parsed again.
func checkKeyboards(m *ReplyMarkup, edit bool) *apiError {
	if edit && (m.Keyboard != nil || m.ForceReply || m.RemoveKeyboard) {
		return badRequest("inline keyboard expected")
	}
	if utf16Len(m.InputFieldPlaceholder) > 64 {
		return badRequest("input field placeholder is too long")
	}
	for _, row := range m.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return badRequest("text buttons are unallowed in the inline keyboard")
			}
			if b.CallbackData == "" && b.URL == "" {
				return badRequest("BUTTON_TYPE_INVALID")
			}
			if len(b.CallbackData) > 64 {
				return badRequest("BUTTON_DATA_INVALID")
			}
			if b.URL != "" {
				u, err := url.Parse(b.URL)
				if err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "tg") || (u.Scheme != "tg" && u.Host == "") {
					return badRequest("BUTTON_URL_INVALID")
				}
			}
		}
	}
	for _, row := range m.Keyboard {
		for _, b := range row {
			if b.Text == "" {
				return badRequest("keyboard button text is empty")
			}
		}
	}
	return nil
}
