package discord

import (
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"

	"github.com/unionbot/unionbot/bot"
)

func TestRenderSpans(t *testing.T) {
	tests := []struct {
		name string
		span bot.Span
		want string
	}{
		{"plain", bot.T("VANDU (Vancouver)"), `VANDU \(Vancouver\)`},
		{"mentions", bot.T("@everyone @here <@123> <@&456> <#789>"), `\@everyone \@here \<\@123\> \<\@&456\> \<\#789\>`},
		{"markdown", bot.T("# h\n> q\n- l ||s|| ~~x~~ __u__ *i* \\"), `\# h` + "\n" + `\> q` + "\n" + `\- l \|\|s\|\| \~\~x\~\~ \_\_u\_\_ \*i\* \\`},
		{"bold", bot.B("Drug users"), "**Drug users**"},
		{"bold spaces", bot.B(" x "), " **x** "},
		{"bold empty", bot.B("  "), "  "},
		{"italic", bot.I("Page 1 of 2"), "*Page 1 of 2*"},
		{"bold escapes", bot.B("a*b"), `**a\*b**`},
		{"code", bot.C("/find `x`\ny"), "`/find x y`"},
		{"code only backticks", bot.C("``"), ""},
		{"link", bot.L("VANDU", "https://vandu.org/a(b)"), "[VANDU](<https://vandu.org/a%28b%29>)"},
		{"link same text", bot.L("https://vandu.org", "https://vandu.org"), "<https://vandu.org>"},
		{"link text escaped", bot.L("[x](https://evil)", "https://vandu.org"), `[\[x\]\(https://evil\)](<https://vandu.org>)`},
		{"bold link", bot.Span{Text: "VANDU", Style: bot.Bold, URL: "https://vandu.org"}, "**[VANDU](<https://vandu.org>)**"},
		{"unsafe link", bot.L("click", "javascript:alert(1)"), "click"},
		{"unsafe data link", bot.L("x", "data:text/html,hi"), "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := renderSpan(tt.span); got != tt.want {
				t.Errorf("renderSpan(%+v) = %q, want %q", tt.span, got, tt.want)
			}
		})
	}
}

func TestRenderAdjacentStyles(t *testing.T) {
	r := (&bot.Reply{}).Add(bot.B("a"), bot.I("b"))
	got := render(r).pages[0].content
	if got != "**a**\u200b*b*" {
		t.Errorf("got %q, want the markers kept apart", got)
	}
}

