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
	"strings"
	"sync"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// api is the part of the SDK the adapter uses. Every call takes a context:
// the SDK's own methods take none, so sdkAPI attaches it to the HTTP
// request (see sdkAPI.with).
type api interface {
	// Request calls a method that answers with true or an object the
	// adapter does not read (answerCallbackQuery, setMyCommands,
	// answerInlineQuery, editMessageText, deleteWebhook).
	Request(ctx context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error)
	// GetUpdates long-polls for updates and returns each one undecoded:
	// the SDK's own GetUpdates decodes the batch as a whole, so one update
	// it cannot decode (an entity offset beyond int64) fails them all, the
	// offset never moves, and every later update is lost. The adapter
	// decodes each one on its own (see decodeUpdate).
	GetUpdates(ctx context.Context, c tgbotapi.UpdateConfig) ([]json.RawMessage, error)
	// MakeRequest calls a method by name, for parameters the SDK's configs
	// lack (setWebhook's secret_token, sendMessage's message_thread_id,
	// scoped setMyCommands), and for raw answers (getUpdates).
	MakeRequest(ctx context.Context, method string, p tgbotapi.Params) (*tgbotapi.APIResponse, error)
}

// sdkAPI is api over a real *tgbotapi.BotAPI.
type sdkAPI struct {
	bot    *tgbotapi.BotAPI
	client tgbotapi.HTTPClient
}

// with returns a shallow copy of the bot whose HTTP requests carry ctx, so
// that a cancelled context ends a long poll or a send at once. BotAPI holds
// no lock, and its shutdown channel is used only by GetUpdatesChan, which
// the adapter does not use, so a copy per call is safe.
func (s sdkAPI) with(ctx context.Context) *tgbotapi.BotAPI {
	b := *s.bot
	b.Client = ctxClient{ctx: ctx, c: s.client}
	return &b
}

func (s sdkAPI) Request(ctx context.Context, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	return s.with(ctx).Request(c)
}

func (s sdkAPI) GetUpdates(ctx context.Context, c tgbotapi.UpdateConfig) ([]json.RawMessage, error) {
	p := tgbotapi.Params{}
	p.AddNonZero("offset", c.Offset)
	p.AddNonZero("limit", c.Limit)
	p.AddNonZero("timeout", c.Timeout)
	if err := p.AddInterface("allowed_updates", c.AllowedUpdates); err != nil {
		return nil, err
	}
	resp, err := s.with(ctx).MakeRequest("getUpdates", p)
	if err != nil {
		return nil, err
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(resp.Result, &raws); err != nil {
		return nil, fmt.Errorf("getUpdates answered with something other than a list: %w", err)
	}
	return raws, nil
}

func (s sdkAPI) MakeRequest(ctx context.Context, method string, p tgbotapi.Params) (*tgbotapi.APIResponse, error) {
	return s.with(ctx).MakeRequest(method, p)
}

// HTTPClient is the client the adapter uses unless Config.Client is set:
// http.DefaultTransport keeps only two idle connections per host, so
// with replies going out in parallel most requests would open (and, to
// api.telegram.org, TLS-handshake) a connection of their own. This one
// keeps as many as there are workers.
func HTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = DefaultMaxInFlight
	return &http.Client{Transport: tr}
}

// ctxClient attaches a context to every request the SDK makes.
type ctxClient struct {
	ctx context.Context
	c   tgbotapi.HTTPClient
}

func (c ctxClient) Do(req *http.Request) (*http.Response, error) {
	return c.c.Do(req.WithContext(c.ctx))
}

// tokenPattern matches bot tokens ("123456:AA…", also after "bot" in API
// URLs, and with the colon URL-encoded) so they can be cut from anything
// logged or returned, whichever token it is.
var tokenPattern = regexp.MustCompile(`(?i)bot\d+(?::|%3A)[A-Za-z0-9_-]+|\d{3,}(?::|%3A)[A-Za-z0-9_-]{20,}`)

