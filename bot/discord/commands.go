package discord

import (
	"log/slog"
	"regexp"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
)

// option is a string option of a slash command. key names its
// description in the catalog (bot/i18n), for the other languages.
type option struct {
	name, description string
	required, auto    bool
	key               string
}

// commandOptions are the options of the commands Discord users type, in the
// order their values are joined into Message.Text ("/reject S-12 spam").
// A command not listed here gets one optional "text" option, passed on as
// typed; a command listed with no options takes none (/suggest opens a
// form instead).
var commandOptions = map[string][]option{
	"find":    {{"place", "A city, country or region, or a group's name", true, true, "option.find.place"}},
	"network": {{"region", "A region such as Asia, or a country", false, true, "option.network.region"}},
	"suggest": nil,
	"report": {
		{"organisation", "The group's name or acronym", true, true, "option.report.organisation"},
		{"problem", "What is wrong with the listing", true, false, "option.report.problem"},
	},
	"help":    nil,
	"about":   nil,
	"privacy": nil,
	"start":   nil,
	"lang":    {{"language", "A language, such as fr or Español", false, false, "option.lang.language"}},
	"queue":   nil,
	"approve": {{"ref", "The reference, such as S-12", true, false, "option.ref"}},
	"reject": {
		{"ref", "The reference, such as S-12", true, false, "option.ref"},
		{"reason", "Why (the person who sent it is told); empty opens a form", false, false, "option.reject.reason"},
	},
	"edit": {
		{"ref", "The reference, such as S-12", true, false, "option.ref"},
		{"field", "name, acronym, place, website, description or kind", true, false, "option.edit.field"},
		{"value", "The new value", true, false, "option.edit.value"},
	},
	"remove": {{"organisation", "The group's name or acronym", true, true, "option.remove.organisation"}},
	"audit":  nil,
}

var textOption = option{"text", "What to send with the command", false, false, "option.text"}

// discordLocales are Discord's locale codes for each of the bot's other
// languages; Spanish has two.
var discordLocales = map[string][]discordgo.Locale{
	"fr": {discordgo.French},
	"es": {discordgo.SpanishES, discordgo.SpanishLATAM},
	"pt": {discordgo.PortugueseBR},
	"ru": {discordgo.Russian},
	"de": {discordgo.German},
	"id": {"id"}, // Indonesian, which discordgo v0.29 has no constant for
}

// localized returns the text in every other supported language, keyed by
// Discord locale, clipped to Discord's limit; nil when text has no
// translation. Command names stay the same in every language.
func localized(text func(lang string) string, limit int) map[discordgo.Locale]string {
	out := map[discordgo.Locale]string{}
	english := strings.TrimSpace(text(i18n.Reference))
	for _, lang := range i18n.Default().Languages() {
		t := strings.TrimSpace(text(lang))
		if lang == i18n.Reference || t == "" || t == english {
			continue
		}
		for _, loc := range discordLocales[lang] {
			out[loc] = clip(t, limit)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

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
		if c.Description != "" {
			if loc := localized(c.DescriptionIn, 100); loc != nil {
				ac.DescriptionLocalizations = &loc
			}
		}
		if c.Moderator {
			ac.DefaultMemberPermissions = &manageGuild
		}
		for _, o := range optionsOf(name) {
			opt := &discordgo.ApplicationCommandOption{
				Type:         discordgo.ApplicationCommandOptionString,
				Name:         o.name,
				Description:  clip(o.description, 100),
				Required:     o.required,
				Autocomplete: o.auto,
			}
			if o.key != "" {
				key := o.key
				opt.DescriptionLocalizations = localized(func(lang string) string { return i18n.Tr(lang, key) }, 100)
			}
			ac.Options = append(ac.Options, opt)
		}
		out = append(out, ac)
	}
	return out
}
