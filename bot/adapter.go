package bot

import "context"

// Sender sends a message that is not a reply: a moderator card, or the
// outcome of a suggestion. It returns the platform's id of the message, for
// Editor.
type Sender interface {
	Send(ctx context.Context, to Address, r *Reply) (id string, err error)
}

// Editor replaces a message sent earlier, where the platform allows it.
type Editor interface {
	Edit(ctx context.Context, to Address, id string, r *Reply) error
}

// Adapter connects a platform to the core. Run feeds every incoming message
// to h and sends its replies until ctx ends, then finishes the replies in
// flight and returns.
type Adapter interface {
	Name() string
	Run(ctx context.Context, h Handler) error
	Sender
}

// Choice is one autocomplete suggestion: what to show and what to fill in.
type Choice struct {
	Name  string
	Value string
}

// Completer suggests values while a person types (Discord's autocomplete).
type Completer interface {
	// Complete returns up to 25 choices for the command's option (such as
	// "find" / "place") starting with what has been typed so far.
	Complete(ctx context.Context, command, option, typed, lang string) []Choice
}
