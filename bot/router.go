package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/unionbot/unionbot/bot/i18n"
)

// Handler answers a message. A nil reply with a nil error means "say
// nothing" (a command addressed to another bot, chatter in a group).
type Handler interface {
	Handle(ctx context.Context, m *Message) (*Reply, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, m *Message) (*Reply, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, m *Message) (*Reply, error) { return f(ctx, m) }

// Middleware wraps a Handler.
type Middleware func(Handler) Handler

// Chain applies middleware so that the first listed runs first.
func Chain(h Handler, mw ...Middleware) Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

// Command describes a command for /help and for platforms' command menus.
// It is the one declaration of a command: adapters derive their platform's
// registration (Discord's application commands, Telegram's scoped menus)
// from it and name no command themselves.
type Command struct {
	Name        string // without "/"
	Args        string // "<place or name>"
	Description string
	Moderator   bool // shown to moderators only
	Hidden      bool // not listed (internal, like /page)
	// Options are the command's arguments, in the order their values are
	// joined into Message.Text ("/reject S-12 spam"). A command with none
	// takes its text as typed.
	Options []Option
	// Public is true when its answers may be shown to everyone in a group
	// or server; otherwise the platform shows them to the asker alone where
	// it can (Discord's ephemeral replies).
	Public bool
	// Groups is true when the command belongs in group chats' menus.
	Groups bool
}

// Option is one argument of a Command.
type Option struct {
	Name     string // "place"; lowercase ASCII, as platforms require
	Required bool
	// Complete is true when the core can suggest values while a person
	// types (see Completer).
	Complete bool
	// Key names its description in the catalog (bot/i18n), so that every
	// language has one.
	Key string
}

// Router sends each command to its handler by exact name.
type Router struct {
	cmds map[string]Handler
	info []Command
	// moderator holds the names of moderators' commands: signing asks
	// for every button of an answer (press.go).
	moderator map[string]bool
	fallback  Handler // text that is not a command
	dialogs   []Handler
	errs      []error // registrations refused, reported by Err
}

// NewRouter returns an empty router. Register PageCommand on it where
// answers are paged.
func NewRouter() *Router { return &Router{cmds: map[string]Handler{}} }

// PageCommand is the hidden /page command, which re-runs a command of r
// and shows one page of its answer (see page).
func (r *Router) PageCommand() (Command, Handler) {
	return Command{Name: "page", Args: "<page> <command>", Hidden: true}, HandlerFunc(r.page)
}

// Register adds h as the handler of the command c.Name. Like net/http's
// ServeMux, a name may be registered once: a second registration (or an
// empty name) is refused, the first one stays, and Err reports it, so the
// program can refuse to start rather than answer with the wrong handler.
func (r *Router) Register(c Command, h Handler) {
	if c.Name == "" || h == nil {
		r.errs = append(r.errs, fmt.Errorf("command %q: no name or no handler", c.Name))
		return
	}
	if _, dup := r.cmds[c.Name]; dup {
		r.errs = append(r.errs, fmt.Errorf("command /%s is registered twice", c.Name))
		return
	}
	r.cmds[c.Name] = h
	r.info = append(r.info, c)
	if c.Moderator {
		if r.moderator == nil {
			r.moderator = map[string]bool{}
		}
		r.moderator[c.Name] = true
	}
}

// Err reports the registrations Register refused, nil when there were
// none. Check it once every command is registered, before serving.
func (r *Router) Err() error { return errors.Join(r.errs...) }

// RegisterFunc registers a function.
func (r *Router) RegisterFunc(c Command, f func(ctx context.Context, m *Message) (*Reply, error)) {
	r.Register(c, HandlerFunc(f))
}

// Dialog adds a handler that sees text that is not a command before the
// fallback does, for conversations in progress (a guided /suggest). It
// returns a nil reply to pass the text on.
func (r *Router) Dialog(h Handler) { r.dialogs = append(r.dialogs, h) }

// Fallback sets the handler for text that is not a command.
func (r *Router) Fallback(h Handler) { r.fallback = h }

// Commands lists the registered commands in registration order.
func (r *Router) Commands() []Command { return append([]Command(nil), r.info...) }

// isModerator reports whether name is a moderators' command.
func (r *Router) isModerator(name string) bool { return r.moderator[name] }

// Handle routes m, and keeps the first page of a long answer (see
// paginate). The reply may be shared with others who asked the same (a
// cached answer's page, see cachedAnswer): read only; Bot.Handle's is
// the caller's own.
func (r *Router) Handle(ctx context.Context, m *Message) (*Reply, error) {
	name, _, ok := m.Command()
	if !ok {
		if strings.HasPrefix(strings.TrimSpace(m.Text), "/") {
			return nil, nil // another bot's command
		}
		for _, d := range r.dialogs {
			if rep, err := d.Handle(ctx, m); rep != nil || err != nil {
				return rep, err
			}
		}
		if r.fallback != nil {
			return r.fallback.Handle(ctx, m)
		}
		return nil, nil
	}
	h, found := r.cmds[name]
	if !found {
		if !m.Chat.Private && m.BotName == "" {
			// In a group on a platform where commands are not addressed,
			// an unknown command is probably for another bot.
			return nil, nil
		}
		return r.unknown(name, m.Lang), nil
	}
	rep, err := h.Handle(ctx, m)
	if err != nil || rep == nil || rep.paged {
		return rep, err
	}
	return paginate(rep, m, 1), nil
}

func (r *Router) unknown(name, lang string) *Reply {
	names := make([]string, 0, len(r.info))
	for _, c := range r.info {
		if !c.Hidden && !c.Moderator {
			names = append(names, "/"+c.Name)
		}
	}
	sort.Strings(names)
	return Text(i18n.Tr(lang, "router.unknown", echo(name), strings.Join(names, ", ")))
}

// page is "/page N <command>": it re-runs the command and returns page N of
// its answer, so paging needs no state. It replaces the message pressed
// (Reply.Edit) only for a verified page button (see press.go): the data of
// any other press, or typed text, gets a new message.
func (r *Router) page(ctx context.Context, m *Message) (*Reply, error) {
	_, args, _ := m.Command()
	n, rest, _ := strings.Cut(args, " ")
	page, err := strconv.Atoi(n)
	if err != nil || page < 1 || !strings.HasPrefix(rest, "/") {
		return nil, Errorf(Invalid, "router.bad_page")
	}
	inner := *m
	inner.Text = rest
	name, _, ok := inner.Command()
	if !ok || name == "page" {
		return nil, Errorf(Invalid, "router.bad_page")
	}
	h, found := r.cmds[name]
	if !found {
		return r.unknown(name, m.Lang), nil
	}
	rep, err := h.Handle(ctx, &inner)
	if err != nil || rep == nil {
		return rep, err
	}
	// The page may be shared (a cached answer's, see cachedAnswer):
	// marked on a copy.
	out := *paginate(rep, &inner, page)
	out.Edit = m.pressKind == pressPager
	out.paged = true
	return &out, nil
}

// paginate keeps one page of a long reply, counting non-heading blocks, and
// adds buttons to move between pages. It does nothing when the platform
// shows everything (PageSize 0). A page button's data may be longer than a
// platform allows: signing (press.go) then keeps it in the store. The
// page of a cached answer is shared, like the answer: read only.
func paginate(rep *Reply, m *Message, page int) *Reply {
	if rep.pages == nil {
		return cutPage(rep, m, page)
	}
	// A cached answer: its pages are the same for everyone who asks the
	// same way, until the cache lets the answer go.
	k := pageKey{size: m.PageSize, page: page, text: strings.TrimSpace(m.Text), lang: m.Lang}
	if r := rep.pages.get(k); r != nil {
		return r
	}
	r := cutPage(rep, m, page)
	if r == rep {
		cp := *r
		r = &cp
	}
	// The page is shared from now on. Its blocks and rows are the
	// answer's (clipped when it was cached) or cutPage's own, made to
	// size; capping the page's own slices makes an append to a copy
	// reallocate. Nothing the answer holds is written.
	r.pages = nil
	r.Blocks = slices.Clip(r.Blocks)
	r.Buttons = slices.Clip(r.Buttons)
	rep.pages.put(k, r)
	return r // shared from now on: read only, as the answer is
}

// cutPage is paginate without the cache.
func cutPage(rep *Reply, m *Message, page int) *Reply {
	size := m.PageSize
	if size <= 0 {
		return withBlockButtons(rep, rep.Blocks)
	}
	if rep.Compact {
		size = min(size*CompactFactor, MaxCompactPage)
	}
	entries := 0
	for i := range rep.Blocks {
		if !rep.Blocks[i].Heading {
			entries++
		}
	}
	pages := max(1, (entries+size-1)/size)
	if pages <= 1 {
		return withBlockButtons(rep, rep.Blocks)
	}
	page = min(max(page, 1), pages)
	start, end := pageStart(rep.Blocks, size, page), len(rep.Blocks)
	if page < pages {
		end = pageStart(rep.Blocks, size, page+1)
	}
	link := func(p int) string { return "/page " + strconv.Itoa(p) + " " + strings.TrimSpace(m.Text) }
	out := *rep
	out.Blocks = make([]Block, 0, end-start+1)
	out.Blocks = append(out.Blocks, rep.Blocks[start:end]...)
	out.Blocks = append(out.Blocks, Block{Spans: []Span{I(i18n.Tr(m.Lang, "page.of", page, pages))}})
	nav := make([]Button, 0, 2)
	if page > 1 {
		nav = append(nav, Button{Label: i18n.Tr(m.Lang, "page.previous"), Data: link(page - 1)})
	}
	if page < pages {
		nav = append(nav, Button{Label: i18n.Tr(m.Lang, "page.next"), Data: link(page + 1)})
	}
	out.Buttons = append([][]Button{slices.Clip(nav)}, rep.Buttons...)
	out.paged = true
	return withBlockButtons(&out, out.Blocks)
}

// pageStart is where page (from 1) of blocks begins when a page holds size
// entries (blocks that are not headings): a page is a run of blocks, from
// the headings just before its first entry to the headings before the next
// page's, so that a heading is never left at the end of a page; the
// headings after the last entry close the last page.
func pageStart(blocks []Block, size, page int) int {
	if page <= 1 {
		return 0
	}
	first := (page - 1) * size // the entry that opens the page, from 0
	n := 0
	for i := range blocks {
		if blocks[i].Heading {
			continue
		}
		if n == first {
			for i > 0 && blocks[i-1].Heading {
				i--
			}
			return i
		}
		n++
	}
	return len(blocks)
}

// Recover turns a panic in a handler into an apology in the person's
// language and a log entry with the stack but not the panicking value
// (LogPanic), so one bad message cannot take the process down nor put what
// someone typed in the log.
func Recover(log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, m *Message) (rep *Reply, err error) {
			defer func() {
				if p := recover(); p != nil {
					LogPanic(log, "handler ("+m.Platform+")", p)
					rep, err = ErrorReply(nil, m.Lang, m.Pressed), nil
				}
			}()
			return next.Handle(ctx, m)
		})
	}
}

