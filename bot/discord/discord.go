// Package discord is the Discord adapter: it registers unionbot's commands
// as slash commands and translates interactions (slash commands,
// autocomplete, button presses, modal submissions) into bot.Message and the
// core's bot.Reply back into Discord messages, modals and autocomplete
// choices. It decides nothing: every answer comes from the bot.Handler, and
// who is a moderator is decided by the core from Message.User.Roles,
// User.Admin and Chat.Space.
//
// Interactions arrive over the gateway (Run) or, optionally, over HTTP
// (InteractionsHandler). Either way the adapter must answer within
// Discord's 3-second deadline, so it runs the handler with a timer: a quick
// answer is sent as the interaction's response (a modal, if the reply asks
// for a form), a slow one is deferred first and edited in afterwards.
//
// Safety: nothing a person typed is logged, nor their id, nor any token;
// user text is escaped so it cannot format, link or mention; and every
// message, edit, follow-up and interaction response carries
// allowed_mentions with an explicitly empty parse list, so even text that
// escaping missed cannot ping @everyone, a role or a user.
package discord

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/unionbot/unionbot/bot"
)

// Platform is the adapter's platform name.
const Platform = "discord"

// DefaultAPIBase is where Discord's REST API lives.
const DefaultAPIBase = "https://discord.com"

// DefaultPageSize is how many results a reply shows at once when
// Config.PageSize is 0.
const DefaultPageSize = 5

// Config configures the adapter.
type Config struct {
	// Token is the bot token, with or without the "Bot " prefix. Required.
	Token string
	// AppID is the application id; empty takes it from the gateway's READY.
	AppID string
	// Guild registers the commands in this server only (they update at
	// once); empty registers them globally.
	Guild string
	// APIBase replaces https://discord.com for every REST call (and
	// discordapp.com and the CDN), for tests and proxies. It must be https
	// unless it is a loopback address, since the token travels with every
	// call.
	APIBase string
	// Commands are the core's declarations (Router.Commands): each is
	// registered as a slash command with its options, unless hidden, and
	// its Public flag decides whether its answers in a server are shown to
	// the channel or to the asker alone (ephemeral).
	Commands []bot.Command
	// PageSize is Message.PageSize; 0 means DefaultPageSize.
	PageSize int
	// Client makes the REST calls; nil uses HTTPClient(). Its Transport is
	// wrapped, not changed.
	Client *http.Client
	// PublicKey is the application's public key (hex), needed only by
	// InteractionsHandler.
	PublicKey string
	// ModChannel is the moderators' channel; when set, Run checks at start
	// that the bot may post cards there (see Problems).
	ModChannel string
}

// Adapter connects a Discord application to the core.
type Adapter struct {
	s        *discordgo.Session
	log      *slog.Logger
	appID    string
	guild    string
	commands []bot.Command
	pageSize int
	public   map[string]bool
	key      ed25519.PublicKey
	token    string // "Bot …", for redaction only

	// deferAfter is how long a handler may take before the interaction is
	// deferred; Discord allows 3 seconds for the first response.
	deferAfter time.Duration
	// timeout bounds one interaction's handling: interaction tokens are
	// valid for 15 minutes, and a handler should not need more than this.
	timeout time.Duration
	now     func() time.Time

	running atomic.Bool

	modChannel string
	problem    atomic.Pointer[string] // what checkModChannel found

	mu       sync.Mutex
	closed   bool
	inflight sync.WaitGroup

	seenMu    sync.Mutex
	seen      map[string]time.Time // HTTP interactions already handled, against replays
	seenOrder []string             // the same ids, oldest first

	idle chan func() // runners waiting for work (spawn); unbuffered

	memo renderMemo // pages of the answers the core shares (memo.go)
}

