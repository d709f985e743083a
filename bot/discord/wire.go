package discord

import "github.com/bwmarrin/discordgo"

// A message's interaction response in the shape Discord reads, for
// encoding/json alone. discordgo's components encode themselves: ActionsRow
// and Button have MarshalJSON methods that marshal a copy again, and
// encoding/json then compacts and re-validates each one's output. That was
// most of a response's encoding, a tenth of the bot's CPU per interaction
// in a burst. These types give the same JSON (the same fields, values and
// defaults as discordgo's InteractionResponseData with rows of buttons) in
// one pass; components of any other kind keep discordgo's encoding.

type wireResponse struct {
	Type discordgo.InteractionResponseType `json:"type"`
	Data *wireMessage                      `json:"data"`
}

type wireMessage struct {
	TTS             bool                              `json:"tts"`
	Content         string                            `json:"content"`
	Components      any                               `json:"components"` // []wireRow, or discordgo's []MessageComponent
	Embeds          []*discordgo.MessageEmbed         `json:"embeds"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions,omitempty"`
	Flags           discordgo.MessageFlags            `json:"flags,omitempty"`
}

type wireRow struct {
	Components []wireButton            `json:"components"`
	ID         int                     `json:"id,omitempty"`
	Type       discordgo.ComponentType `json:"type"`
}

// wireButton is discordgo.Button as its MarshalJSON writes it.
type wireButton struct {
	Label    string                    `json:"label"`
	Style    discordgo.ButtonStyle     `json:"style"`
	Disabled bool                      `json:"disabled"`
	Emoji    *discordgo.ComponentEmoji `json:"emoji,omitempty"`
	URL      string                    `json:"url,omitempty"`
	CustomID string                    `json:"custom_id,omitempty"`
	SKUID    string                    `json:"sku_id,omitempty"`
	ID       int                       `json:"id,omitempty"`
	Type     discordgo.ComponentType   `json:"type"`
}

// wireComponents is comps as wire rows when every one is a row of buttons
// (what buttons makes), else comps itself. It is never nil: Discord reads
// a null list as "keep the old components".
func wireComponents(comps []discordgo.MessageComponent) any {
	n := 0
	for _, c := range comps {
		if row, ok := valueOf[discordgo.ActionsRow](c); ok {
			n += len(row.Components)
		}
	}
	rows := make([]wireRow, 0, len(comps))
	all := make([]wireButton, 0, n) // every row's buttons, in one allocation
	for _, c := range comps {
		row, ok := valueOf[discordgo.ActionsRow](c)
		if !ok {
			return comps
		}
		start := len(all)
		for _, b := range row.Components {
			btn, ok := valueOf[discordgo.Button](b)
			if !ok {
				return comps
			}
			if btn.Style == 0 {
				btn.Style = discordgo.PrimaryButton // as discordgo's MarshalJSON does
			}
			all = append(all, wireButton{
				Label: btn.Label, Style: btn.Style, Disabled: btn.Disabled, Emoji: btn.Emoji,
				URL: btn.URL, CustomID: btn.CustomID, SKUID: btn.SKUID, ID: btn.ID,
				Type: discordgo.ButtonComponent,
			})
		}
		rows = append(rows, wireRow{Components: all[start:len(all):len(all)], ID: row.ID, Type: discordgo.ActionsRowComponent})
	}
	return rows
}

// valueOf is c as a T, whether it holds a T or a non-nil *T: discordgo
// decodes components as pointers, and the adapter builds them as values.
func valueOf[T any](c any) (T, bool) {
	switch v := c.(type) {
	case T:
		return v, true
	case *T:
		if v != nil {
			return *v, true
		}
	}
	var zero T
	return zero, false
}
