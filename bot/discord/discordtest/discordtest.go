// Package discordtest is a fake Discord for tests: the REST endpoints a bot
// uses for interactions and messages, over httptest, and a gateway websocket
// that speaks the documented handshake (Hello, Identify or Resume, READY or
// RESUMED, heartbeats) and delivers INTERACTION_CREATE dispatches built like
// Discord's documented payloads.
//
// Every REST call (and each Identify and Resume on the gateway) is recorded
// as a Call; tests wait for the calls they expect with WaitFor, never by
// sleeping. The fake is strict where Discord is strict and where a mistake
// would otherwise go unnoticed: an interaction can be acknowledged once
// (a second callback is a 400, code 40060), its webhook (edits and
// follow-ups) works only after that, response types must suit the
// interaction, and message content is capped at 2,000 characters.
//
// Point a discordgo session at it by rewriting discord.com to APIBase in the
// session's HTTP transport (the discord adapter does this when its
// Config.APIBase is set); GET /api/v9/gateway then hands out the fake's own
// ws:// URL. A typical end-to-end test:
//
//	fake := discordtest.New(t)
//	fake.RequireToken("test-token")
//	// start the app with Discord token "test-token", API base fake.APIBase()
//	fake.WaitFor(t, discordtest.CommandOverwrite(), 10*time.Second) // connected, commands registered
//	id, token := fake.Interaction(t, discordtest.Command("find", discordtest.String("place", "Vancouver")))
//	c := fake.WaitFor(t, discordtest.Callback(id), 10*time.Second)
//	r := discordtest.DecodeResponse(t, c) // r.Type 4: answered at once; 5: deferred, then
//	fake.WaitFor(t, discordtest.EditOriginal(token), 10*time.Second)
//
// Moderator cards sent with the adapter's Send arrive as ChannelSend calls;
// pressing their buttons is fake.Interaction(t, discordtest.Component(data)).
package discordtest

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
)

// Ids the fake uses. They look like Discord's snowflakes.
const (
	AppID     = "100000000000000001" // the application, also the bot user
	GuildID   = "200000000000000001"
	ChannelID = "300000000000000001"
	UserID    = "400000000000000001"
	// DMChannelID is the channel of a direct-message interaction built by
	// (*Interaction).DM. Channels opened with POST /users/@me/channels get
	// ids of their own.
	DMChannelID = "300000000000000099"
)

// Methods of the gateway events recorded as calls.
const (
	// WS is the Method of a recorded gateway event; Path is "identify" or
	// "resume" and Body the client's payload.
	WS = "WS"
)

// Call is one request the fake received.
type Call struct {
	Method string      // GET, POST, ... or WS for a gateway event
	Path   string      // /api/v9/..., or "identify" / "resume" for WS
	Query  url.Values  // the URL's query
	Header http.Header // request headers (Authorization included)
	Body   []byte      // the raw request body
	Status int         // the status the fake answered (0 for WS)
	At     time.Time   // when the fake recorded it, for load measurements
}

// Decode unmarshals the call's JSON body into v.
func (c Call) Decode(v any) error { return json.Unmarshal(c.Body, v) }

// JSON returns the body as a generic JSON object, failing t if it is not one.
func (c Call) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(c.Body, &m); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v: %s", c.Method, c.Path, err, c.Body)
	}
	return m
}

func (c Call) String() string {
	return fmt.Sprintf("%s %s -> %d %s", c.Method, c.Path, c.Status, truncate(string(c.Body), 300))
}

// Server is a fake Discord. Create it with New; it closes itself when the
// test ends.
type Server struct {
	// HeartbeatInterval is sent in Hello. Set it before the client connects.
	HeartbeatInterval time.Duration

	srv *httptest.Server
	mux *http.ServeMux

	mu      sync.Mutex
	changed chan struct{} // closed and replaced whenever something is recorded
	calls   []Call
	conns   map[*gwConn]bool
	ready   *gwConn // the connection that last got READY or RESUMED
	session string  // current gateway session id
	seq     int64
	events  [][]byte // dispatches of this session, for replay on resume
	dropped int64    // how many of the session's first events Forget dropped
	nextID  uint64
	inter   map[string]*interaction // by token
	cmds    map[string][]json.RawMessage
	dms     map[string]string // recipient → channel id
	fails   []*failure
	token   string // "Bot …" when RequireToken was called
	closed  bool
	perms   Permissions
}

// Permissions is how the fake's server grants the bot permissions, for
// GET /channels/{id}, /guilds/{id}/roles and /guilds/{id}/members/{id}.
// By default @everyone may view channels, send messages and embed links.
type Permissions struct {
	Everyone int64            // the @everyone role's permissions
	BotRoles map[string]int64 // the bot's roles, by id
	// Overwrites are every channel's permission overwrites: Type 0 for a
	// role (GuildID is @everyone), 1 for a member (AppID is the bot).
	Overwrites []Overwrite
}

// Overwrite is a channel's permission overwrite.
type Overwrite struct {
	ID          string
	Type        int
	Allow, Deny int64
}

// SetPermissions replaces what the fake grants the bot.
func (s *Server) SetPermissions(p Permissions) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.perms = p
}

func (s *Server) channel(r *http.Request, _ []byte) (int, any) {
	s.mu.Lock()
	p := s.perms
	s.mu.Unlock()
	id := r.PathValue("channel")
	if id == DMChannelID {
		return 200, map[string]any{"id": id, "type": 1}
	}
	ows := []any{}
	for _, o := range p.Overwrites {
		ows = append(ows, map[string]any{"id": o.ID, "type": o.Type,
			"allow": strconv.FormatInt(o.Allow, 10), "deny": strconv.FormatInt(o.Deny, 10)})
	}
	return 200, map[string]any{"id": id, "type": 0, "guild_id": GuildID, "name": "moderators", "position": 0,
		"permission_overwrites": ows, "nsfw": false, "parent_id": nil}
}

func (s *Server) guildRoles(r *http.Request, _ []byte) (int, any) {
	if r.PathValue("guild") != GuildID {
		return 404, apiError(10004, "Unknown Guild")
	}
	s.mu.Lock()
	p := s.perms
	s.mu.Unlock()
	roles := []any{map[string]any{"id": GuildID, "name": "@everyone", "permissions": strconv.FormatInt(p.Everyone, 10), "position": 0}}
	for id, perm := range p.BotRoles {
		roles = append(roles, map[string]any{"id": id, "name": "role " + id, "permissions": strconv.FormatInt(perm, 10), "position": 1})
	}
	return 200, roles
}

