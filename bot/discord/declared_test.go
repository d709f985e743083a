package discord

import (
	"context"
	"go/token"
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/bottest"
	"github.com/unionbot/unionbot/bot/discord/discordtest"
)

// TestAdapterNamesNoCommand: every command is declared in the core, so no
// string in the adapter's own (non-test) Go files is a command's name, as
// "find" or "/find" or "/find …".
func TestAdapterNamesNoCommand(t *testing.T) {
	names := map[string]bool{}
	for _, c := range testCommands(t) {
		names[c.Name] = true
	}
	// Moderation's commands and the core's optional and hidden ones, which
	// the core above may not have registered.
	for _, n := range []string{"suggest", "report", "cancel", "queue", "approve", "reject", "edit", "remove", "audit", "lang", "page", "org", "verify"} {
		names[n] = true
	}
	// kindColours holds card kinds (bot.Card.Kind: "report" is a
	// moderation card's kind), not commands.
	checked := bottest.EachString(t, []string{"kindColours"}, func(pos token.Position, _, s string) {
		word := strings.TrimPrefix(strings.TrimSpace(s), "/")
		if head, _, _ := strings.Cut(word, " "); names[strings.ToLower(word)] || (strings.HasPrefix(s, "/") && names[strings.ToLower(head)]) {
			t.Errorf("%s: the string %q names a command; declare it in the core instead", pos, s)
		}
	})
	if checked < 5 {
		t.Fatalf("checked %d files; is the test in the adapter's directory?", checked)
	}
}

// TestNewCoreCommandReachesDiscord: a command registered in the core, with
// its options and flags, is what Discord gets, with no change to the
// adapter; its answer follows its Public flag and its options' order.
func TestNewCoreCommandReachesDiscord(t *testing.T) {
	t.Parallel()
	core := MustBot(t)
	core.Router().RegisterFunc(bot.Command{Name: "greet", Description: "Say hello", Public: true,
		Options: []bot.Option{
			{Name: "who", Required: true, Key: "option.text"},
			{Name: "place", Complete: true, Key: "option.find.place"},
		}}, func(ctx context.Context, m *bot.Message) (*bot.Reply, error) {
		return bot.Text("said: " + m.Text), nil
	})
	if err := core.Router().Err(); err != nil {
		t.Fatal(err)
	}
	fake := discordtest.New(t)
	a, err := New(Config{Token: testToken, APIBase: fake.APIBase(), Commands: core.Router().Commands()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, core) }()
	defer func() { cancel(); <-done }()

	put := fake.WaitFor(t, discordtest.All(discordtest.CommandOverwrite(), discordtest.OK()), wait)
	var cmds []struct {
		Name        string `json:"name"`
		Description string `json:"description"`
		Options     []struct {
			Name         string            `json:"name"`
			Description  string            `json:"description"`
			Required     bool              `json:"required"`
			Autocomplete bool              `json:"autocomplete"`
			Localized    map[string]string `json:"description_localizations"`
		} `json:"options"`
	}
	if err := put.Decode(&cmds); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, c := range cmds {
		if c.Name != "greet" {
			continue
		}
		found = true
		if c.Description != "Say hello" || len(c.Options) != 2 {
			t.Fatalf("/greet = %+v", c)
		}
		who, place := c.Options[0], c.Options[1]
		if who.Name != "who" || !who.Required || who.Autocomplete || who.Description != "What to send with the command" {
			t.Errorf("option who = %+v", who)
		}
		if place.Name != "place" || place.Required || !place.Autocomplete || place.Localized["fr"] == "" {
			t.Errorf("option place = %+v", place)
		}
	}
	if !found {
		t.Fatal("/greet did not reach Discord's registration")
	}
	id, _ := fake.Interaction(t, discordtest.Command("greet", discordtest.String("place", "Lyon"), discordtest.String("who", "Ana")))
	c := fake.WaitFor(t, discordtest.Callback(id), wait)
	r := discordtest.DecodeResponse(t, c)
	if got := content(t, r); got != "said: /greet Ana Lyon" {
		t.Errorf("/greet answered %q, want the options in declared order", got)
	}
	if flagsOf(r.Data) != 0 {
		t.Errorf("/greet flags = %d, want a public answer (the core declared it Public)", flagsOf(r.Data))
	}
}
