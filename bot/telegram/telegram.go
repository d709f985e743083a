// Package telegram is the Telegram adapter: it turns Telegram updates into
// bot.Messages, feeds them to a bot.Handler, and turns the bot.Replies into
// Telegram messages. It translates and decides nothing: every answer comes
// from the handler, and who is a moderator is decided by the core from
// Message.User.ID.
//
// Updates arrive by long polling (the default) or through a webhook when
// Config.WebhookURL is set; then the application mounts WebhookHandler on
// its HTTP server at WebhookPath (the path of WebhookURL).
//
// Where Telegram lacks what the core asks for, the adapter translates:
// Reply.Private in a group goes to the asker's private chat (replyPrivately),
// a one-field Reply.Form is asked with ForceReply (ask.go), and the menus
// are derived from the commands' declarations by scope (menu.go).
//
// For the safety of the people who use the bot, nothing here logs a token,
// a message's text or a user or chat id above debug level, and errors
// returned never contain the token.
package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
)

// Platform is the adapter's platform name, in Message.Platform and in
// moderator keys ("telegram:<user id>").
const Platform = "telegram"

// Defaults for the optional Config fields.
const (
	DefaultPageSize    = 6
	DefaultPollTimeout = 25 * time.Second
	DefaultMaxInFlight = 64
	// maxWaiting bounds the updates taken and not yet fully answered,
	// most of them replies waiting for their chat's pace.
	maxWaiting           = 4096
	DefaultShutdownGrace = 10 * time.Second
)

const (
	requestTimeout = 30 * time.Second // one Bot API call other than getUpdates
	maxAttempts    = 5                // tries of one call under flood control
	maxResults     = 20               // inline query results
)

// allowedUpdates are the update types the adapter handles; Telegram sends
// no others.
var allowedUpdates = []string{"message", "callback_query", "inline_query"}

var (
	commandName = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)
	secretChars = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)
)

// Config configures the adapter.
type Config struct {
	// Token is the bot's token from @BotFather. It is never logged.
	Token string
	// Endpoint is the Bot API URL in the SDK's format, with two %s for the
	// token and the method; default "https://api.telegram.org/bot%s/%s".
	Endpoint string
	// Commands are listed in Telegram's command menus (setMyCommands) when
	// Run starts, by scope (see setCommands): private chats, groups, the
	// moderators' chat and the moderators' private chats.
	Commands []bot.Command
	// ModChat is the moderators' chat id; its menu adds the moderators'
	// commands. Empty: none.
	ModChat string
	// Moderators are the moderators' user ids; the menus of their private
	// chats with the bot add the moderators' commands. Only the menus
	// depend on them: who may decide is the core's business.
	Moderators []string
	// InlineCommand is the command that answers inline queries
	// ("@bot Canada" is asked as "/<InlineCommand> Canada"); empty: inline
	// queries get no results. The application names it, so that no
	// command is named in the adapter.
	InlineCommand string
	// PageSize is Message.PageSize, how many results one message shows;
	// 0 means DefaultPageSize, a negative value everything at once.
	PageSize int
	// WebhookURL, when set, makes Run register a webhook (setWebhook with
	// WebhookSecret as secret_token) instead of long polling. Updates then
	// arrive through WebhookHandler, which the application must mount at
	// this URL's path (WebhookPath is the suggested one). Telegram requires
	// https on port 443, 80, 88 or 8443.
	WebhookURL string
	// WebhookSecret is required with WebhookURL: 1-256 characters from
	// A-Z, a-z, 0-9, _ and -. Requests without it are refused.
	WebhookSecret string
	// Client makes the HTTP requests; default HTTPClient(). Leave its
	// Timeout 0 or above PollTimeout: the adapter bounds each call itself,
	// and give its Transport enough idle connections for the replies sent
	// at once (HTTPClient's does).
	Client *http.Client

	// Pacing spaces outgoing messages; the zero value follows Telegram's
	// published limits.
	Pacing Pacing
	// PollTimeout is getUpdates' long-poll timeout; default 25 s.
	PollTimeout time.Duration
	// MaxInFlight bounds the updates the handler answers at once; default
	// 64. Replies waiting for their chat's pace do not count (see Pacing).
	MaxInFlight int
	// ShutdownGrace is how long Run waits for replies in flight once its
	// context ends before cancelling them; default 10 s.
	ShutdownGrace time.Duration
	// Observer, when set, counts skipped updates and dropped replies.
	Observer Observer
}