// New checks cfg and prepares a session; nothing is sent until Run, Send or
// Edit. log may be nil.
func New(cfg Config, log *slog.Logger) (*Adapter, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	tok := strings.TrimSpace(cfg.Token)
	if tok == "" {
		return nil, errors.New("discord: a bot token is required")
	}
	if !strings.HasPrefix(tok, "Bot ") {
		tok = "Bot " + tok
	}
	base := cfg.APIBase
	if base == "" {
		base = DefaultAPIBase
	}
	u, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("discord: API base %q is not an http(s) URL", base)
	}
	if u.Scheme == "http" && !loopback(u.Hostname()) {
		return nil, fmt.Errorf("discord: API base %q must use https: the bot token is sent with every call", base)
	}
	var key ed25519.PublicKey
	if cfg.PublicKey != "" {
		b, err := hex.DecodeString(strings.TrimSpace(cfg.PublicKey))
		if err != nil || len(b) != ed25519.PublicKeySize {
			return nil, errors.New("discord: the public key must be 64 hex digits")
		}
		key = b
	}

	s, err := discordgo.New(tok)
	if err != nil {
		return nil, fmt.Errorf("discord: %w", err)
	}
	// Debug and LogDebug print the Authorization header and payloads: keep
	// them off. discordgo's own messages go through a redacting logger.
	s.Debug = false
	s.LogLevel = discordgo.LogWarning
	installLogger(log, tok)
	s.ShouldReconnectOnError = true
	s.ShouldRetryOnRateLimit = true
	s.StateEnabled = false // interactions carry all we need
	// Every handler Run adds returns at once (the interaction's is handed
	// to a runner, spawn): run them on discordgo's reading goroutine
	// instead of a new goroutine per event and handler.
	s.SyncEvents = true
	s.Identify.Intents = discordgo.IntentsNone
	s.Dialer = &websocket.Dialer{Proxy: http.ProxyFromEnvironment, HandshakeTimeout: 20 * time.Second}

	client := cfg.Client
	if client == nil {
		client = HTTPClient()
	}
	c := *client // wrap, never change, the caller's client
	if u.String() != DefaultAPIBase {
		next := c.Transport
		if next == nil {
			next = http.DefaultTransport
		}
		c.Transport = &rewrite{base: u, next: next}
	}
	s.Client = &c

	size := cfg.PageSize
	if size == 0 {
		size = DefaultPageSize
	}
	public := map[string]bool{}
	for _, c := range cfg.Commands {
		if c.Public {
			public[strings.ToLower(c.Name)] = true
		}
	}
	return &Adapter{
		s:          s,
		log:        log,
		appID:      cfg.AppID,
		guild:      cfg.Guild,
		commands:   append([]bot.Command(nil), cfg.Commands...),
		pageSize:   size,
		public:     public,
		key:        key,
		token:      tok,
		deferAfter: 2 * time.Second,
		timeout:    time.Minute,
		now:        time.Now,
		seen:       map[string]time.Time{},
		modChannel: cfg.ModChannel,
		idle:       make(chan func()),
	}, nil
}

// runnerIdle is how long a runner waits for more work before it ends.
const runnerIdle = 2 * time.Second

// spawn runs fn on a goroutine of its own: a runner waiting for work if
// there is one, else a new one. A goroutine made for each interaction, and
// another for its handler, grew its stack to the core's depth, copying it
// several times, every time (runtime.morestack was a twentieth of a
// burst's CPU); a runner keeps its stack for the next. fn must recover its
// own panics, as every function given to spawn does.
func (a *Adapter) spawn(fn func()) {
	select {
	case a.idle <- fn:
	default:
		go runner(a.idle, fn)
	}
}

// runner runs fn, then what spawn hands it on idle while work keeps coming,
// and ends after runnerIdle without any. It holds nothing else (not the
// adapter), so that what an idle runner keeps alive is its stack alone.
func runner(idle chan func(), fn func()) {
	wait := time.NewTimer(runnerIdle)
	defer wait.Stop()
	for {
		fn()
		fn = nil // an idle runner keeps nothing of the interaction it served alive
		wait.Reset(runnerIdle)
		select {
		case fn = <-idle:
		case <-wait.C:
			return
		}
	}
}

// maxIdleConns is how many connections to one host HTTPClient opens and
// keeps idle: as many as the interactions of a burst answered at once,
// within reason.
const maxIdleConns = 64

// HTTPClient is the client the adapter uses unless Config.Client is set: a
// 20-second timeout, and a transport that opens at most maxIdleConns
// connections to a host and keeps them idle, instead of
// http.DefaultTransport's two idle and no limit, so that the answers to a
// burst of interactions reuse connections instead of each opening (and,
// over HTTP/1.1 through a proxy, TLS-handshaking) its own: a burst of 500
// spent a tenth of the bot's CPU dialling. Beyond that many calls at once
// over HTTP/1.1 a call waits for a connection to come free (HTTP/2, which
// Discord speaks, carries many calls on each).
func HTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = maxIdleConns
	tr.MaxConnsPerHost = maxIdleConns
	// A country's /find answer is some 4.5 KB with its headers: with the
	// default 4 KB buffer it went out in two writes, and so two system
	// calls on each side.
	tr.WriteBufferSize = 16 << 10
	return &http.Client{Timeout: 20 * time.Second, Transport: tr}
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Name is the platform name.
func (a *Adapter) Name() string { return Platform }