// Errors turns errors into replies: the user-safe message for expected
// errors, an apology for internal ones, which are logged with detail.
func Errors(log *slog.Logger) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, m *Message) (*Reply, error) {
			rep, err := next.Handle(ctx, m)
			if err == nil {
				return rep, nil
			}
			if ErrorCode(err) == Internal {
				log.Error("command failed", "platform", m.Platform, "err", err)
			}
			return ErrorReply(err, m.Lang, m.Pressed), nil
		})
	}
}

// Observer is told about every command handled, for metrics. command is
// the command's name, "text" for text that is not a command, or
// InlineCommand for an inline query; err is the handler's error, or an
// error of code NotFound for an answer that found nothing (Reply.NotFound).
type Observer interface {
	Observe(platform, command string, took time.Duration, err error)
}

// FormObserver is an Observer that is also told when a command only opened
// a form or asked its first question (Reply.Form, Reply.Prompt): that is
// not the command done, and is not reported to Observe. The form's
// submission is the command, and is.
type FormObserver interface {
	Observer
	FormOpened(platform, command string)
}

// InlineCommand is the name an inline query is counted under (see
// Message.Inline), whatever command answers it.
const InlineCommand = "inline"

// Logging logs each command at debug level with its name, platform and
// duration, never its text or who sent it, and reports it to obs when set:
// an inline query once, as InlineCommand, and not the presses made on its
// behalf; a reply that only opens a form to FormOpened.
func Logging(log *slog.Logger, obs Observer) Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, m *Message) (*Reply, error) {
			if obs == nil && !log.Enabled(ctx, slog.LevelDebug) {
				return next.Handle(ctx, m) // no one to tell: not even the clock read
			}
			start := time.Now()
			rep, err := next.Handle(ctx, m)
			name, _, ok := m.Command()
			if !ok {
				name = "text"
			}
			took := time.Since(start)
			if log.Enabled(ctx, slog.LevelDebug) { // else the arguments alone allocate
				log.Debug("handled", "platform", m.Platform, "command", name, "inline", m.Inline, "took", took, "err", err)
			}
			if obs == nil || (m.Inline && m.Pressed) {
				return rep, err
			}
			if m.Inline {
				name = InlineCommand
			}
			if err == nil && rep != nil && m.Form == nil && (rep.Form != nil || rep.Prompt) {
				if fo, ok := obs.(FormObserver); ok {
					fo.FormOpened(m.Platform, name)
				}
				return rep, err
			}
			seen := err
			if err == nil && rep != nil && rep.NotFound {
				seen = Errorf(NotFound, "find.nothing", "")
			}
			obs.Observe(m.Platform, name, took, seen)
			return rep, err
		})
	}
}