// Adapter connects one Telegram bot to a bot.Handler. It implements
// bot.Adapter and bot.Editor. Its methods are safe for concurrent use; Run
// may be called once at a time.
type Adapter struct {
	cfg      Config
	log      *slog.Logger
	api      api
	token    string
	username string
	botID    int64 // the bot's own user id; 0 when unknown (tests without a server)
	pageSize int
	prompts  *prompts // ForceReply prompts waiting for their answer
	pace     *pacer
	slots    chan struct{} // workers: held while the handler answers
	waiting  chan struct{} // updates taken and not fully answered
	idle     chan job      // workers waiting for their next update (unbuffered)
	obs      Observer
	results  articleMemo // inline results made from cards (inline.go)

	// sleep waits out flood control and polling back-off; tests replace it.
	sleep func(ctx context.Context, d time.Duration) error
	// onDone, when set, is called after each update has been handled and
	// its replies sent (tests).
	onDone func(updateID int)

	mu      sync.Mutex
	running bool
	h       bot.Handler
	work    context.Context // handling context: outlives Run's by the grace
	wg      sync.WaitGroup  // updates in flight; Add only while running
	seen    map[int]bool    // webhook update ids recently accepted
	seenLog []int
}

// New checks the token with getMe (the SDK calls it at once) and returns
// an adapter. Errors never contain the token.
func New(cfg Config, log *slog.Logger) (*Adapter, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("telegram: the bot token is empty")
	}
	if cfg.Endpoint == "" {
		cfg.Endpoint = tgbotapi.APIEndpoint
	}
	if strings.Count(cfg.Endpoint, "%s") != 2 {
		return nil, errors.New("telegram: the endpoint must hold two %s, for the token and the method")
	}
	if cfg.WebhookURL != "" {
		u, err := url.Parse(cfg.WebhookURL)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return nil, errors.New("telegram: the webhook URL must be an absolute https URL")
		}
		if !secretChars.MatchString(cfg.WebhookSecret) {
			return nil, errors.New("telegram: a webhook needs a secret of 1-256 characters from A-Z, a-z, 0-9, _ and -")
		}
	}
	sdkLog.install(cfg.Token, log)
	var client tgbotapi.HTTPClient = HTTPClient()
	if cfg.Client != nil {
		client = cfg.Client
	}
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	b, err := tgbotapi.NewBotAPIWithClient(cfg.Token, cfg.Endpoint, ctxClient{ctx: ctx, c: client})
	if err != nil {
		return nil, wrapErr("getMe", cfg.Token, err)
	}
	b.Client = client
	b.Debug = false // debug output holds message texts
	if b.Self.UserName == "" {
		log.Warn("telegram: getMe returned no username; commands addressed to the bot will be ignored in groups")
	}
	a := newAdapter(cfg, log, sdkAPI{bot: b, client: client}, b.Self.UserName)
	a.botID = b.Self.ID
	return a, nil
}

// newAdapter builds an adapter over any api, for tests without a server.
func newAdapter(cfg Config, log *slog.Logger, a api, username string) *Adapter {
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = DefaultPollTimeout
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = DefaultMaxInFlight
	}
	if cfg.ShutdownGrace <= 0 {
		cfg.ShutdownGrace = DefaultShutdownGrace
	}
	var obs Observer = nopObserver{}
	if cfg.Observer != nil {
		obs = cfg.Observer
	}
	pageSize := cfg.PageSize
	switch {
	case pageSize == 0:
		pageSize = DefaultPageSize
	case pageSize < 0:
		pageSize = 0
	}
	return &Adapter{
		cfg:      cfg,
		log:      log,
		api:      a,
		token:    cfg.Token,
		username: username,
		pageSize: pageSize,
		pace:     newPacer(cfg.Pacing),
		slots:    make(chan struct{}, cfg.MaxInFlight),
		waiting:  make(chan struct{}, max(maxWaiting, cfg.MaxInFlight)),
		idle:     make(chan job),
		obs:      obs,
		sleep:    sleep,
		seen:     map[int]bool{},
		prompts:  newPrompts(),
	}
}

// Name is the platform name, "telegram".
func (a *Adapter) Name() string { return Platform }

// Username is the bot's username, without "@".
func (a *Adapter) Username() string { return a.username }