// Run connects to the gateway, registers the commands and answers
// interactions with h until ctx ends; then it disconnects and waits for the
// answers in flight. It returns an error only when it cannot start for a
// reason retrying will not fix (a rejected token, a bad application id or
// guild); a gateway that cannot be reached is retried until ctx ends, and
// once connected, reconnecting and resuming is discordgo's.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	if !a.running.CompareAndSwap(false, true) {
		return errors.New("discord: Run is already running")
	}
	// Run may be called again once it has returned (a replica that lost
	// the gateway lease connects again when it wins it back).
	defer a.running.Store(false)
	a.mu.Lock()
	a.closed = false
	a.mu.Unlock()
	base := context.WithoutCancel(ctx) // answers in flight finish after ctx ends
	var stopping atomic.Bool
	removers := []func(){
		a.s.AddHandler(func(_ *discordgo.Session, ev *discordgo.InteractionCreate) {
			// discordgo runs handlers in goroutines of their own, without
			// recover; gatewayInteraction recovers (exchange.serve). It
			// runs on a runner (spawn), whose stack has grown already.
			if ev != nil {
				a.spawn(func() { a.gatewayInteraction(base, h, ev.Interaction) })
			}
		}),
		a.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Ready) { a.log.Info("discord: gateway ready") }),
		a.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Resumed) { a.log.Info("discord: gateway session resumed") }),
		a.s.AddHandler(func(_ *discordgo.Session, _ *discordgo.Disconnect) {
			if !stopping.Load() {
				a.log.Warn("discord: gateway disconnected; reconnecting")
			}
		}),
		a.s.AddHandler(func(_ *discordgo.Session, rl *discordgo.RateLimit) {
			if rl != nil && rl.TooManyRequests != nil {
				a.log.Warn("discord: rate limited; retrying", "after", rl.RetryAfter)
			}
		}),
	}
	defer func() {
		for _, r := range removers {
			r()
		}
	}()

	opened, err := a.open(ctx)
	if err != nil || !opened {
		a.stop() // ctx ended before the gateway answered
		return err
	}
	// Before the commands, so that once they are registered the problems
	// are known.
	a.checkModChannel(ctx)
	if err := a.register(ctx); err != nil {
		stopping.Store(true)
		a.shutdown()
		if ctx.Err() != nil {
			return nil // stopped while registering
		}
		return err
	}
	<-ctx.Done()
	stopping.Store(true)
	a.shutdown()
	return nil
}

// open connects to the gateway, retrying with backoff until ctx ends unless
// Discord refuses the bot outright. opened is false when ctx ended first.
func (a *Adapter) open(ctx context.Context) (opened bool, err error) {
	wait := time.Second
	for {
		done := make(chan error, 1)
		go func() { done <- a.s.Open() }()
		var err error
		select {
		case err = <-done:
		case <-ctx.Done():
			// Open cannot be interrupted; close the session if it succeeds.
			go func() {
				if <-done == nil {
					a.s.Close()
				}
			}()
			return false, nil
		}
		if err == nil {
			a.log.Info("discord: connected to the gateway")
			return true, nil
		}
		if fatal(err) {
			return false, fmt.Errorf("discord: connecting to the gateway: %s", redact(err.Error(), a.token))
		}
		a.log.Warn("discord: cannot reach the gateway; retrying", "in", wait, "err", redact(err.Error(), a.token))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return false, nil
		}
		wait = min(wait*2, time.Minute)
	}
}

// fatal reports whether a gateway error will not go away by retrying.
func fatal(err error) bool {
	var rest *discordgo.RESTError
	if errors.As(err, &rest) && rest.Response != nil {
		c := rest.Response.StatusCode
		return c == http.StatusUnauthorized || c == http.StatusForbidden
	}
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		switch ce.Code {
		case 4004, 4010, 4011, 4012, 4013, 4014: // authentication, sharding, intents
			return true
		}
	}
	return false
}

// shutdown disconnects and waits for the answers in flight.
func (a *Adapter) shutdown() {
	if err := a.s.Close(); err != nil {
		a.log.Debug("discord: closing the gateway", "err", redact(err.Error(), a.token))
	}
	a.stop()
}

// stop refuses new interactions and waits for those in flight.
func (a *Adapter) stop() {
	a.mu.Lock()
	a.closed = true
	a.mu.Unlock()
	a.inflight.Wait()
}

// begin counts an interaction in flight; it is false once Run has finished.
func (a *Adapter) begin() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return false
	}
	a.inflight.Add(1)
	return true
}

func (a *Adapter) end() { a.inflight.Done() }

// applicationID is Config.AppID, or the id READY gave.
func (a *Adapter) applicationID() string {
	if a.appID != "" {
		return a.appID
	}
	st := a.s.State
	if st == nil {
		return ""
	}
	st.RLock()
	defer st.RUnlock()
	if st.Application != nil && st.Application.ID != "" {
		return st.Application.ID
	}
	if st.User != nil {
		return st.User.ID
	}
	return ""
}