func (s *Server) guildMember(r *http.Request, _ []byte) (int, any) {
	if r.PathValue("guild") != GuildID || r.PathValue("user") != AppID {
		return 404, apiError(10007, "Unknown Member")
	}
	s.mu.Lock()
	p := s.perms
	s.mu.Unlock()
	ids := []string{}
	for id := range p.BotRoles {
		ids = append(ids, id)
	}
	return 200, map[string]any{"user": botUser(), "roles": ids, "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false}
}

type interaction struct {
	id    string
	typ   int
	acked bool
}

type failure struct {
	match  func(Call) bool
	status int
	header http.Header
	body   string
	left   int
}

// New starts a fake Discord for the test and closes it at the end.
func New(t testing.TB) *Server {
	s := &Server{
		HeartbeatInterval: 41250 * time.Millisecond,
		changed:           make(chan struct{}),
		conns:             map[*gwConn]bool{},
		nextID:            900000000000000000,
		inter:             map[string]*interaction{},
		cmds:              map[string][]json.RawMessage{},
		dms:               map[string]string{},
		perms:             Permissions{Everyone: 1<<10 | 1<<11 | 1<<14},
	}
	s.routes()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// APIBase is the base URL to send Discord REST calls to instead of
// https://discord.com.
func (s *Server) APIBase() string { return s.srv.URL }

// GatewayURL is the websocket URL GET /api/v9/gateway hands out.
func (s *Server) GatewayURL() string {
	return "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/gateway"
}

// Close disconnects every gateway client and stops the server.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := make([]*gwConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.Close()
	}
	s.srv.Close()
}

// Calls returns every call recorded so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// WaitFor returns the first recorded call, past or future, that match
// accepts, failing t if none arrives within timeout.
func (s *Server) WaitFor(t testing.TB, match func(Call) bool, timeout time.Duration) Call {
	t.Helper()
	c, ok := s.Await(match, timeout)
	if !ok {
		t.Fatalf("discordtest: no matching call within %v; calls:\n%s", timeout, s.describe())
	}
	return c
}

// Await is WaitFor without a test: it reports whether a matching call came.
func (s *Server) Await(match func(Call) bool, timeout time.Duration) (Call, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	seen := 0
	for {
		s.mu.Lock()
		for ; seen < len(s.calls); seen++ {
			if match(s.calls[seen]) {
				c := s.calls[seen]
				s.mu.Unlock()
				return c, true
			}
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline.C:
			return Call{}, false
		}
	}
}

// Forget drops the calls recorded so far, the interactions prepared so far
// and the gateway dispatches kept for a resume, so that a long run (a load
// test, a test of the bot's memory) does not grow the fake with it. Call it
// only when nothing is in flight and no WaitFor or Await runs: calls to the
// forgotten interactions' webhooks are refused afterwards, and a resume
// replays nothing sent before.
func (s *Server) Forget() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
	clear(s.inter)
	s.dropped += int64(len(s.events))
	s.events = nil
}

// CountOf returns how many recorded calls match.
func (s *Server) CountOf(match func(Call) bool) int {
	n := 0
	for _, c := range s.Calls() {
		if match(c) {
			n++
		}
	}
	return n
}

func (s *Server) describe() string {
	var b strings.Builder
	for _, c := range s.Calls() {
		b.WriteString("  ")
		b.WriteString(c.String())
		b.WriteString("\n")
	}
	return b.String()
}

// record appends c and wakes waiters. Callers hold no lock.
func (s *Server) record(c Call) {
	c.At = time.Now()
	s.mu.Lock()
	s.calls = append(s.calls, c)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
}

// Fail makes the next n requests that match fail with status and body
// (JSON). For 429 use RateLimit, which also sets what discordgo reads.
func (s *Server) Fail(match func(Call) bool, n, status int, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails = append(s.fails, &failure{match: match, status: status, body: body, left: n})
}

// RateLimit makes the next n requests that match answer 429 Too Many
// Requests with the given retry_after.
func (s *Server) RateLimit(match func(Call) bool, n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := http.Header{}
	h.Set("Retry-After", strconv.FormatFloat(retryAfter.Seconds(), 'f', -1, 64))
	h.Set("X-RateLimit-Scope", "user")
	body := fmt.Sprintf(`{"message":"You are being rate limited.","retry_after":%g,"global":false}`, retryAfter.Seconds())
	s.fails = append(s.fails, &failure{match: match, status: http.StatusTooManyRequests, header: h, body: body, left: n})
}

// RequireToken makes the fake refuse any other bot token, as Discord does:
// an Identify carrying another is closed with 4004 (authentication failed)
// and REST calls authorised with another get 401. Interaction callbacks
// and webhooks are authorised by the interaction token and not checked.
func (s *Server) RequireToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = "Bot " + strings.TrimPrefix(token, "Bot ")
}

func (s *Server) requiredToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// Commands returns the commands last registered by bulk overwrite in scope:
// "global", or a guild id.
func (s *Server) Commands(scope string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]json.RawMessage(nil), s.cmds[scope]...)
}

func (s *Server) newID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	return strconv.FormatUint(s.nextID, 10)
}

// ---- REST ----

type handlerFunc func(r *http.Request, body []byte) (int, any)

