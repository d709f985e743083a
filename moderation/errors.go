package moderation

import (
	"fmt"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
)

// code classifies a moderation error. The classes are moderation's own;
// Error.As maps them to the core's codes where the core reads them.
type code uint8

const (
	internal    code = iota // a bug or an outage: details go to the log
	invalid                 // the input is wrong; the message says how
	notFound                // no such item or group
	notAllowed              // not a moderator
	unavailable             // the store is down: try again later
	limited                 // a rate limit or a full queue
	conflict                // already decided
)

// Error is a moderation failure with a message, named by a key in the
// catalog (bot/i18n), that is safe and kind to show to the person who
// caused it.
type Error struct {
	code code
	key  string
	args []any
	err  error // the cause, for the log; never shown
}

// errorf returns an *Error whose user-safe message is the catalog message
// key formatted with args.
func errorf(c code, key string, args ...any) *Error {
	return &Error{code: c, key: key, args: args}
}

// Error is the English message, and the cause when there is one.
func (e *Error) Error() string {
	msg := "moderation: internal error"
	if e.key != "" {
		msg = i18n.Tr(i18n.Reference, e.key, e.args...)
	}
	if e.err != nil {
		return fmt.Sprintf("%s: %v", msg, e.err)
	}
	return msg
}

func (e *Error) Unwrap() error { return e.err }

// coreCodes maps moderation's codes to the core's, at the one place where
// moderation's answers cross into the core.
var coreCodes = [...]bot.Code{
	internal:    bot.Internal,
	invalid:     bot.Invalid,
	notFound:    bot.NotFound,
	notAllowed:  bot.NotAllowed,
	unavailable: bot.Unavailable,
	limited:     bot.Limited,
	conflict:    bot.Conflict,
}

// As lets the core see an *Error as a *bot.Error (errors.As), which is how
// it shows the message in the user's language and counts the failure. The
// boundary is here rather than in each registered handler so that the
// handlers return moderation's errors as they are.
func (e *Error) As(target any) bool {
	t, ok := target.(**bot.Error)
	if !ok {
		return false
	}
	if e.key == "" {
		*t = &bot.Error{Code: coreCodes[e.code], Err: e.err}
	} else {
		be := bot.Errorf(coreCodes[e.code], e.key, e.args...)
		be.Err = e.err
		*t = be
	}
	return true
}
