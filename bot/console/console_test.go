package console

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot"
)

func echo() bot.Handler {
	return bot.HandlerFunc(func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		if m.Text == "/quiet" {
			return nil, nil
		}
		if m.Text == "/fail" {
			return nil, bot.Errorf(bot.Invalid, "That didn't work.")
		}
		r := &bot.Reply{}
		r.Add(bot.B("You said: "), bot.T(m.Text), bot.T(" "), bot.L("link", "https://example.org"), bot.T(" "), bot.L("bad", "javascript:alert(1)"))
		r.Buttons = [][]bot.Button{{{Label: "Next", Data: "/page 2 " + m.Text}}}
		if m.User.ID != OperatorID || !m.Chat.Private || m.Platform != Platform {
			r.Add(bot.T("wrong sender"))
		}
		return r, nil
	})
}

func TestRunReadsLinesAndRenders(t *testing.T) {
	var out bytes.Buffer
	a := New(strings.NewReader("/find Canada\n\n/quiet\n/fail\n"), &out, false, "en")
	if err := a.Run(context.Background(), echo()); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"You said: /find Canada", "link (https://example.org)", "[Next: /page 2 /find Canada]", "That didn't work."} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "javascript:") {
		t.Errorf("unsafe link shown: %s", got)
	}
	if strings.Contains(got, "wrong sender") {
		t.Error("messages are not from the operator in a private chat")
	}
	if strings.Count(got, "You said") != 1 {
		t.Errorf("blank or quiet lines answered: %s", got)
	}
}

func TestRunStopsWhenContextEnds(t *testing.T) {
	r, w := ioPipe()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	a := New(r, &bytes.Buffer{}, true, "en")
	go func() { done <- a.Run(ctx, echo()) }()
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil after cancel", err)
	}
}

func TestSendAndEdit(t *testing.T) {
	var out bytes.Buffer
	a := New(strings.NewReader(""), &out, false, "en")
	id, err := a.Send(context.Background(), bot.Address{}, bot.Text("card"))
	if err != nil || id != "1" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	if err := a.Edit(context.Background(), bot.Address{}, id, bot.Text("decided")); err != nil {
		t.Fatal(err)
	}
	if got := out.String(); !strings.Contains(got, "[message #1]\ncard") || !strings.Contains(got, "[message #1 updated]\ndecided") {
		t.Errorf("output = %q", got)
	}
}
