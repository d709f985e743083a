package discord

import (
	"log/slog"
	"regexp"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/unionbot/unionbot/bot"
)

// option is a string option of a slash command.
type option struct {
	name, description string
	required, auto    bool
}

// commandOptions are the options of the commands Discord users type, in the
// order their values are joined into Message.Text ("/reject S-12 spam").
// A command not listed here gets one optional "text" option, passed on as
// typed; a command listed with no options takes none (/suggest opens a
// form instead).
var commandOptions = map[string][]option{
	"find":    {{"place", "A city, country or region, or a group's name", true, true}},
	"network": {{"region", "A region such as Asia, or a country", false, true}},
	"suggest": nil,
	"report": {
		{"organisation", "The group's name or acronym", true, true},
		{"problem", "What is wrong with the listing", true, false},
	},
	"help":    nil,
	"about":   nil,
	"privacy": nil,
	"start":   nil,
	"queue":   nil,
	"approve": {{"ref", "The reference, such as S-12", true, false}},
	"reject": {
		{"ref", "The reference, such as S-12", true, false},
		{"reason", "Why (the person who sent it is told); empty opens a form", false, false},
	},
	"edit": {
		{"ref", "The reference, such as S-12", true, false},
		{"field", "name, acronym, place, website, description or kind", true, false},
		{"value", "The new value", true, false},
	},
	"remove": {{"organisation", "The group's name or acronym", true, true}},
	"audit":  nil,
}

var textOption = option{"text", "What to send with the command", false, false}

// optionsOf is the options the command is registered with.
func optionsOf(name string) []option {
	if opts, ok := commandOptions[name]; ok {
		return opts
	}
	return []option{textOption}
}

var commandName = regexp.MustCompile(`^[-_\p{Ll}\p{Lo}\p{N}]{1,32}$`)

// applicationCommands builds the slash commands for cmds: hidden ones and
// names Discord would refuse are left out. Moderators' commands are shown
// by default only to members who can manage the server; that is a
// convenience, not a check: the core checks every use.
func applicationCommands(cmds []bot.Command, log *slog.Logger) []*discordgo.ApplicationCommand {
	manageGuild := int64(discordgo.PermissionManageGuild)
	out := make([]*discordgo.ApplicationCommand, 0, len(cmds))
	seen := map[string]bool{}
	for _, c := range cmds {
		name := strings.ToLower(strings.TrimPrefix(c.Name, "/"))
		if c.Hidden || seen[name] {
			continue
		}
		if !commandName.MatchString(name) {
			log.Warn("discord: command name not allowed by Discord; not registered", "command", name)
			continue
		}
		seen[name] = true
		desc := strings.TrimSpace(c.Description)
		if desc == "" {
			desc = "/" + name
		}
		ac := &discordgo.ApplicationCommand{
			Name:        name,
			Type:        discordgo.ChatApplicationCommand,
			Description: clip(desc, 100),
			Options:     []*discordgo.ApplicationCommandOption{},
		}
		if c.Moderator {
			ac.DefaultMemberPermissions = &manageGuild
		}
		for _, o := range optionsOf(name) {
			ac.Options = append(ac.Options, &discordgo.ApplicationCommandOption{
				Type:         discordgo.ApplicationCommandOptionString,
				Name:         o.name,
				Description:  clip(o.description, 100),
				Required:     o.required,
				Autocomplete: o.auto,
			})
		}
		out = append(out, ac)
	}
	return out
}
