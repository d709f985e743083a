package discord

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/bwmarrin/discordgo"
)

// TestWireResponseIsDiscordgos: a message response encoded through the
// wire types is the JSON discordgo's own types give, buttons, embeds and
// flags included, and components other than rows of buttons keep
// discordgo's encoding.
func TestWireResponseIsDiscordgos(t *testing.T) {
	out := render(cardReply(3, 2, "x"))
	rows := append(out.buttons, &discordgo.ActionsRow{ID: 7, Components: []discordgo.MessageComponent{
		&discordgo.Button{Label: "plain", CustomID: "p", Disabled: true, Emoji: &discordgo.ComponentEmoji{Name: "✅"}},
	}})
	modal := []discordgo.MessageComponent{discordgo.ActionsRow{Components: []discordgo.MessageComponent{
		discordgo.TextInput{CustomID: "name", Label: "Name", Style: discordgo.TextInputShort},
	}}}
	for name, comps := range map[string][]discordgo.MessageComponent{"buttons": rows, "none": nil, "text input": modal} {
		for _, ephemeral := range []bool{false, true} {
			got := encoded(t, messageResponse(discordgo.InteractionResponseChannelMessageWithSource, out.pages[0], comps, ephemeral))
			if comps == nil {
				comps = []discordgo.MessageComponent{}
			}
			want := encoded(t, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseChannelMessageWithSource, Data: &discordgo.InteractionResponseData{
				Content: out.pages[0].content, Embeds: nonNil(out.pages[0].embeds), Components: comps,
				AllowedMentions: noMentions(), Flags: flags(ephemeral),
			}})
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, ephemeral %v:\n got %v\nwant %v", name, ephemeral, got, want)
			}
		}
	}
}

func encoded(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
