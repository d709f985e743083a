package discord

import (
	"log/slog"
	"regexp"
	"sort"
	"strings"

	"github.com/bwmarrin/discordgo"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
)

// Every command and option comes from the core's declarations
// (bot.Command, bot.Option): this file only translates them into Discord's
// application commands. It names no command.

// discordLocales are Discord's locale codes matched to the bot's supported
// languages (bot/i18n is the one list of those); Discord's English locales
// get the default name and description, so they are left out.
var discordLocales = func() map[string][]discordgo.Locale {
	all := make([]discordgo.Locale, 0, len(discordgo.Locales)+1)
	for l := range discordgo.Locales {
		all = append(all, l)
	}
	// Discord has Indonesian; discordgo v0.29 has no constant for it.
	all = append(all, "id")
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	out := map[string][]discordgo.Locale{}
	for _, l := range all {
		if l == discordgo.Unknown {
			continue
		}
		lang, ok := i18n.Match(string(l))
		if !ok || lang == i18n.Reference {
			continue
		}
		out[lang] = append(out[lang], l)
	}
	return out
}()

// localeLang is the supported language a Discord locale speaks; "" when
// none. Only locales that match one closely count.
func localeLang(l discordgo.Locale) string {
	if lang, ok := i18n.Match(string(l)); ok {
		return lang
	}
	return ""
}

// localized returns the text in every other supported language, keyed by
// Discord locale and passed through fit (which clips a description or
// refuses a name Discord would not take, returning ""); nil when text has
// no translation.
func localized(text func(lang string) string, fit func(string) string) map[discordgo.Locale]string {
	out := map[discordgo.Locale]string{}
	english := strings.TrimSpace(text(i18n.Reference))
	for _, lang := range i18n.Default().Languages() {
		t := strings.TrimSpace(text(lang))
		if lang == i18n.Reference || t == "" || t == english {
			continue
		}
		if t = fit(t); t == "" {
			continue
		}
		for _, loc := range discordLocales[lang] {
			out[loc] = t
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// shownName is the name a client in locale loc shows c under: the
// localized name applicationCommands registers for loc, else its name.
func shownName(c bot.Command, loc discordgo.Locale) string {
	if t, ok := localized(c.NameIn, fitName)[loc]; ok {
		return t
	}
	return strings.ToLower(strings.TrimPrefix(c.Name, "/"))
}

// commandName is the form Discord requires of command and option names,
// in every locale (application command naming): letters, digits, "-" and
// "_", Devanagari and Thai, 1 to 32 of them, lowercase where the script has
// case.
var commandName = regexp.MustCompile(`^[-_\p{L}\p{N}\p{Devanagari}\p{Thai}]{1,32}$`)

func validName(s string) bool { return commandName.MatchString(s) && strings.ToLower(s) == s }

// fitName is s if Discord takes it as a name, else "".
func fitName(s string) string {
	if validName(s) {
		return s
	}
	return ""
}

func fitDescription(s string) string { return clip(s, 100) }

// applicationCommands builds the slash commands for cmds: hidden ones and
// names Discord would refuse are left out. Moderators' commands are shown
// by default only to members who can manage the server (Discord has no way
// for a bot to grant them to a role; an admin does it under Server Settings
// → Integrations, see README); that is a convenience, not a check: the
// core checks every use.
func applicationCommands(cmds []bot.Command, log *slog.Logger) []*discordgo.ApplicationCommand {
	manageGuild := int64(discordgo.PermissionManageGuild)
	out := make([]*discordgo.ApplicationCommand, 0, len(cmds))
	seen := map[string]bool{}
	for _, c := range cmds {
		name := strings.ToLower(strings.TrimPrefix(c.Name, "/"))
		if c.Hidden || seen[name] {
			continue
		}
		if !validName(name) {
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
		if loc := localized(c.NameIn, fitName); loc != nil {
			ac.NameLocalizations = &loc
		}
		if c.Description != "" {
			if loc := localized(c.DescriptionIn, fitDescription); loc != nil {
				ac.DescriptionLocalizations = &loc
			}
		}
		if c.Moderator {
			ac.DefaultMemberPermissions = &manageGuild
		}
		for _, o := range c.Options {
			if !validName(o.Name) {
				log.Warn("discord: option name not allowed by Discord; not registered", "command", name, "option", o.Name)
				continue
			}
			d := strings.TrimSpace(o.DescriptionIn(i18n.Reference))
			if d == "" {
				d = o.Name
			}
			opt := &discordgo.ApplicationCommandOption{
				Type:                     discordgo.ApplicationCommandOptionString,
				Name:                     o.Name,
				Description:              clip(d, 100),
				Required:                 o.Required,
				Autocomplete:             o.Complete,
				NameLocalizations:        localized(o.NameIn, fitName),
				DescriptionLocalizations: localized(o.DescriptionIn, fitDescription),
			}
			ac.Options = append(ac.Options, opt)
		}
		// Discord wants the required options first.
		sort.SliceStable(ac.Options, func(i, j int) bool { return ac.Options[i].Required && !ac.Options[j].Required })
		out = append(out, ac)
	}
	return out
}

// declared returns the core's declaration of the command name.
func (a *Adapter) declared(name string) (bot.Command, bool) {
	for _, c := range a.commands {
		if strings.EqualFold(c.Name, name) {
			return c, true
		}
	}
	return bot.Command{}, false
}