func (s *Server) routes() {
	m := http.NewServeMux()
	s.mux = m
	for _, v := range []string{"9", "10"} {
		p := "/api/v" + v
		m.Handle("GET "+p+"/gateway", s.rest(s.gateway))
		m.Handle("GET "+p+"/gateway/bot", s.rest(s.gatewayBot))
		m.Handle("GET "+p+"/users/@me", s.rest(s.me))
		m.Handle("POST "+p+"/users/@me/channels", s.rest(s.dmChannel))
		m.Handle("PUT "+p+"/applications/{app}/commands", s.rest(s.overwrite))
		m.Handle("PUT "+p+"/applications/{app}/guilds/{guild}/commands", s.rest(s.overwrite))
		m.Handle("POST "+p+"/interactions/{id}/{token}/callback", s.rest(s.callback))
		m.Handle("POST "+p+"/webhooks/{app}/{token}", s.rest(s.followup))
		m.Handle("PATCH "+p+"/webhooks/{app}/{token}/messages/{mid}", s.rest(s.webhookEdit))
		m.Handle("DELETE "+p+"/webhooks/{app}/{token}/messages/{mid}", s.rest(s.webhookDelete))
		m.Handle("POST "+p+"/channels/{channel}/messages", s.rest(s.channelSend))
		m.Handle("PATCH "+p+"/channels/{channel}/messages/{mid}", s.rest(s.channelEdit))
		m.Handle("GET "+p+"/channels/{channel}", s.rest(s.channel))
		m.Handle("GET "+p+"/guilds/{guild}/roles", s.rest(s.guildRoles))
		m.Handle("GET "+p+"/guilds/{guild}/members/{user}", s.rest(s.guildMember))
	}
	m.Handle("/", s.rest(func(*http.Request, []byte) (int, any) {
		return http.StatusNotFound, apiError(0, "404: Not Found")
	}))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/gateway" || r.URL.Path == "/gateway/" {
		s.serveGateway(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// rest records the call, applies injected failures, and writes h's answer.
func (s *Server) rest(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 8<<20))
		c := Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
		var status int
		var out any
		var header http.Header
		if f := s.failure(c); f != nil {
			status, header = f.status, f.header
			out = json.RawMessage(f.body)
		} else if tok := s.requiredToken(); tok != "" && needsAuth(c) && r.Header.Get("Authorization") != tok {
			status, out = http.StatusUnauthorized, apiError(0, "401: Unauthorized")
		} else {
			status, out = h(r, body)
		}
		c.Status = status
		// Record before answering, so that anything the client does after
		// the answer happens after the call is visible to WaitFor.
		s.record(c)
		for k, v := range header {
			w.Header()[k] = v
		}
		if out == nil || status == http.StatusNoContent {
			w.WriteHeader(status)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(out)
	})
}

func (s *Server) failure(c Call) *failure {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.fails {
		if f.left > 0 && f.match(c) {
			f.left--
			return f
		}
	}
	return nil
}

// needsAuth reports whether Discord wants the bot token for the call.
func needsAuth(c Call) bool {
	rest, ok := apiPath(c.Path)
	if !ok {
		return false
	}
	return rest != "gateway" && !strings.HasPrefix(rest, "interactions/") && !strings.HasPrefix(rest, "webhooks/")
}

func apiError(code int, msg string) map[string]any {
	return map[string]any{"code": code, "message": msg}
}

func (s *Server) gateway(*http.Request, []byte) (int, any) {
	return 200, map[string]any{"url": s.GatewayURL()}
}

