// Package console is the terminal adapter: it reads one command per line
// and prints replies as plain text. It also serves as a moderator channel for
// the local operator, so the whole flow works with no platform account.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/unionbot/unionbot/bot"
)

// Platform is the console's platform name.
const Platform = "console"

// OperatorID is the user id of the person at the terminal.
const OperatorID = "operator"

// Adapter talks to one person through a reader and a writer.
type Adapter struct {
	in     io.Reader
	out    io.Writer
	prompt bool
	lang   string

	mu   sync.Mutex // one writer at a time: replies and cards interleave
	next int        // message numbers, for Edit
}

// New returns an adapter; prompt shows "> " before each line, for people.
func New(in io.Reader, out io.Writer, prompt bool, lang string) *Adapter {
	return &Adapter{in: in, out: out, prompt: prompt, lang: lang}
}

// Name is the platform name.
func (a *Adapter) Name() string { return Platform }

// Message turns a line into a message from the operator in a private chat.
func (a *Adapter) Message(line string) *bot.Message {
	return &bot.Message{
		Platform: Platform,
		Text:     line,
		User:     bot.User{ID: OperatorID, Name: "operator"},
		Chat:     bot.Chat{ID: OperatorID, Private: true},
		Lang:     a.lang,
	}
}

// Run answers each line until the input ends or ctx is done. Input is read
// in its own goroutine so that a cancelled context ends Run even while a
// terminal read is waiting.
func (a *Adapter) Run(ctx context.Context, h bot.Handler) error {
	lines := make(chan string)
	errc := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(a.in)
		sc.Buffer(make([]byte, 64*1024), 64*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		errc <- sc.Err()
	}()
	if a.prompt {
		a.write("unionbot: type /help to begin, Ctrl-D to leave.\n> ")
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if a.prompt {
				a.write("\n")
			}
			return err
		case line := <-lines:
			if strings.TrimSpace(line) != "" {
				rep, err := h.Handle(ctx, a.Message(line))
				if err != nil {
					rep = bot.Text(bot.UserMessage(err))
				}
				if rep != nil {
					a.print(rep)
				}
			}
			if a.prompt {
				a.write("> ")
			}
		}
	}
}

// Ask answers a single line and returns the rendered reply.
func (a *Adapter) Ask(ctx context.Context, h bot.Handler, line string) error {
	rep, err := h.Handle(ctx, a.Message(line))
	if err != nil {
		rep = bot.Text(bot.UserMessage(err))
	}
	if rep == nil {
		rep = bot.Text("(no answer)")
	}
	a.print(rep)
	return nil
}

// Send prints a message the bot sends on its own, such as a moderator card
// or the outcome of a suggestion, and returns its number for Edit.
func (a *Adapter) Send(ctx context.Context, to bot.Address, r *bot.Reply) (string, error) {
	a.mu.Lock()
	a.next++
	id := strconv.Itoa(a.next)
	a.mu.Unlock()
	a.write(fmt.Sprintf("\n[message #%s]\n%s\n", id, Render(r)))
	return id, nil
}

// Edit prints the new version of an earlier message.
func (a *Adapter) Edit(ctx context.Context, to bot.Address, id string, r *bot.Reply) error {
	a.write(fmt.Sprintf("\n[message #%s updated]\n%s\n", id, Render(r)))
	return nil
}

func (a *Adapter) print(r *bot.Reply) {
	a.write(Render(r) + "\n")
}

func (a *Adapter) write(s string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	io.WriteString(a.out, s)
}

// Render shows a reply as plain text: paragraphs separated by blank lines,
// links in parentheses, buttons as the commands they stand for.
func Render(r *bot.Reply) string {
	var parts []string
	if r.Notice != "" && len(r.Blocks) == 0 {
		parts = append(parts, r.Notice)
	}
	for _, b := range r.Blocks {
		parts = append(parts, bot.PlainText(b))
	}
	for _, row := range r.Buttons {
		var bs []string
		for _, b := range row {
			bs = append(bs, fmt.Sprintf("[%s: %s]", b.Label, bot.ButtonCommand(b.Data)))
		}
		parts = append(parts, strings.Join(bs, "  "))
	}
	if r.Form != nil {
		parts = append(parts, "(This form can be sent as one line: /suggest Name | City, Country | https://website | what they do)")
	}
	return strings.Join(parts, "\n\n")
}