// register replaces the application's commands with Config.Commands.
func (a *Adapter) register(ctx context.Context) error {
	if len(a.commands) == 0 {
		a.log.Warn("discord: no commands configured; keeping the registered ones")
		return nil
	}
	app := a.applicationID()
	if app == "" {
		return errors.New("discord: no application id: set it in the configuration")
	}
	cmds := applicationCommands(a.commands, a.log)
	_, err := a.s.ApplicationCommandBulkOverwrite(app, a.guild, cmds, discordgo.WithContext(ctx))
	if err != nil {
		return fmt.Errorf("discord: registering commands: %s", redact(err.Error(), a.token))
	}
	scope := "global"
	if a.guild != "" {
		scope = "guild"
	}
	a.log.Info("discord: commands registered", "count", len(cmds), "scope", scope)
	return nil
}

// Send sends r to a channel, or to a user's direct messages when
// to.ChatID is empty, and returns the id of the message that carries the
// buttons (the last, when the reply needs several messages). Forms cannot
// be sent outside an interaction, so a Form is shown as its text.
func (a *Adapter) Send(ctx context.Context, to bot.Address, r *bot.Reply) (string, error) {
	ch, err := a.channel(ctx, to)
	if err != nil {
		return "", err
	}
	out := render(r)
	if out.empty() {
		return "", errors.New("discord: nothing to send")
	}
	var id string
	for n, pg := range out.pages {
		m := &discordgo.MessageSend{Content: pg.content, Embeds: pg.embeds, AllowedMentions: noMentions()}
		if n == len(out.pages)-1 {
			m.Components = out.buttons
		}
		msg, err := a.s.ChannelMessageSendComplex(ch, m, discordgo.WithContext(ctx))
		if err != nil {
			return id, a.restErr("sending a message", err)
		}
		if msg != nil {
			id = msg.ID
		}
	}
	return id, nil
}

// Edit replaces a message sent earlier with r; buttons r has not are
// removed. Text beyond one message is sent as new messages after it.
func (a *Adapter) Edit(ctx context.Context, to bot.Address, id string, r *bot.Reply) error {
	ch, err := a.channel(ctx, to)
	if err != nil {
		return err
	}
	out := render(r)
	if out.empty() {
		return errors.New("discord: nothing to show")
	}
	pages := out.pages
	first := pages[0].content
	embeds := nonNil(pages[0].embeds)       // an empty list removes old embeds; null would not
	comps := []discordgo.MessageComponent{} // nor old buttons
	if len(pages) <= 1 && len(out.buttons) > 0 {
		comps = out.buttons
	}
	e := &discordgo.MessageEdit{ID: id, Channel: ch, Content: &first, Embeds: &embeds, Components: &comps, AllowedMentions: noMentions()}
	if _, err := a.s.ChannelMessageEditComplex(e, discordgo.WithContext(ctx)); err != nil {
		return a.restErr("editing a message", err)
	}
	for n := 1; n < len(pages); n++ {
		m := &discordgo.MessageSend{Content: pages[n].content, Embeds: pages[n].embeds, AllowedMentions: noMentions()}
		if n == len(pages)-1 {
			m.Components = out.buttons
		}
		if _, err := a.s.ChannelMessageSendComplex(ch, m, discordgo.WithContext(ctx)); err != nil {
			return a.restErr("sending a message", err)
		}
	}
	return nil
}

// channel is to's channel id, opening the user's DM channel when needed.
func (a *Adapter) channel(ctx context.Context, to bot.Address) (string, error) {
	if to.ChatID != "" {
		return to.ChatID, nil
	}
	if to.UserID == "" {
		return "", errors.New("discord: an address needs a chat or a user")
	}
	ch, err := a.s.UserChannelCreate(to.UserID, discordgo.WithContext(ctx))
	if err != nil {
		return "", a.restErr("opening a direct message", err)
	}
	return ch.ID, nil
}

// restErr is a REST failure safe to log and return: no token, no URL.
func (a *Adapter) restErr(what string, err error) error {
	return fmt.Errorf("discord: %s: %s", what, redact(err.Error(), a.token))
}

// rewrite sends requests for Discord's hosts to another base URL.
type rewrite struct {
	base *url.URL
	next http.RoundTripper
}

func (t *rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	switch strings.ToLower(r.URL.Hostname()) {
	case "discord.com", "discordapp.com", "cdn.discordapp.com", "media.discordapp.net":
	default:
		return t.next.RoundTrip(r)
	}
	// A shallow copy with its own URL: nothing else is changed, so the
	// header need not be copied (Clone copied it for every call).
	r2 := new(http.Request)
	*r2 = *r
	u := *r.URL
	u.Scheme = t.base.Scheme
	u.Host = t.base.Host
	u.Path = strings.TrimRight(t.base.Path, "/") + r.URL.Path
	if r.URL.RawPath != "" {
		u.RawPath = strings.TrimRight(t.base.Path, "/") + r.URL.RawPath
	}
	r2.URL = &u
	r2.Host = ""
	return t.next.RoundTrip(r2)
}
