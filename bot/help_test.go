package bot

import (
	"context"
	"strings"
	"testing"
)

// TestHelpListsTheNamesThePlatformShows: where the platform says under
// which name it shows a command (Message.CommandName), /help lists it so;
// elsewhere under its name.
func TestHelpListsTheNamesThePlatformShows(t *testing.T) {
	b := MustBot(t)
	ask := func(names func(Command) string) string {
		m := &Message{Platform: "test", Text: "/help", Lang: "fr", User: User{ID: "1"}, Chat: Chat{ID: "1", Private: true}, CommandName: names}
		r, err := b.Handle(context.Background(), m)
		if err != nil || r == nil {
			t.Fatalf("/help: %v", err)
		}
		var s []string
		for _, bl := range r.Blocks {
			s = append(s, PlainText(bl))
		}
		return strings.Join(s, "\n")
	}
	shown := ask(func(c Command) string { return "x" + c.Name })
	if !strings.Contains(shown, "/xfind ") || strings.Contains(shown, "/find ") {
		t.Errorf("/help with the platform's names:\n%s", shown)
	}
	if plain := ask(nil); !strings.Contains(plain, "/find ") {
		t.Errorf("/help without them:\n%s", plain)
	}
}
