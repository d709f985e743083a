package bot

import (
	"errors"
	"fmt"
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
	Code    Code
	Message string // shown to the user as is
	Err     error  // the cause, for the log; never shown
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a user-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns err's code, Internal when it has none.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// UserMessage returns what a user should read about err.
func UserMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal && e.Message != "" {
		return e.Message
	}
	return "Sorry, something went wrong on our side. Please try again in a moment."
}