// Run sets the command menu, then receives updates (long polling, or the
// webhook) and answers each with h until ctx ends. It then stops receiving,
// waits for the replies in flight (up to ShutdownGrace) and returns nil. It
// returns an error when the webhook cannot be set or Telegram refuses the
// token.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	if h == nil {
		return errors.New("telegram: Run needs a handler")
	}
	work, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return errors.New("telegram: Run is already running")
	}
	a.running, a.h, a.work = true, bot.Errors(a.log)(h), work
	a.mu.Unlock()

	// The menus go out beside the receiving of updates: with many
	// moderators they take a while, and commands typed by hand work
	// without them.
	menus := make(chan struct{})
	go func() {
		defer close(menus)
		defer func() {
			if p := recover(); p != nil {
				a.log.Error("telegram: panic while setting the command menus", "panic", panicText(p), "stack", string(debug.Stack()))
			}
		}()
		a.setCommands(ctx)
	}()
	defer func() { <-menus }()
	var err error
	if a.cfg.WebhookURL != "" {
		if err = a.setWebhook(ctx); err == nil {
			a.log.Info("telegram: receiving updates by webhook", "bot", a.username)
			<-ctx.Done()
		}
	} else {
		a.log.Info("telegram: receiving updates by long polling", "bot", a.username)
		err = a.poll(ctx)
	}
	a.drain(cancelWork)
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		err = nil
	}
	return err
}

// drain stops accepting updates and waits for those in flight, cancelling
// them after the grace period.
func (a *Adapter) drain(cancel context.CancelFunc) {
	a.mu.Lock()
	a.running, a.h = false, nil
	a.mu.Unlock()
	done := make(chan struct{})
	go func() { a.wg.Wait(); close(done) }()
	t := time.NewTimer(a.cfg.ShutdownGrace)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
		a.log.Warn("telegram: replies still in flight after the shutdown grace; cancelling them")
		cancel()
		<-done
	}
}

// setWebhook registers the webhook with its secret. The SDK's
// WebhookConfig has no secret_token, hence the raw request.
func (a *Adapter) setWebhook(ctx context.Context) error {
	p := tgbotapi.Params{"url": a.cfg.WebhookURL, "secret_token": a.cfg.WebhookSecret}
	if err := p.AddInterface("allowed_updates", allowedUpdates); err != nil {
		return err
	}
	return a.call(ctx, "setWebhook", func(ctx context.Context) error {
		_, err := a.api.MakeRequest(ctx, "setWebhook", p)
		return err
	})
}

// poll long-polls getUpdates until ctx ends. The offset moves past an
// update only once it has been handed to a worker, and is confirmed to
// Telegram on the way out, so that a restart neither loses nor repeats
// updates.
func (a *Adapter) poll(ctx context.Context) error {
	// getUpdates is refused while a webhook is set (say, by an earlier
	// deployment in webhook mode).
	if err := a.call(ctx, "deleteWebhook", func(ctx context.Context) error {
		_, err := a.api.Request(ctx, tgbotapi.DeleteWebhookConfig{})
		return err
	}); err != nil && ctx.Err() == nil {
		a.log.Warn("telegram: could not delete the webhook", "err", err)
	}
	offset := 0
	defer func() { a.confirm(ctx, offset) }()
	backoff := time.Second
	timeout := max(int(a.cfg.PollTimeout/time.Second), 1)
	for ctx.Err() == nil {
		pctx, cancel := context.WithTimeout(ctx, a.cfg.PollTimeout+requestTimeout)
		updates, err := a.api.GetUpdates(pctx, tgbotapi.UpdateConfig{
			Offset: offset, Limit: 100, Timeout: timeout, AllowedUpdates: allowedUpdates,
		})
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			wait := backoff
			if secs, ok := retryAfter(err); ok {
				wait = time.Duration(secs) * time.Second
			} else {
				backoff = min(backoff*2, 30*time.Second)
			}
			if code, _ := apiCode(err); code == http.StatusUnauthorized || code == http.StatusNotFound {
				return fmt.Errorf("telegram: the bot token was refused: %w", wrapErr("getUpdates", a.token, err))
			}
			a.log.Warn("telegram: getUpdates failed; retrying", "err", wrapErr("getUpdates", a.token, err), "in", wait)
			if a.sleep(ctx, wait) != nil {
				return nil
			}
			continue
		}
		backoff = time.Second
		for _, raw := range updates {
			u, id, err := decodeUpdate(raw)
			if id < offset {
				// Already handled, or no update_id at all: then there is
				// nothing to move past, and a later update moves the
				// offset beyond it.
				if id == 0 {
					a.skipped("no update_id")
				}
				continue
			}
			if err != nil {
				// Moving past it is the point: Telegram would otherwise
				// send it again, first in every batch, for good.
				a.skipped(errKind(err))
				offset = id + 1
				continue
			}
			if !a.dispatch(ctx, u) {
				return nil
			}
			offset = id + 1
		}
	}
	return nil
}

