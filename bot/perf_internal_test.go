package bot

import (
	"context"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/directory/directorytest"
)

// BenchmarkSignPage measures signing the buttons of the first page of a
// country's cached answer for one asker, what Presses does for every
// answer, without the rest of the chain:
//
//	go test -run XXX -bench SignPage ./bot/
func BenchmarkSignPage(b *testing.B) {
	core := New(Options{Directory: directorytest.MustSeed(b)})
	m := &Message{Platform: "console", Text: "/find Canada", User: User{ID: "7"}, Chat: Chat{ID: "7", Private: true}, Lang: "en", PageSize: 5}
	page, err := core.router.Handle(context.Background(), m)
	if err != nil || page == nil || len(page.Buttons) < 3 {
		b.Fatalf("no page with buttons: %v", err)
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		out := *page
		core.press.signReply(ctx, &out, m, nil)
	}
}

// TestIndexNewlineOrTab: the byte scan Command uses finds what
// strings.IndexAny(s, "\n\t") finds, invalid UTF-8 included.
func TestIndexNewlineOrTab(t *testing.T) {
	for _, s := range []string{"", "find", "find\tx", "org\nvandu", "a\t\nb", "\xff\n", "é\t", "\xe2\x80\n", "no tab here"} {
		if got, want := indexNewlineOrTab(s), strings.IndexAny(s, "\n\t"); got != want {
			t.Errorf("indexNewlineOrTab(%q) = %d, want %d", s, got, want)
		}
	}
}
