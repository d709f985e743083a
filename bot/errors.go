package bot

import (
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/unionbot/unionbot/bot/i18n"
)

// Code classifies an error for the person who caused it.
type Code uint8

const (
	// Internal errors are bugs or outages; users see an apology and the
	// details go to the log.
	Internal Code = iota
	Invalid
	NotFound
	NotAllowed
	Unavailable // the store is down: "try again in a few minutes"
	Limited     // a rate limit or queue cap
	Conflict    // already decided, already listed
)

// Error is an error with a message that is safe and kind to show to users.
type Error struct {
	Code Code
	// Key names the message in the catalog (bot/i18n), shown to the user
	// in their language with Args. When Key is empty, Message is shown as
	// is.
	Key  string
	Args []any
	// Message is the English text, for the log and for callers that have
	// no language at hand.
	Message string
	Err     error // the cause, for the log; never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error whose user-safe message is the catalog message
// key formatted with args.
func Errorf(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Key: key, Args: args, Message: i18n.Tr(i18n.Reference, key, args...)}
}

// ErrorCode returns err's code, Internal when it has none.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// UserMessage returns what a user should read about err, in English.
func UserMessage(err error) string { return UserMessageIn(err, i18n.Reference) }

// UserMessageIn returns what a user should read about err, in lang.
func UserMessageIn(err error, lang string) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		if e.Key != "" {
			return i18n.Tr(lang, e.Key, e.Args...)
		}
		if e.Message != "" {
			return e.Message
		}
	}
	return i18n.Tr(lang, "error.internal")
}

// ErrorReply is the one reply to a failure, in lang (a supported language;
// after Bot.Handle, Message.Lang is the one the core answered in): the
// user-safe message of err, or an apology for an internal error, a panic
// (err nil) or an error with no code. It is private to the person who
// caused it, and a press also gets it as the pop-up notice. Adapters call it
// where they catch a failure themselves, at their goroutine boundaries, so
// that every failure reads the same in every language.
func ErrorReply(err error, lang string, pressed bool) *Reply {
	msg := i18n.Tr(lang, "error.internal")
	if err != nil {
		msg = UserMessageIn(err, lang)
	}
	r := Text(msg)
	r.Private = true
	r.Lang = lang
	if pressed {
		r.Notice = msg
	}
	return r
}

// LogPanic logs a recovered panic: where it happened, the panicking value's
// type and the stack, but never the value itself, which may carry what
// someone typed (it goes to the debug level only). Adapters use it in
// their own recovers so that every panic is logged alike.
func LogPanic(log *slog.Logger, where string, p any) {
	log.Error("panic recovered", "where", where, "type", fmt.Sprintf("%T", p), "stack", string(debug.Stack()))
	log.Debug("panic value", "where", where, "value", fmt.Sprint(p))
}