// skipped logs and counts an update that could not be decoded. Only the
// kind of error is logged: the update may hold anything.
func (a *Adapter) skipped(why string) {
	a.log.Warn("telegram: skipped an update that could not be decoded", "reason", why)
	a.obs.UpdateSkipped()
}

// errKind names a decoding error without quoting the input.
func errKind(err error) string {
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		kind, _, _ := strings.Cut(te.Value, " ") // "number", not the number
		return "field " + te.Field + " cannot hold a " + kind
	case errors.As(err, &se):
		return "malformed JSON"
	case errors.Is(err, errNoUpdateID):
		return "no update_id"
	}
	return "undecodable"
}

// confirm tells Telegram the updates before offset were received (an
// update counts as confirmed only when getUpdates is next called with a
// higher offset).
func (a *Adapter) confirm(ctx context.Context, offset int) {
	if offset == 0 {
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, err := a.api.GetUpdates(cctx, tgbotapi.UpdateConfig{Offset: offset, Limit: 1, Timeout: 0}); err != nil {
		a.log.Warn("telegram: could not confirm the last updates; they may be answered again after a restart", "err", wrapErr("getUpdates", a.token, err))
	}
}

// dispatch hands u to a worker. It waits for a free one until wait ends,
// and reports false when the update was not taken (not running, or wait
// ended).
//
// A worker is held only while the handler answers; the reply then waits
// for its chat's pace without it (see Pacing), so one slow chat never
// stops the others, nor the fetching of updates. What does bound the
// replies waiting overall is a second, larger pool (maxWaiting): only
// when that is full, across many chats, does fetching wait.
func (a *Adapter) dispatch(wait context.Context, u update) bool {
	a.mu.Lock()
	if !a.running {
		a.mu.Unlock()
		return false
	}
	a.wg.Add(1)
	h, work := a.h, a.work
	a.mu.Unlock()
	take := func(pool chan struct{}) bool {
		select {
		case pool <- struct{}{}: // taken even if wait has ended
			return true
		default:
		}
		select {
		case pool <- struct{}{}:
			return true
		case <-wait.Done():
			return false
		}
	}
	if !take(a.waiting) {
		a.wg.Done()
		return false
	}
	if !take(a.slots) {
		<-a.waiting
		a.wg.Done()
		return false
	}
	j := job{ctx: work, h: h, u: u}
	select {
	case a.idle <- j: // a worker waiting for its next update
	default:
		go a.worker(j)
	}
	return true
}

// job is one update for a worker, with the handler and context it is
// answered with.
type job struct {
	ctx context.Context
	h   bot.Handler
	u   update
}

// workerIdle is how long a worker waits for another update before it
// ends.
const workerIdle = 2 * time.Second

// worker answers j, then, for as long as updates keep coming, the next
// ones dispatch hands it. The slots and the waiting pool still bound what
// is answered at once (a worker holds neither while idle); reusing
// goroutines only spares each update a new goroutine whose stack grows,
// copied several times, to the core's depth (runtime.morestack was a
// twentieth of the CPU under load). Idle workers end after workerIdle, or
// when Run's handling context does.
func (a *Adapter) worker(j job) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		a.work1(j.ctx, j.h, j.u)
		idle.Reset(workerIdle)
		select {
		case j = <-a.idle:
		case <-idle.C:
			return
		case <-j.ctx.Done():
			return
		}
	}
}

// work1 answers one update: the handler in a worker slot, then the
// sending, paced, without it. This is the goroutine's only recover: a
// panic is logged, without the message's text, and goes no further.
func (a *Adapter) work1(ctx context.Context, h bot.Handler, u update) {
	slot := true
	defer func() {
		if p := recover(); p != nil {
			a.log.Error("telegram: panic while handling an update", "update_id", u.UpdateID, "kind", kind(u.Update),
				"panic", panicText(p), "stack", string(debug.Stack()))
		}
		if slot {
			<-a.slots
		}
		<-a.waiting
		if a.onDone != nil {
			a.onDone(u.UpdateID)
		}
		a.wg.Done()
	}()
	send := a.handleUpdate(ctx, h, u)
	slot = false
	<-a.slots
	if send != nil {
		send()
	}
}

