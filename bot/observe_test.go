package bot

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// observed records what Logging reports.
type observed struct{ seen []string }

func (o *observed) Observe(platform, command string, _ time.Duration, err error) {
	code := "ok"
	switch {
	case err != nil && ErrorCode(err) == NotFound:
		code = "not_found"
	case err != nil:
		code = "error"
	}
	o.seen = append(o.seen, platform+" "+command+" "+code)
}

func (o *observed) FormOpened(platform, command string) {
	o.seen = append(o.seen, platform+" "+command+" form")
}

// TestLoggingCountsPerKind: Logging reports an inline query once, as
// InlineCommand, and not the presses made on its behalf; an answer that
// found nothing as NotFound; a reply that only opens a form (or asks its
// first question) as a form opened, and its submission as the command.
func TestLoggingCountsPerKind(t *testing.T) {
	o := &observed{}
	h := Chain(HandlerFunc(func(ctx context.Context, m *Message) (*Reply, error) {
		switch {
		case m.Text == "/find zzz":
			r := Text("nothing")
			r.NotFound = true
			return r, nil
		case m.Text == "/suggest" && m.Form == nil && m.CanForm:
			return &Reply{Form: &Form{ID: "/suggest"}}, nil
		case m.Text == "/suggest" && m.Form == nil:
			r := Text("What is its name?")
			r.Prompt = true
			return r, nil
		}
		return Text("ok"), nil
	}), Logging(slog.New(slog.NewTextHandler(io.Discard, nil)), o))
	for _, m := range []*Message{
		{Platform: "telegram", Text: "/find Canada", Inline: true},
		{Platform: "telegram", Text: "/org vandu", Inline: true, Pressed: true},
		{Platform: "telegram", Text: "/org capud", Inline: true, Pressed: true},
		{Platform: "telegram", Text: "/find zzz"},
		{Platform: "discord", Text: "/suggest", CanForm: true},
		{Platform: "discord", Text: "/suggest", CanForm: true, Form: map[string]string{"name": "X"}},
		{Platform: "telegram", Text: "/suggest"},
		{Platform: "telegram", Text: "/org vandu", Pressed: true},
	} {
		if _, err := h.Handle(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	want := "telegram inline ok|telegram find not_found|discord suggest form|discord suggest ok|telegram suggest form|telegram org ok"
	if got := strings.Join(o.seen, "|"); got != want {
		t.Errorf("observed\n%s\nwant\n%s", got, want)
	}
}