func TestRenderSplitsLongReplies(t *testing.T) {
	word := "a*b_c "
	r := &bot.Reply{}
	r.Add(bot.B(strings.Repeat(word, 700))) // one paragraph, far over 2,000 bytes once escaped
	r.Add(bot.T(strings.Repeat("é", 3000))) // no spaces: cut between runes
	r.Add(bot.L(strings.Repeat("x ", 600), "https://vandu.org"))
	r.Buttons = [][]bot.Button{{{Label: "Next", Data: "/page 2 /find x"}}}
	out := render(r)
	if len(out.pages) < 4 {
		t.Fatalf("%d pages", len(out.pages))
	}
	for i, pg := range out.pages {
		p := pg.content
		if len(p) > maxContent {
			t.Errorf("page %d has %d bytes", i, len(p))
		}
		if !utf8.ValidString(p) {
			t.Errorf("page %d is not valid UTF-8", i)
		}
		if strings.Count(p, "**")%2 != 0 {
			t.Errorf("page %d has unbalanced bold: %.60q", i, p)
		}
		if strings.HasSuffix(p, `\`) && !strings.HasSuffix(p, `\\`) {
			t.Errorf("page %d ends inside an escape", i)
		}
	}
	if len(out.buttons) != 1 {
		t.Errorf("buttons = %v", out.buttons)
	}
}

func TestButtons(t *testing.T) {
	var row []bot.Button
	for i := 0; i < 7; i++ {
		row = append(row, bot.Button{Label: "b", Data: "/x " + string(rune('a'+i))})
	}
	rows := [][]bot.Button{
		row,
		{{Label: "", Data: "/empty-label"}, {Label: "dup", Data: "/x a"}, {Label: "long", Data: "/" + strings.Repeat("y", 100)}, {Label: "none"}},
		{{Label: strings.Repeat("L", 100), Data: "/l1", Style: bot.ButtonDanger}},
		{{Label: "4", Data: "/r4"}}, {{Label: "5", Data: "/r5"}}, {{Label: "6", Data: "/r6"}},
	}
	got := buttons(rows)
	if len(got) != 5 {
		t.Fatalf("%d rows, want 5", len(got))
	}
	count := func(i int) int { return len(got[i].(discordgo.ActionsRow).Components) }
	if count(0) != 5 || count(1) != 2 {
		t.Errorf("a row of 7 became rows of %d and %d, want 5 and 2", count(0), count(1))
	}
	second := got[2].(discordgo.ActionsRow).Components
	if len(second) != 1 || second[0].(discordgo.Button).Label != "/empty-label" {
		t.Errorf("second row = %+v, want only the button with good data, labelled by it", second)
	}
	l := got[3].(discordgo.ActionsRow).Components[0].(discordgo.Button)
	if utf8.RuneCountInString(l.Label) > 80 || l.Style != discordgo.DangerButton {
		t.Errorf("long label = %q style %d", l.Label, l.Style)
	}
}

func TestModalLimits(t *testing.T) {
	if _, ok := modal(&bot.Form{ID: "/x", Fields: make([]bot.Field, 6)}); ok {
		t.Error("a form with six fields became a modal")
	}
	if _, ok := modal(&bot.Form{ID: strings.Repeat("x", 101), Fields: []bot.Field{{Name: "a"}}}); ok {
		t.Error("a form id over 100 characters became a modal")
	}
	if _, ok := modal(&bot.Form{ID: "/x", Fields: []bot.Field{{Name: "a"}, {Name: "a"}}}); ok {
		t.Error("a form with repeated field names became a modal")
	}
	d, ok := modal(&bot.Form{ID: "/reject S-12", Title: strings.Repeat("T", 60), Fields: []bot.Field{{Name: "reason", Placeholder: strings.Repeat("p", 200)}}})
	if !ok {
		t.Fatal("no modal")
	}
	b, _ := json.Marshal(d)
	var m struct {
		Title      string `json:"title"`
		CustomID   string `json:"custom_id"`
		Components []struct {
			Components []struct {
				Label       string `json:"label"`
				Placeholder string `json:"placeholder"`
			} `json:"components"`
		} `json:"components"`
	}
	json.Unmarshal(b, &m)
	if utf8.RuneCountInString(m.Title) > 45 || m.CustomID != "/reject S-12" {
		t.Errorf("modal = %s", b)
	}
	in := m.Components[0].Components[0]
	if in.Label != "reason" || utf8.RuneCountInString(in.Placeholder) > 100 {
		t.Errorf("input = %+v", in)
	}
}

func TestChoices(t *testing.T) {
	x := &exchange{}
	var cs []bot.Choice
	for i := 0; i < 30; i++ {
		cs = append(cs, bot.Choice{Name: strings.Repeat("n", 150), Value: strings.Repeat("v", 150)})
	}
	cs = append([]bot.Choice{{Name: "", Value: "x"}}, cs...)
	r := x.choices(cs)
	if len(r.Data.Choices) != 25 {
		t.Fatalf("%d choices", len(r.Data.Choices))
	}
	for _, c := range r.Data.Choices {
		if utf8.RuneCountInString(c.Name) > 100 || utf8.RuneCountInString(c.Value.(string)) > 100 || c.Name == "" {
			t.Errorf("choice %q = %q", c.Name, c.Value)
		}
	}
	b, _ := json.Marshal(x.choices(nil))
	if string(b) != `{"type":8,"data":{"choices":[]}}` {
		t.Errorf("no choices = %s", b)
	}
}

func TestRedact(t *testing.T) {
	tok := "Bot MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz012345"
	in := `Post "https://discord.com/api/v9/webhooks/123/aW50ZXJhY3Rpb246MTIz/messages/@original": EOF; ` +
		`authorization: ` + tok + ` bare MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz012345 ` +
		`https://discord.com/api/v9/interactions/55/secret-token/callback`
	got := redact(in, tok)
	for _, s := range []string{"aW50ZXJhY3Rpb246MTIz", "MTIzNDU2Nzg5MDEyMzQ1Njc4", "secret-token"} {
		if strings.Contains(got, s) {
			t.Errorf("redact left %q in %q", s, got)
		}
	}
	if !strings.Contains(got, "/webhooks/123/[token]/messages") {
		t.Errorf("redact = %q", got)
	}
}

func TestApplicationCommandsSkipsBadNames(t *testing.T) {
	cmds := applicationCommands([]bot.Command{
		{Name: "find", Description: "Find"},
		{Name: "Find"}, // the same command again
		{Name: "has space"},
		{Name: "no-description"},
		{Name: "long", Description: strings.Repeat("d", 150)},
	}, slog.New(slog.DiscardHandler))
	var names []string
	for _, c := range cmds {
		names = append(names, c.Name)
		if c.Description == "" || utf8.RuneCountInString(c.Description) > 100 {
			t.Errorf("/%s description %q", c.Name, c.Description)
		}
	}
	if strings.Join(names, ",") != "find,no-description,long" {
		t.Errorf("registered %v", names)
	}
}

func TestNewChecksConfig(t *testing.T) {
	bad := []Config{
		{},
		{Token: "x", APIBase: "ftp://discord.com"},
		{Token: "x", APIBase: "http://discord.example"}, // the token would travel in clear
		{Token: "x", PublicKey: "abcd"},
	}
	for _, c := range bad {
		if _, err := New(c, nil); err == nil {
			t.Errorf("New(%+v) succeeded", c)
		}
	}
	if _, err := New(Config{Token: "x", APIBase: "http://127.0.0.1:1"}, nil); err != nil {
		t.Errorf("a loopback base was refused: %v", err)
	}
}