func (s *Server) gatewayBot(*http.Request, []byte) (int, any) {
	return 200, map[string]any{
		"url": s.GatewayURL(), "shards": 1,
		"session_start_limit": map[string]any{"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1},
	}
}

func botUser() map[string]any {
	return map[string]any{"id": AppID, "username": "unionbot", "discriminator": "0", "global_name": nil, "bot": true}
}

func (s *Server) me(*http.Request, []byte) (int, any) { return 200, botUser() }

func (s *Server) dmChannel(r *http.Request, body []byte) (int, any) {
	var in struct {
		RecipientID string `json:"recipient_id"`
	}
	if json.Unmarshal(body, &in) != nil || in.RecipientID == "" {
		return 400, apiError(50035, "Invalid Form Body")
	}
	s.mu.Lock()
	id, ok := s.dms[in.RecipientID]
	s.mu.Unlock()
	if !ok {
		id = s.newID()
		s.mu.Lock()
		s.dms[in.RecipientID] = id
		s.mu.Unlock()
	}
	return 200, map[string]any{
		"id": id, "type": 1, "last_message_id": nil,
		"recipients": []any{map[string]any{"id": in.RecipientID, "username": "user" + in.RecipientID, "discriminator": "0"}},
	}
}

func (s *Server) overwrite(r *http.Request, body []byte) (int, any) {
	if r.PathValue("app") != AppID {
		return 404, apiError(10002, "Unknown Application")
	}
	var cmds []map[string]any
	if err := json.Unmarshal(body, &cmds); err != nil {
		return 400, apiError(50035, "Invalid Form Body")
	}
	scope := r.PathValue("guild")
	if scope == "" {
		scope = "global"
	}
	raw := make([]json.RawMessage, 0, len(cmds))
	for _, c := range cmds {
		if msg := checkCommand(c); msg != "" {
			return 400, apiError(50035, "Invalid Form Body: "+msg)
		}
		c["id"] = s.newID()
		c["application_id"] = AppID
		c["version"] = s.newID()
		if scope != "global" {
			c["guild_id"] = scope
		}
		b, _ := json.Marshal(c)
		raw = append(raw, b)
	}
	s.mu.Lock()
	s.cmds[scope] = raw
	s.mu.Unlock()
	return 200, cmds
}

// checkCommand applies Discord's documented limits on a chat command.
func checkCommand(c map[string]any) string {
	name, _ := c["name"].(string)
	if name == "" || len(name) > 32 || strings.ToLower(name) != name {
		return "bad command name " + strconv.Quote(name)
	}
	if d, _ := c["description"].(string); d == "" || utf8.RuneCountInString(d) > 100 {
		return "command " + name + ": description must be 1-100 characters"
	}
	if msg := checkLocalizedNames(c); msg != "" {
		return "command " + name + ": " + msg
	}
	opts, _ := c["options"].([]any)
	if len(opts) > 25 {
		return "command " + name + ": too many options"
	}
	optional := false
	for _, o := range opts {
		o, _ := o.(map[string]any)
		on, _ := o["name"].(string)
		if on == "" || len(on) > 32 {
			return "command " + name + ": bad option name"
		}
		if d, _ := o["description"].(string); d == "" || utf8.RuneCountInString(d) > 100 {
			return "command " + name + " option " + on + ": description must be 1-100 characters"
		}
		if msg := checkLocalizedNames(o); msg != "" {
			return "command " + name + " option " + on + ": " + msg
		}
		req, _ := o["required"].(bool)
		if req && optional {
			return "command " + name + ": required options must come before optional ones"
		}
		optional = optional || !req
	}
	return ""
}

// localizedName is Discord's pattern for a command or option name in any
// locale; names must also be lowercase where the script has case.
var localizedName = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

// checkLocalizedNames checks a command's or option's name_localizations
// and description_localizations: known locales, valid names, descriptions
// of 1 to 100 characters.
func checkLocalizedNames(c map[string]any) string {
	names, _ := c["name_localizations"].(map[string]any)
	for l, v := range names {
		n, _ := v.(string)
		if !knownLocales[l] {
			return "name_localizations: unknown locale " + l
		}
		if !localizedName.MatchString(n) || strings.ToLower(n) != n {
			return "name_localizations." + l + ": bad name " + strconv.Quote(n)
		}
	}
	descs, _ := c["description_localizations"].(map[string]any)
	for l, v := range descs {
		d, _ := v.(string)
		if !knownLocales[l] {
			return "description_localizations: unknown locale " + l
		}
		if d == "" || utf8.RuneCountInString(d) > 100 {
			return "description_localizations." + l + ": must be 1-100 characters"
		}
	}
	return ""
}

// knownLocales are Discord's locales (its "Locales" reference).
var knownLocales = map[string]bool{
	"id": true, "da": true, "de": true, "en-GB": true, "en-US": true, "es-ES": true, "es-419": true, "fr": true,
	"hr": true, "it": true, "lt": true, "hu": true, "nl": true, "no": true, "pl": true, "pt-BR": true, "ro": true,
	"fi": true, "sv-SE": true, "vi": true, "tr": true, "cs": true, "el": true, "bg": true, "ru": true, "uk": true,
	"hi": true, "th": true, "zh-CN": true, "ja": true, "zh-TW": true, "ko": true,
}

// messageBody is what the fake reads of a message body, or of a
// callback's data: the fields Discord limits. A body is decoded into these
// types rather than into maps because the load tool runs the fake on the
// bot's own cores, and decoding every answer of a burst into maps cost the
// fake more than the bot spent encoding it. A field of the wrong JSON type
// fails the decoding, which the fake answers as Discord does, "Invalid
// Form Body".
type messageBody struct {
	// A modal's.
	CustomID string `json:"custom_id"`
	Title    string `json:"title"`
	// Autocomplete's: nil when absent or null.
	Choices *[]struct{} `json:"choices"`

	Content    string `json:"content"`
	Components []struct {
		Components []bodyComponent `json:"components"`
	} `json:"components"`
	Embeds []struct {
		Title       string `json:"title"`
		Description string `json:"description"`
		URL         string `json:"url"`
		Author      *struct {
			Name string `json:"name"`
		} `json:"author"`
		Footer *struct {
			Text string `json:"text"`
		} `json:"footer"`
		Fields []struct {
			Name  string `json:"name"`
			Value string `json:"value"`
		} `json:"fields"`
	} `json:"embeds"`
}

type bodyComponent struct {
	Type     int    `json:"type"`
	Style    int    `json:"style"`
	CustomID string `json:"custom_id"`
	URL      string `json:"url"`
	Label    string `json:"label"`
	// A text input's.
	MaxLength   int    `json:"max_length"`
	Placeholder string `json:"placeholder"`
}

// decodeMessage decodes a message body; an absent or null one is empty.
func decodeMessage(raw []byte) (messageBody, bool) {
	var m messageBody
	if len(raw) == 0 {
		return m, true
	}
	return m, json.Unmarshal(raw, &m) == nil
}

// empty reports whether the message would show nothing.
func (m *messageBody) empty() bool {
	return m.Content == "" && len(m.Components) == 0 && len(m.Embeds) == 0
}

// check applies Discord's limits on a message body.
func (m *messageBody) check() string {
	if utf8.RuneCountInString(m.Content) > 2000 {
		return "content: Must be 2000 or fewer in length."
	}
	if len(m.Components) > 5 {
		return "components: Must be 5 or fewer in length."
	}
	ids := map[string]bool{}
	for _, r := range m.Components {
		if len(r.Components) > 5 {
			return "components: a row holds at most 5 components."
		}
		for _, c := range r.Components {
			if len(c.CustomID) > 100 {
				return "custom_id: Must be 100 or fewer in length."
			}
			if c.CustomID != "" && ids[c.CustomID] {
				return "components: custom id cannot be duplicated"
			}
			ids[c.CustomID] = true
			if utf8.RuneCountInString(c.Label) > 80 {
				return "label: Must be 80 or fewer in length."
			}
			if msg := checkButton(c); msg != "" {
				return msg
			}
		}
	}
	return m.checkEmbeds()
}

// checkButton applies Discord's rules on a button: styles 1 to 4 send
// their custom_id back, style 5 opens its url, never both.
func checkButton(c bodyComponent) string {
	if c.Type != 2 {
		return ""
	}
	switch {
	case c.Style >= 1 && c.Style <= 4:
		if c.CustomID == "" || c.URL != "" {
			return "components: a button of style 1-4 needs a custom_id and no url"
		}
	case c.Style == 5:
		if c.URL == "" || c.CustomID != "" {
			return "components: a link button needs a url and no custom_id"
		}
		if !strings.HasPrefix(c.URL, "https://") && !strings.HasPrefix(c.URL, "http://") {
			return "components: a link button's url must be http(s)"
		}
	default:
		return "components: unknown button style " + strconv.Itoa(c.Style)
	}
	return ""
}

// checkEmbeds applies Discord's embed limits: 10 embeds, 6,000 characters
// in all, 256 for a title or author, 4,096 for a description, 25 fields,
// each with a name of 1-256 and a value of 1-1,024 characters.
func (m *messageBody) checkEmbeds() string {
	if len(m.Embeds) > 10 {
		return "embeds: Must be 10 or fewer in length."
	}
	total := 0
	n := utf8.RuneCountInString
	for _, e := range m.Embeds {
		if n(e.Title) > 256 {
			return "embeds.title: Must be 256 or fewer in length."
		}
		if n(e.Description) > 4096 {
			return "embeds.description: Must be 4096 or fewer in length."
		}
		total += n(e.Title) + n(e.Description)
		if a := e.Author; a != nil {
			if n(a.Name) > 256 || n(a.Name) == 0 {
				return "embeds.author.name: Must be between 1 and 256 in length."
			}
			total += n(a.Name)
		}
		if f := e.Footer; f != nil {
			total += n(f.Text)
		}
		if u := e.URL; u != "" && !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			return "embeds.url: Not a well formed URL."
		}
		if len(e.Fields) > 25 {
			return "embeds.fields: Must be 25 or fewer in length."
		}
		for _, f := range e.Fields {
			if n(f.Name) == 0 || n(f.Name) > 256 {
				return "embeds.fields.name: Must be between 1 and 256 in length."
			}
			if n(f.Value) == 0 || n(f.Value) > 1024 {
				return "embeds.fields.value: Must be between 1 and 1024 in length."
			}
			total += n(f.Name) + n(f.Value)
		}
	}
	if total > 6000 {
		return "embeds: Embed size exceeds maximum size of 6000"
	}
	return ""
}

// Response types (Discord's "interaction callback types"), and the flag of
// an ephemeral message.
const (
	Pong               = 1
	ChannelMessage     = 4
	DeferredMessage    = 5
	DeferredUpdate     = 6
	UpdateMessage      = 7
	AutocompleteResult = 8
	ModalResponse      = 9
	EphemeralFlag      = 64
)

