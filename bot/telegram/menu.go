package telegram

import (
	"context"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/unionbot/unionbot/bot"
	"github.com/unionbot/unionbot/bot/i18n"
)

// maxMenuChats bounds the moderators whose menus are set: each costs two
// calls per language at every start.
const maxMenuChats = 25

// menuScope is one of the command menus: where it shows and which of the
// declared commands it lists.
type menuScope struct {
	name  string // for the log; never an id
	scope tgbotapi.BotCommandScope
	lists func(bot.Command) bool
	// quiet: a refusal is routine (a moderator who never opened a private
	// chat with the bot: Telegram knows no such chat yet).
	quiet bool
}

// scopes are the menus, derived from the commands' declarations; no
// command is named here. Telegram shows a person the most specific menu
// set for them where they are, so the chat and member scopes replace the
// group and private ones there.
//   - private chats: every command but the moderators' ones;
//   - groups, the moderators' chat included: the commands that belong in
//     groups (Command.Groups);
//   - each moderator, in the moderators' chat (chat_member scope): those,
//     and the moderators' commands, which everyone else there does not
//     see;
//   - each moderator's private chat: every command.
//
// Hidden commands are never listed.
func (a *Adapter) scopes() []menuScope {
	user := func(c bot.Command) bool { return !c.Moderator }
	group := func(c bot.Command) bool { return c.Groups && !c.Moderator }
	mods := func(c bot.Command) bool { return c.Groups || c.Moderator }
	all := func(bot.Command) bool { return true }
	out := []menuScope{
		{name: "private chats", scope: tgbotapi.NewBotCommandScopeAllPrivateChats(), lists: user},
		{name: "groups", scope: tgbotapi.NewBotCommandScopeAllGroupChats(), lists: group},
	}
	modChat, err := strconv.ParseInt(strings.TrimSpace(a.cfg.ModChat), 10, 64)
	if err != nil || modChat >= 0 {
		modChat = 0
	}
	n := 0
	for _, s := range a.cfg.Moderators {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || id <= 0 {
			continue
		}
		if n++; n > maxMenuChats {
			a.log.Warn("telegram: more moderators than menus set; the others see the ordinary menus", "menus", maxMenuChats)
			break
		}
		if modChat != 0 {
			out = append(out, menuScope{name: "a moderator in the moderators' chat", scope: tgbotapi.NewBotCommandScopeChatMember(modChat, id), lists: mods})
		}
		out = append(out, menuScope{name: "a moderator's private chat", scope: tgbotapi.NewBotCommandScopeChat(id), lists: all, quiet: true})
	}
	return out
}

// setCommands publishes the command menus, each in English for everyone
// and once per other supported language, which Telegram shows to users
// whose app is set to it. A failure is logged, not fatal: commands typed
// by hand still work.
func (a *Adapter) setCommands(ctx context.Context) {
	for _, sc := range a.scopes() {
		for _, lang := range i18n.Default().Languages() {
			cmds := a.menu(lang, sc.lists)
			cfg := tgbotapi.NewSetMyCommandsWithScope(sc.scope, cmds...)
			if len(cmds) == 0 {
				cfg.Commands = []tgbotapi.BotCommand{} // an empty menu, not a missing parameter
			}
			if lang != i18n.Reference {
				cfg.LanguageCode = lang
			}
			err := a.call(ctx, "setMyCommands", func(ctx context.Context) error {
				_, err := a.api.Request(ctx, cfg)
				return err
			})
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				if sc.quiet {
					a.log.Debug("telegram: could not set a command menu", "menu", sc.name, "err", err)
				} else {
					a.log.Warn("telegram: could not set a command menu", "menu", sc.name, "lang", lang, "err", err)
				}
				break // the other languages of this menu would fail alike
			}
		}
	}
}

// menu is the commands lists accepts, with descriptions in lang; English
// is the commands' own descriptions.
func (a *Adapter) menu(lang string, lists func(bot.Command) bool) []tgbotapi.BotCommand {
	var cmds []tgbotapi.BotCommand
	seen := map[string]bool{}
	for _, c := range a.cfg.Commands {
		if c.Hidden || !lists(c) {
			continue
		}
		name := strings.ToLower(strings.TrimPrefix(c.Name, "/"))
		if !commandName.MatchString(name) || seen[name] {
			if lang == i18n.Reference {
				a.log.Debug("telegram: command left out of the menu", "command", name)
			}
			continue
		}
		seen[name] = true
		desc := c.Description
		if lang != i18n.Reference {
			desc = c.DescriptionIn(lang)
		}
		desc = strings.Join(strings.Fields(desc), " ")
		if desc == "" {
			desc = "/" + name
		}
		cmds = append(cmds, tgbotapi.BotCommand{Command: name, Description: truncate(desc, 256)})
		if len(cmds) == 100 {
			break
		}
	}
	return cmds
}