// handleUpdate asks the handler about one update and returns what remains
// to be sent (nil for nothing). Calls that are not paced (answering a
// button press or an inline query) are made here.
func (a *Adapter) handleUpdate(ctx context.Context, h bot.Handler, u update) (send func()) {
	switch {
	case u.Message != nil:
		return a.onMessage(ctx, h, u.Message, u.thread)
	case u.CallbackQuery != nil:
		return a.onCallback(ctx, h, u.CallbackQuery, u.thread)
	case u.InlineQuery != nil:
		a.onInline(ctx, h, u.InlineQuery)
	default:
		a.log.Debug("telegram: update ignored", "update_id", u.UpdateID, "kind", kind(u.Update))
	}
	return nil
}

func kind(u tgbotapi.Update) string {
	switch {
	case u.Message != nil:
		return "message"
	case u.CallbackQuery != nil:
		return "callback_query"
	case u.InlineQuery != nil:
		return "inline_query"
	case u.EditedMessage != nil:
		return "edited_message"
	}
	return "other"
}

// panicText describes a panic without echoing data: runtime errors (index
// out of range…) are safe to show; other values only by type.
func panicText(p any) string {
	if re, ok := p.(runtime.Error); ok {
		return re.Error()
	}
	return fmt.Sprintf("%T", p)
}

// message turns a Telegram message into a bot.Message; nil when there is
// nothing to answer (a sticker, a photo, a service message). The text is
// passed through untouched: the core parses commands, so the SDK's
// Command(), which panics on a malformed entity, is never called.
func (a *Adapter) message(msg *tgbotapi.Message) *bot.Message {
	if msg.Chat == nil {
		return nil
	}
	m := &bot.Message{
		Platform: Platform,
		Text:     msg.Text,
		BotName:  a.username,
		Chat:     bot.Chat{ID: strconv.FormatInt(msg.Chat.ID, 10), Private: msg.Chat.Type == "private"},
		PageSize: a.pageSize,
	}
	if msg.From != nil {
		m.User = user(msg.From)
		m.Lang = msg.From.LanguageCode
	}
	if l := msg.Location; l != nil {
		p := directory.Point{Lat: l.Latitude, Lon: l.Longitude}
		if p.Valid() {
			m.Location = &p
		}
	}
	if strings.TrimSpace(m.Text) == "" && m.Location == nil {
		return nil
	}
	return m
}

func user(u *tgbotapi.User) bot.User {
	name := u.FirstName
	if name == "" {
		name = u.UserName
	}
	return bot.User{ID: strconv.FormatInt(u.ID, 10), Name: name}
}

// handle asks h. Errors and panics are the core's to turn into replies
// in the person's language: Run wraps the handler in bot.Errors, so that
// a handler that does return an error (a bare Router) is answered the
// same way; the adapter has no error messages of its own.
func (a *Adapter) handle(ctx context.Context, h bot.Handler, m *bot.Message) *bot.Reply {
	rep, err := h.Handle(ctx, m)
	if err != nil { // bot.Errors returns none; say nothing rather than guess
		a.log.Debug("telegram: handler returned an error", "code", bot.ErrorCode(err))
		return nil
	}
	return rep
}

func (a *Adapter) onMessage(ctx context.Context, h bot.Handler, msg *tgbotapi.Message, thread int) (send func()) {
	m := a.message(msg)
	if m == nil {
		a.log.Debug("telegram: message without text or location ignored")
		return nil
	}
	a.answerTo(msg, m)
	rep := a.handle(ctx, h, m)
	if rep == nil {
		return nil
	}
	d := dest{chat: msg.Chat.ID, private: msg.Chat.Type == "private", thread: thread}
	if !d.private {
		d.replyTo = msg.MessageID
	}
	if f, ok := askable(rep); ok {
		return func() { a.ask(ctx, m, d, rep, f) }
	}
	if !d.private && rep.Private && !a.answersInGroups(m) {
		return func() { a.replyPrivately(ctx, m, d, noticeAsText(rep)) }
	}
	return func() { a.reply(ctx, d, noticeAsText(rep), 0) }
}