// Interaction types.
const (
	typePing         = 1
	typeCommand      = 2
	typeComponent    = 3
	typeAutocomplete = 4
	typeModalSubmit  = 5
)

const (
	maxModalTitle        = 45
	maxModalLabel        = 45
	maxModalTextInputLen = 4000
)

func (s *Server) callback(r *http.Request, body []byte) (int, any) {
	s.mu.Lock()
	in := s.inter[r.PathValue("token")]
	s.mu.Unlock()
	if in == nil || in.id != r.PathValue("id") {
		return 404, apiError(10062, "Unknown interaction")
	}
	var resp struct {
		Type int          `json:"type"`
		Data *messageBody `json:"data"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return 400, apiError(50035, "Invalid Form Body")
	}
	if !responseAllowed(in.typ, resp.Type) {
		return 400, apiError(50035, fmt.Sprintf("Interaction response type %d is not valid for interaction type %d", resp.Type, in.typ))
	}
	data := resp.Data
	if data == nil {
		data = &messageBody{}
	}
	switch resp.Type {
	case ChannelMessage, UpdateMessage:
		if msg := data.check(); msg != "" {
			return 400, apiError(50035, "Invalid Form Body: "+msg)
		}
	case ModalResponse:
		if msg := data.checkModal(); msg != "" {
			return 400, apiError(50035, "Invalid Form Body: "+msg)
		}
	case AutocompleteResult:
		if data.Choices == nil || len(*data.Choices) > 25 {
			return 400, apiError(50035, "Invalid Form Body: choices must be a list of at most 25")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.acked {
		return 400, apiError(40060, "Interaction has already been acknowledged.")
	}
	in.acked = true
	return 204, nil
}

func responseAllowed(interactionType, responseType int) bool {
	switch interactionType {
	case typeAutocomplete:
		return responseType == AutocompleteResult
	case typeCommand:
		return responseType == ChannelMessage || responseType == DeferredMessage || responseType == ModalResponse
	case typeComponent:
		return responseType == ChannelMessage || responseType == DeferredMessage || responseType == DeferredUpdate ||
			responseType == UpdateMessage || responseType == ModalResponse
	case typeModalSubmit:
		return responseType == ChannelMessage || responseType == DeferredMessage || responseType == DeferredUpdate ||
			responseType == UpdateMessage
	}
	return false
}

// checkModal applies Discord's limits on a modal: an id, a title of 1-45
// characters, 1-5 rows of one text input each, with a label, a style of 1
// or 2, at most 4,000 characters and a placeholder of at most 100.
func (m *messageBody) checkModal() string {
	if m.CustomID == "" || len(m.CustomID) > 100 {
		return "custom_id must be 1-100 characters"
	}
	if m.Title == "" || utf8.RuneCountInString(m.Title) > maxModalTitle {
		return "title must be 1-45 characters"
	}
	if len(m.Components) < 1 || len(m.Components) > 5 {
		return "a modal has 1-5 rows"
	}
	for _, r := range m.Components {
		if len(r.Components) != 1 {
			return "each modal row holds one text input"
		}
		c := r.Components[0]
		if c.Type != 4 {
			return "modal components must be text inputs"
		}
		if c.Label == "" || utf8.RuneCountInString(c.Label) > maxModalLabel {
			return "label must be 1-45 characters"
		}
		if c.Style != 1 && c.Style != 2 {
			return "text input style must be 1 or 2"
		}
		if c.MaxLength > maxModalTextInputLen {
			return "max_length must be at most 4000"
		}
		if utf8.RuneCountInString(c.Placeholder) > 100 {
			return "placeholder must be at most 100 characters"
		}
	}
	return ""
}

// webhookFor finds an acknowledged interaction for the webhook endpoints.
func (s *Server) webhookFor(r *http.Request) *interaction {
	if r.PathValue("app") != AppID {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.inter[r.PathValue("token")]
	if in == nil || !in.acked {
		return nil
	}
	return in
}

func (s *Server) message(channel string, body []byte, id string) map[string]any {
	var m map[string]any
	json.Unmarshal(body, &m)
	out := map[string]any{
		"id": id, "channel_id": channel, "type": 0, "content": m["content"], "components": m["components"],
		"author": botUser(), "timestamp": time.Now().UTC().Format(time.RFC3339), "tts": false,
		"mention_everyone": false, "mentions": []any{}, "mention_roles": []any{}, "attachments": []any{}, "embeds": []any{},
	}
	if f, ok := m["flags"]; ok {
		out["flags"] = f
	}
	return out
}

func (s *Server) followup(r *http.Request, body []byte) (int, any) {
	m, code, errBody := s.webhookMessage(r, body)
	if m == nil {
		return code, errBody
	}
	if m.empty() {
		return 400, apiError(50006, "Cannot send an empty message")
	}
	if r.URL.Query().Get("wait") != "true" {
		return 204, nil
	}
	return 200, s.message(ChannelID, body, s.newID())
}

// webhookMessage checks a request to an interaction's webhook as Discord
// does: a known webhook, then a valid message body. It returns the body, or
// nil with the error to answer.
func (s *Server) webhookMessage(r *http.Request, body []byte) (*messageBody, int, any) {
	if s.webhookFor(r) == nil {
		return nil, 404, apiError(10015, "Unknown Webhook")
	}
	return checkedMessage(body)
}

// checkedMessage decodes and checks a message body as Discord does. It
// returns the body, or nil with the error to answer.
func checkedMessage(body []byte) (*messageBody, int, any) {
	m, ok := decodeMessage(body)
	if !ok || len(body) == 0 {
		return nil, 400, apiError(50035, "Invalid Form Body")
	}
	if msg := m.check(); msg != "" {
		return nil, 400, apiError(50035, "Invalid Form Body: "+msg)
	}
	return &m, 0, nil
}

func (s *Server) webhookEdit(r *http.Request, body []byte) (int, any) {
	m, code, errBody := s.webhookMessage(r, body)
	if m == nil {
		return code, errBody
	}
	id := r.PathValue("mid")
	if id == "@original" {
		id = s.newID()
	}
	return 200, s.message(ChannelID, body, id)
}

func (s *Server) webhookDelete(r *http.Request, body []byte) (int, any) {
	if s.webhookFor(r) == nil {
		return 404, apiError(10015, "Unknown Webhook")
	}
	return 204, nil
}

func (s *Server) channelSend(r *http.Request, body []byte) (int, any) {
	m, code, errBody := checkedMessage(body)
	if m == nil {
		return code, errBody
	}
	if m.empty() {
		return 400, apiError(50006, "Cannot send an empty message")
	}
	return 200, s.message(r.PathValue("channel"), body, s.newID())
}

func (s *Server) channelEdit(r *http.Request, body []byte) (int, any) {
	if m, code, errBody := checkedMessage(body); m == nil {
		return code, errBody
	}
	return 200, s.message(r.PathValue("channel"), body, r.PathValue("mid"))
}

// ---- matchers ----

func apiPath(p string) (string, bool) {
	for _, v := range []string{"/api/v9/", "/api/v10/"} {
		if rest, ok := strings.CutPrefix(p, v); ok {
			return rest, true
		}
	}
	return "", false
}

func pathIs(c Call, method string, parts ...string) bool {
	if c.Method != method {
		return false
	}
	rest, ok := apiPath(c.Path)
	if !ok {
		return false
	}
	got := strings.Split(rest, "/")
	if len(got) != len(parts) {
		return false
	}
	for i, p := range parts {
		if p != "*" && p != got[i] {
			return false
		}
	}
	return true
}

// Callback matches the initial response to the interaction with this id.
func Callback(id string) func(Call) bool {
	return func(c Call) bool { return pathIs(c, "POST", "interactions", id, "*", "callback") }
}

// CallbackOf returns the id of the interaction c is the initial response
// to, if it is one: a wait for many interactions' callbacks at once (a
// burst) matches each call once, by id, instead of once per interaction.
func CallbackOf(c Call) (id string, ok bool) {
	if c.Method != http.MethodPost {
		return "", false
	}
	rest, ok := apiPath(c.Path)
	if !ok {
		return "", false
	}
	rest, ok = strings.CutPrefix(rest, "interactions/")
	if !ok {
		return "", false
	}
	id, rest, _ = strings.Cut(rest, "/")
	token, rest, _ := strings.Cut(rest, "/")
	if id == "" || token == "" || rest != "callback" {
		return "", false
	}
	return id, true
}

// EditOriginal matches edits of the original response of the interaction
// with this token.
func EditOriginal(token string) func(Call) bool {
	return func(c Call) bool { return pathIs(c, "PATCH", "webhooks", "*", token, "messages", "@original") }
}

// DeleteOriginal matches deletion of the original response.
func DeleteOriginal(token string) func(Call) bool {
	return func(c Call) bool { return pathIs(c, "DELETE", "webhooks", "*", token, "messages", "@original") }
}

// Followup matches follow-up messages of the interaction with this token.
func Followup(token string) func(Call) bool {
	return func(c Call) bool { return pathIs(c, "POST", "webhooks", "*", token) }
}

// ChannelSend matches messages sent to the channel.
func ChannelSend(channelID string) func(Call) bool {
	return func(c Call) bool { return pathIs(c, "POST", "channels", channelID, "messages") }
}

// ChannelEdit matches edits of a message in the channel.
func ChannelEdit(channelID, messageID string) func(Call) bool {
	return func(c Call) bool { return pathIs(c, "PATCH", "channels", channelID, "messages", messageID) }
}

// OpenDM matches the opening of a direct-message channel.
func OpenDM() func(Call) bool {
	return func(c Call) bool { return pathIs(c, "POST", "users", "@me", "channels") }
}

// CommandOverwrite matches bulk overwrites of application commands, global
// or in a guild.
func CommandOverwrite() func(Call) bool {
	return func(c Call) bool {
		return pathIs(c, "PUT", "applications", "*", "commands") || pathIs(c, "PUT", "applications", "*", "guilds", "*", "commands")
	}
}

// Identify matches a gateway Identify.
func Identify() func(Call) bool {
	return func(c Call) bool { return c.Method == WS && c.Path == "identify" }
}

// Resume matches a gateway Resume.
func Resume() func(Call) bool {
	return func(c Call) bool { return c.Method == WS && c.Path == "resume" }
}

// All matches when every matcher does.
func All(ms ...func(Call) bool) func(Call) bool {
	return func(c Call) bool {
		for _, m := range ms {
			if !m(c) {
				return false
			}
		}
		return true
	}
}

// OK matches calls the fake answered with a 2xx status.
func OK() func(Call) bool { return func(c Call) bool { return c.Status >= 200 && c.Status < 300 } }

// Response is the body of an interaction callback.
type Response struct {
	Type int            `json:"type"`
	Data map[string]any `json:"data"`
}

// DecodeResponse decodes a callback call's body.
func DecodeResponse(t testing.TB, c Call) Response {
	t.Helper()
	var r Response
	if err := c.Decode(&r); err != nil {
		t.Fatalf("callback body: %v: %s", err, c.Body)
	}
	return r
}

// ---- gateway ----

type gwConn struct {
	ws  *websocket.Conn
	wmu sync.Mutex
}

func (c *gwConn) write(v any) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteJSON(v)
}

func (c *gwConn) writeRaw(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, b)
}

type gwPayload struct {
	Op   int             `json:"op"`
	D    json.RawMessage `json:"d"`
	S    *int64          `json:"s"`
	Type *string         `json:"t"`
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveGateway(w http.ResponseWriter, r *http.Request) {
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	c := &gwConn{ws: ws}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ws.Close()
		return
	}
	s.conns[c] = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		if s.ready == c {
			s.ready = nil
		}
		s.mu.Unlock()
		ws.Close()
	}()

	// Hello first; then nothing until READY, because discordgo's Open
	// holds its lock while it waits for READY and an op 11 would deadlock.
	if c.write(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": s.HeartbeatInterval.Milliseconds()}, "s": nil, "t": nil}) != nil {
		return
	}
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		var p gwPayload
		if json.Unmarshal(msg, &p) != nil {
			ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(4002, "Decode error"))
			return
		}
		switch p.Op {
		case 1: // heartbeat
			if s.isReady(c) {
				c.write(map[string]any{"op": 11, "d": nil, "s": nil, "t": nil})
			}
		case 2: // identify
			s.record(Call{Method: WS, Path: "identify", Body: p.D})
			var id struct {
				Token string `json:"token"`
			}
			json.Unmarshal(p.D, &id)
			if tok := s.requiredToken(); tok != "" && id.Token != tok {
				c.wmu.Lock()
				ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4004, "Authentication failed."), time.Now().Add(time.Second))
				c.wmu.Unlock()
				return
			}
			if s.identify(c) != nil {
				return
			}
		case 6: // resume
			s.record(Call{Method: WS, Path: "resume", Body: p.D})
			if s.resume(c, p.D) != nil {
				return
			}
		}
	}
}

func (s *Server) isReady(c *gwConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ready == c
}

func (s *Server) identify(c *gwConn) error {
	s.mu.Lock()
	s.nextID++
	s.session = "session-" + strconv.FormatUint(s.nextID, 10)
	s.seq = 1
	s.events = nil
	s.dropped = 0
	sess := s.session
	s.mu.Unlock()
	ready := map[string]any{
		"op": 0, "t": "READY", "s": 1,
		"d": map[string]any{
			"v": 10, "user": botUser(), "session_id": sess, "resume_gateway_url": s.GatewayURL(),
			"application": map[string]any{"id": AppID, "flags": 0}, "guilds": []any{}, "private_channels": []any{},
		},
	}
	if err := c.write(ready); err != nil {
		return err
	}
	s.mu.Lock()
	s.ready = c
	s.mu.Unlock()
	s.record(Call{Method: WS, Path: "ready"})
	return nil
}

func (s *Server) resume(c *gwConn, d json.RawMessage) error {
	var in struct {
		SessionID string `json:"session_id"`
		Seq       int64  `json:"seq"`
	}
	json.Unmarshal(d, &in)
	s.mu.Lock()
	if in.SessionID == "" || in.SessionID != s.session {
		s.mu.Unlock()
		// Invalid session, not resumable: the client identifies again.
		return c.write(map[string]any{"op": 9, "d": false, "s": nil, "t": nil})
	}
	var replay [][]byte
	for i, e := range s.events {
		if e != nil && s.dropped+int64(i)+2 > in.Seq { // events[i] has sequence dropped+i+2 (READY is 1)
			replay = append(replay, e)
		}
	}
	s.seq++
	seq := s.seq
	s.mu.Unlock()
	for _, e := range replay {
		if err := c.writeRaw(e); err != nil {
			return err
		}
	}
	if err := c.write(map[string]any{"op": 0, "t": "RESUMED", "s": seq, "d": map[string]any{}}); err != nil {
		return err
	}
	s.mu.Lock()
	s.ready = c
	s.events = append(s.events, nil) // RESUMED takes a sequence number too
	s.mu.Unlock()
	s.record(Call{Method: WS, Path: "ready"})
	return nil
}

// WaitReady waits until a gateway client has identified (or resumed) and
// been sent READY (or RESUMED).
func (s *Server) WaitReady(t testing.TB, timeout time.Duration) {
	t.Helper()
	if _, ok := s.readyConn(timeout); !ok {
		t.Fatalf("discordtest: no gateway client became ready within %v", timeout)
	}
}

func (s *Server) readyConn(timeout time.Duration) (*gwConn, bool) {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		c, ch := s.ready, s.changed
		s.mu.Unlock()
		if c != nil {
			return c, true
		}
		select {
		case <-ch:
		case <-deadline.C:
			return nil, false
		}
	}
}

// Dispatch sends an event (op 0) with type t and data d to the ready gateway
// client, waiting up to 10 seconds for one.
func (s *Server) Dispatch(t testing.TB, typ string, d any) {
	t.Helper()
	data, err := json.Marshal(d)
	if err != nil {
		t.Fatalf("discordtest: %s: %v", typ, err)
	}
	s.DispatchJSON(t, typ, data)
}

// DispatchJSON is Dispatch with the data already encoded, one JSON value:
// the load tool encodes a burst's interactions before it starts the clock,
// as Discord would on its own machines, not on the bot's cores.
func (s *Server) DispatchJSON(t testing.TB, typ string, data []byte) {
	t.Helper()
	if !json.Valid(data) {
		t.Fatalf("discordtest: %s: the data is not one JSON value", typ)
	}
	c, ok := s.readyConn(10 * time.Second)
	if !ok {
		t.Fatalf("discordtest: no gateway client to dispatch %s to", typ)
	}
	s.mu.Lock()
	s.seq++
	b := make([]byte, 0, len(data)+len(typ)+40)
	b = append(b, `{"op":0,"t":`...)
	b = strconv.AppendQuote(b, typ) // an event name, A-Z and _, quoted alike in Go and JSON
	b = append(b, `,"s":`...)
	b = strconv.AppendInt(b, int64(s.seq), 10)
	b = append(b, `,"d":`...)
	b = append(b, data...)
	b = append(b, '}')
	s.events = append(s.events, b)
	s.mu.Unlock()
	if err := c.writeRaw(b); err != nil {
		// The client will get it on resume.
		t.Logf("discordtest: dispatch %s: %v (it will be replayed on resume)", typ, err)
	}
}

// Disconnect drops every gateway connection without a close frame, as a
// network failure would; discordgo then reconnects and resumes.
func (s *Server) Disconnect() {
	s.mu.Lock()
	conns := make([]*gwConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.ready = nil
	s.mu.Unlock()
	for _, c := range conns {
		c.ws.UnderlyingConn().Close()
	}
}

// ---- interactions ----

// Interaction is an INTERACTION_CREATE payload under construction. Build
// one with Command, Autocomplete, Component or ModalSubmit, adjust its
// exported fields, and send it with (*Server).Interaction. The defaults are
// a member of GuildID in ChannelID with no roles and no permissions.
type Interaction struct {
	Type         int
	Data         map[string]any
	GuildID      string // empty for a direct message
	ChannelID    string
	UserID       string
	Username     string
	GlobalName   string
	Roles        []string
	Permissions  int64 // the member's permissions in the channel
	Locale       string
	MessageID    string // for components: the message the button is on
	MessageFlags int    // for components: that message's flags (64: ephemeral)
	// MessageButtons are the custom ids of the buttons on that message, as
	// Discord reports them with the press (five to a row).
	MessageButtons []string

	// ID and Token are assigned when the interaction is sent or prepared.
	ID    string
	Token string
}

func newInteraction(typ int, data map[string]any) *Interaction {
	return &Interaction{
		Type: typ, Data: data, GuildID: GuildID, ChannelID: ChannelID,
		UserID: UserID, Username: "tester", GlobalName: "Tess Tester", Locale: "en-US",
	}
}

// Option is an option of a slash command as Discord sends it.
type Option struct {
	Name    string
	Type    int // 3 string, 4 integer, 5 boolean, 10 number
	Value   any
	Focused bool
}

// String is a string option.
func String(name, value string) Option { return Option{Name: name, Type: 3, Value: value} }

// Integer is an integer option.
func Integer(name string, v int) Option { return Option{Name: name, Type: 4, Value: v} }

// Focused is the option being typed during autocomplete: Discord sends
// what has been typed so far as a string, whatever the option's type.
func Focused(name, typed string) Option {
	return Option{Name: name, Type: 3, Value: typed, Focused: true}
}

func options(opts []Option) []any {
	out := make([]any, 0, len(opts))
	for _, o := range opts {
		m := map[string]any{"name": o.Name, "type": o.Type, "value": o.Value}
		if o.Focused {
			m["focused"] = true
		}
		out = append(out, m)
	}
	return out
}

// Command is a slash command (interaction type 2).
func Command(name string, opts ...Option) *Interaction {
	d := map[string]any{"id": "600000000000000001", "name": name, "type": 1}
	if len(opts) > 0 {
		d["options"] = options(opts)
	}
	return newInteraction(typeCommand, d)
}

// Autocomplete is an autocomplete request (interaction type 4); mark the
// option being typed with Focused.
func Autocomplete(name string, opts ...Option) *Interaction {
	in := Command(name, opts...)
	in.Type = typeAutocomplete
	return in
}

// Component is a button press (interaction type 3) on MessageID.
func Component(customID string) *Interaction {
	in := newInteraction(typeComponent, map[string]any{"custom_id": customID, "component_type": 2})
	in.MessageID = "700000000000000001"
	return in
}

// Field is a text input's value in a modal submission.
type Field struct{ Name, Value string }

// ModalSubmit is a submitted modal (interaction type 5).
func ModalSubmit(customID string, fields ...Field) *Interaction {
	rows := make([]any, 0, len(fields))
	for _, f := range fields {
		rows = append(rows, map[string]any{"type": 1, "components": []any{
			map[string]any{"type": 4, "custom_id": f.Name, "value": f.Value},
		}})
	}
	return newInteraction(typeModalSubmit, map[string]any{"custom_id": customID, "components": rows})
}

// DM makes the interaction come from a direct message with the bot.
func (in *Interaction) DM() *Interaction {
	in.GuildID = ""
	in.ChannelID = DMChannelID
	in.Roles = nil
	in.Permissions = 0
	return in
}

// Payload is the interaction as Discord sends it.
func (in *Interaction) Payload() map[string]any {
	user := map[string]any{"id": in.UserID, "username": in.Username, "discriminator": "0", "global_name": nilIfEmpty(in.GlobalName)}
	p := map[string]any{
		"id": in.ID, "application_id": AppID, "type": in.Type, "token": in.Token, "version": 1,
		"channel_id": in.ChannelID, "locale": in.Locale, "app_permissions": "2248473465835073",
		"entitlements": []any{}, "authorizing_integration_owners": map[string]any{"0": GuildID},
	}
	if in.Type != typePing {
		p["data"] = in.Data
	}
	if in.GuildID != "" {
		roles := in.Roles
		if roles == nil {
			roles = []string{}
		}
		p["guild_id"] = in.GuildID
		p["guild_locale"] = "en-US"
		p["context"] = 0
		p["member"] = map[string]any{
			"user": user, "roles": roles, "permissions": strconv.FormatInt(in.Permissions, 10),
			"joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0, "pending": false,
			"nick": nil, "avatar": nil, "premium_since": nil, "communication_disabled_until": nil,
		}
	} else {
		p["user"] = user
		p["context"] = 1
		p["authorizing_integration_owners"] = map[string]any{"1": in.UserID}
	}
	if in.MessageID != "" && in.Type == typeComponent {
		p["message"] = map[string]any{
			"id": in.MessageID, "channel_id": in.ChannelID, "type": 0, "content": "an earlier reply", "flags": in.MessageFlags,
			"author": botUser(), "timestamp": "2024-01-01T00:00:00.000000+00:00", "components": buttonRows(in.MessageButtons),
			"mentions": []any{}, "mention_roles": []any{}, "attachments": []any{}, "embeds": []any{}, "tts": false, "mention_everyone": false,
		}
	}
	return p
}

// buttonRows lays out buttons with these custom ids as Discord reports a
// message's components: action rows of at most five secondary buttons.
func buttonRows(ids []string) []any {
	rows := []any{}
	var cur []any
	for i, id := range ids {
		cur = append(cur, map[string]any{"type": 2, "style": 2, "label": "button " + strconv.Itoa(i+1), "custom_id": id})
		if len(cur) == 5 || i == len(ids)-1 {
			rows = append(rows, map[string]any{"type": 1, "components": cur})
			cur = nil
		}
	}
	return rows
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// JSON is the payload as bytes.
func (in *Interaction) JSON() []byte {
	b, err := json.Marshal(in.Payload())
	if err != nil {
		panic(err)
	}
	return b
}

// Prepare assigns the interaction an id and token the fake knows, as if
// Discord had just created it, and returns them. Interaction calls it; use
// it directly for the HTTP interactions endpoint, then Acknowledge once
// the endpoint has answered, since there the first response is the HTTP
// answer rather than a callback.
func (s *Server) Prepare(in *Interaction) (id, token string) {
	if in.ID == "" {
		in.ID = s.newID()
	}
	if in.Token == "" {
		in.Token = "aW50ZXJhY3Rpb246" + in.ID + ":" + strings.Repeat("x", 40)
	}
	s.mu.Lock()
	s.inter[in.Token] = &interaction{id: in.ID, typ: in.Type}
	s.mu.Unlock()
	return in.ID, in.Token
}

// Acknowledge marks a prepared interaction as answered, so its webhook
// (edits and follow-ups) accepts calls.
func (s *Server) Acknowledge(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in := s.inter[token]; in != nil {
		in.acked = true
	}
}

// Interaction sends in as an INTERACTION_CREATE dispatch and returns its id
// and token.
func (s *Server) Interaction(t testing.TB, in *Interaction) (id, token string) {
	t.Helper()
	id, token = s.Prepare(in)
	s.Dispatch(t, "INTERACTION_CREATE", in.Payload())
	return id, token
}

// Sign sets the X-Signature-Ed25519 and X-Signature-Timestamp headers Discord
// sends to an HTTP interactions endpoint.
func Sign(r *http.Request, key ed25519.PrivateKey, body []byte, ts time.Time) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	sig := ed25519.Sign(key, append([]byte(stamp), body...))
	r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(sig))
	r.Header.Set("X-Signature-Timestamp", stamp)
}

// SignedRequest is a POST of body to url signed with key at ts, as Discord
// sends interactions to an HTTP endpoint. It is a server-side request, for
// calling a handler's ServeHTTP directly; to go through a real client, build
// the request with http.NewRequest and call Sign.
func SignedRequest(url string, body []byte, key ed25519.PrivateKey, ts time.Time) *http.Request {
	r := httptest.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	Sign(r, key, body, ts)
	return r
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