// redact removes token, and anything shaped like a bot token, from s.
func redact(s, token string) string {
	if token != "" {
		s = strings.ReplaceAll(s, token, "<token>")
		s = strings.ReplaceAll(s, url.PathEscape(token), "<token>")
	}
	return tokenPattern.ReplaceAllString(s, "bot<token>")
}

// Error is what the adapter's methods return when a Bot API call fails. Its
// message never contains the token: network errors from the SDK name the
// request URL, which does, so the URL is dropped and the rest redacted.
type Error struct {
	Method string // the Bot API method, such as "sendMessage"
	// Code is Telegram's error_code (400, 403, 429…), 0 for network errors.
	Code int
	// RetryAfter is parameters.retry_after, in seconds, on a 429.
	RetryAfter int
	msg        string
	cause      error // without the URL; context errors stay reachable
}

func (e *Error) Error() string { return "telegram " + e.Method + ": " + e.msg }

// Unwrap gives the cause: context.Canceled or DeadlineExceeded, a net
// error, or the SDK's *tgbotapi.Error.
func (e *Error) Unwrap() error { return e.cause }

// wrapErr turns an SDK error into an *Error with no token in it.
func wrapErr(method, token string, err error) error {
	if err == nil {
		return nil
	}
	var already *Error
	if errors.As(err, &already) {
		return err
	}
	e := &Error{Method: method, cause: err}
	var te *tgbotapi.Error
	var ue *url.Error
	switch {
	case errors.As(err, &te):
		e.Code, e.RetryAfter = te.Code, te.RetryAfter
	case errors.As(err, &ue):
		e.cause = ue.Err
	}
	e.msg = redact(e.cause.Error(), token)
	return e
}

// retryAfter reports whether err is Telegram's flood control, and how many
// seconds it asks to wait.
func retryAfter(err error) (int, bool) {
	var te *tgbotapi.Error
	if errors.As(err, &te) && te.Code == http.StatusTooManyRequests {
		return max(te.RetryAfter, 1), true
	}
	var e *Error
	if errors.As(err, &e) && e.Code == http.StatusTooManyRequests {
		return max(e.RetryAfter, 1), true
	}
	return 0, false
}

// apiCode is Telegram's error_code of err, 0 when it is not an API error.
func apiCode(err error) (int, string) {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return te.Code, te.Message
	}
	return 0, ""
}

// sdkLog is the logger installed with tgbotapi.SetLogger. The SDK's logger
// is a package variable, so this one is too: it is installed once, cuts
// every registered token (and anything shaped like one) from each line, and
// forwards to the slog logger of the adapter made last. With Debug off and
// the adapter's own polling loop the SDK logs almost nothing; this is the
// safety net for what it would log (request URLs, token included, on
// network errors in GetUpdatesChan).
var sdkLog = &sdkLogger{}

type sdkLogger struct {
	once   sync.Once
	mu     sync.Mutex
	tokens []string
	log    *slog.Logger
}

func (l *sdkLogger) install(token string, log *slog.Logger) {
	l.mu.Lock()
	l.tokens = append(l.tokens, token)
	l.log = log
	l.mu.Unlock()
	l.once.Do(func() { _ = tgbotapi.SetLogger(l) })
}

// Println is used by the SDK for errors: logged at warn.
func (l *sdkLogger) Println(v ...any) {
	l.emit(slog.LevelWarn, strings.TrimSuffix(fmt.Sprintln(v...), "\n"))
}

// Printf is used by the SDK's debug output, which includes message texts:
// logged at debug.
func (l *sdkLogger) Printf(format string, v ...any) {
	l.emit(slog.LevelDebug, strings.TrimSuffix(fmt.Sprintf(format, v...), "\n"))
}

func (l *sdkLogger) emit(level slog.Level, line string) {
	l.mu.Lock()
	log := l.log
	for _, t := range l.tokens {
		line = redact(line, t)
	}
	l.mu.Unlock()
	line = redact(line, "")
	if log != nil {
		log.Log(context.Background(), level, "telegram sdk", "line", line)
	}
}