// answersInGroups reports whether m's command is declared as one whose
// answers belong in group chats (Command.Groups), or is a moderators'
// command (the core says where those may answer). Telegram has no
// messages shown to one member of a group, so a Reply.Private to any
// other message asked in a group goes to the asker's private chat.
func (a *Adapter) answersInGroups(m *bot.Message) bool {
	name, _, ok := m.Command()
	if !ok {
		return false
	}
	for _, c := range a.cfg.Commands {
		if strings.EqualFold(strings.TrimPrefix(c.Name, "/"), name) {
			return c.Groups || c.Moderator
		}
	}
	return false
}

// replyPrivately sends r, meant for the asker alone, to their private
// chat with the bot. When Telegram refuses (the person never opened one:
// a bot cannot start a conversation), the group is told only that the
// answer needs a private chat, with a button that opens one; the answer
// itself is never posted there.
func (a *Adapter) replyPrivately(ctx context.Context, m *bot.Message, group dest, r *bot.Reply) {
	uid, err := strconv.ParseInt(m.User.ID, 10, 64)
	if err == nil && uid > 0 {
		_, err = a.deliver(ctx, dest{chat: uid, private: true}, r, 0)
		if err == nil {
			return
		}
	}
	code, _ := apiCode(err)
	if err != nil && code != http.StatusForbidden && code != http.StatusBadRequest {
		a.logSendError("private reply", err)
		return
	}
	pointer := bot.Text(i18n.Tr(r.Lang, "telegram.private_only"))
	pointer.Lang = r.Lang
	if a.username != "" {
		pointer.Buttons = [][]bot.Button{{{Label: i18n.Tr(r.Lang, "telegram.open_private"), URL: "https://t.me/" + a.username}}}
	}
	a.reply(ctx, group, pointer, 0)
}

// onCallback answers a button press. answerCallbackQuery is always called,
// even when the handler says nothing or panics, or the button's spinner
// would turn for a while; it shows Reply.Notice.
func (a *Adapter) onCallback(ctx context.Context, h bot.Handler, cq *tgbotapi.CallbackQuery, thread int) (send func()) {
	answered := false
	answer := func(text string) {
		answered = true
		cfg := tgbotapi.NewCallback(cq.ID, truncate(text, 200))
		if err := a.call(ctx, "answerCallbackQuery", func(ctx context.Context) error {
			_, err := a.api.Request(ctx, cfg)
			return err
		}); err != nil {
			a.logSendError("answerCallbackQuery", err)
		}
	}
	defer func() {
		if !answered {
			answer("")
		}
	}()
	if cq.Data == "" || cq.From == nil {
		return nil
	}
	var chatID int64
	private := false
	switch {
	case cq.Message != nil && cq.Message.Chat != nil:
		chatID, private = cq.Message.Chat.ID, cq.Message.Chat.Type == "private"
	default: // a button on a message sent through inline mode
		chatID, private = cq.From.ID, true
	}
	m := &bot.Message{
		Platform: Platform,
		Text:     cq.Data,
		BotName:  a.username,
		User:     user(cq.From),
		Chat:     bot.Chat{ID: strconv.FormatInt(chatID, 10), Private: private},
		Lang:     cq.From.LanguageCode,
		Pressed:  true,
		Offered:  offered(cq.Message),
		PageSize: a.pageSize,
	}
	rep := a.handle(ctx, h, m)
	if rep == nil {
		return nil
	}
	answer(rep.Notice)
	d := dest{chat: chatID, private: private, thread: thread}
	if f, ok := askable(rep); ok && cq.Message != nil {
		return func() { a.ask(ctx, m, d, rep, f) }
	}
	if rep.Private && !private && !rep.Edit {
		if rep.Notice != "" {
			// A private answer to a press in a group (a refusal, say)
			// is shown to the presser alone, in the pop-up.
			return nil
		}
		if !a.answersInGroups(m) {
			return func() { a.replyPrivately(ctx, m, d, rep) }
		}
	}
	editID := 0
	if rep.Edit && cq.Message != nil {
		editID = cq.Message.MessageID
	}
	return func() { a.reply(ctx, d, rep, editID) }
}

// noticeAsText shows a lone Notice as a message, outside button presses.
func noticeAsText(r *bot.Reply) *bot.Reply {
	if len(r.Blocks) > 0 || r.Notice == "" {
		return r
	}
	out := *r
	out.Blocks = []bot.Block{{Spans: []bot.Span{bot.T(r.Notice)}}}
	return &out
}
