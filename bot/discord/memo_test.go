package discord

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot"
)

// TestRenderMemo: blocks shared between replies (as the core shares a
// cached answer's) are rendered once and give what render gives, each
// reply keeping its own buttons; blocks seen once leave no pages behind;
// other blocks of the same length are rendered afresh; replies with a
// notice or share buttons are not memoized; the memo stays within
// memoEntries.
func TestRenderMemo(t *testing.T) {
	var m renderMemo
	shared := cardReply(3, 2, "")
	shared.Buttons = [][]bot.Button{{{Label: "Next", Data: "/page 2"}}}
	copyWith := func(data string) *bot.Reply {
		r := *shared
		r.Buttons = [][]bot.Button{{{Label: "Next", Data: data}}}
		return &r
	}
	first := m.rendered(copyWith("/page 2 a"))
	if !reflect.DeepEqual(first, render(copyWith("/page 2 a"))) {
		t.Fatal("the memo's first rendering differs from render")
	}
	for _, pages := range m.pages {
		if pages != nil {
			t.Fatal("blocks seen once left their pages in the memo")
		}
	}
	second := m.rendered(copyWith("/page 2 b"))
	third := m.rendered(copyWith("/page 2 c"))
	if &second.pages[0] != &third.pages[0] {
		t.Error("blocks seen a third time were rendered again")
	}
	if want := render(copyWith("/page 2 c")); !reflect.DeepEqual(third, want) {
		t.Errorf("memoized output differs from render:\n got %+v\nwant %+v", third, want)
	}
	if got := strings.Join(offered(third.buttons), ","); got != "/page 2 c" {
		t.Errorf("the memoized reply shows buttons %q, not its own", got)
	}

	same := cardReply(3, 2, "") // equal text, other blocks
	same.Blocks[0].Spans = []bot.Span{bot.B("Groups: Kenya")}
	same.Buttons = shared.Buttons
	m.rendered(same)
	if got := m.rendered(same); reflect.DeepEqual(got.pages, third.pages) {
		t.Error("other blocks were given the memoized pages")
	}

	noticed := *shared
	noticed.Notice = "Saved"
	shareable := *shared
	shareable.Buttons = [][]bot.Button{{{Label: "Share", Share: "org_x"}}}
	before := len(m.pages)
	for range 3 {
		m.rendered(&noticed)
		m.rendered(&shareable)
	}
	if len(m.pages) != before {
		t.Error("a reply with a notice or a share button was memoized")
	}

	for i := range 2 * memoEntries {
		r := bot.Text(fmt.Sprint("answer ", i))
		m.rendered(r)
		m.rendered(r)
	}
	if len(m.pages) > memoEntries {
		t.Errorf("the memo holds %d keys, more than %d", len(m.pages), memoEntries)
	}
}
