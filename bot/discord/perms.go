package discord

import (
	"context"
	"fmt"
	"strings"

	"github.com/bwmarrin/discordgo"
)

// ModeratorSetup says what a server admin must do so that the moderator
// roles can use the moderators' commands. Discord lets no bot grant a
// command to a role: the commands are registered for members who can
// manage the server (default_member_permissions), and an admin widens
// them by hand. The core still checks every use against the configured
// roles, so this setting only decides who sees the commands.
const ModeratorSetup = "Discord shows the moderators' commands only to members with Manage Server. " +
	"To give them to the moderator roles (UNIONBOT_DISCORD_MOD_ROLES): Server Settings → Integrations → " +
	"unionbot → Manage, then for each moderators' command add those roles and allow them. " +
	"The bot checks the roles itself on every use, so this only decides who sees the commands."

// needed are the permissions the bot must have in the moderators' channel
// to post cards there: see it, send messages, and show embeds.
var needed = []struct {
	bit  int64
	name string
}{
	{discordgo.PermissionViewChannel, "View Channel"},
	{discordgo.PermissionSendMessages, "Send Messages"},
	{discordgo.PermissionEmbedLinks, "Embed Links"},
}

// MissingPermissions reports which of the permissions the bot needs to
// post moderators' cards (View Channel, Send Messages, Embed Links) it
// lacks in the channel, by Discord's rules: the server's @everyone role and
// the bot's roles, then the channel's overwrites for @everyone, for the
// bot's roles and for the bot itself. An empty list means it can post. It
// reads the channel, the server's roles and the bot's membership.
func (a *Adapter) MissingPermissions(ctx context.Context, channelID string) ([]string, error) {
	ch, err := a.s.Channel(channelID, discordgo.WithContext(ctx))
	if err != nil {
		return nil, a.restErr("reading the moderators' channel", err)
	}
	if ch.GuildID == "" {
		return nil, nil // a direct message or group DM: no permissions apply
	}
	me, err := a.s.User("@me", discordgo.WithContext(ctx))
	if err != nil {
		return nil, a.restErr("reading the bot's user", err)
	}
	roles, err := a.s.GuildRoles(ch.GuildID, discordgo.WithContext(ctx))
	if err != nil {
		return nil, a.restErr("reading the server's roles", err)
	}
	member, err := a.s.GuildMember(ch.GuildID, me.ID, discordgo.WithContext(ctx))
	if err != nil {
		return nil, a.restErr("reading the bot's membership of the server", err)
	}
	perms := effective(ch.GuildID, me.ID, member.Roles, roles, ch.PermissionOverwrites)
	var missing []string
	for _, n := range needed {
		if perms&n.bit == 0 {
			missing = append(missing, n.name)
		}
	}
	return missing, nil
}

// effective computes a member's permissions in a channel as Discord
// documents it ("Permission Overwrites"): the @everyone role (whose id is
// the server's) and the member's roles, Administrator granting all; then
// the @everyone overwrite, the roles' overwrites together, and the
// member's own, each denying before allowing.
func effective(guildID, userID string, memberRoles []string, roles []*discordgo.Role, overwrites []*discordgo.PermissionOverwrite) int64 {
	has := map[string]bool{}
	for _, r := range memberRoles {
		has[r] = true
	}
	var base int64
	for _, r := range roles {
		if r.ID == guildID || has[r.ID] {
			base |= r.Permissions
		}
	}
	if base&discordgo.PermissionAdministrator != 0 {
		return discordgo.PermissionAll
	}
	var everyone, member *discordgo.PermissionOverwrite
	var allow, deny int64
	for _, o := range overwrites {
		switch {
		case o.Type == discordgo.PermissionOverwriteTypeRole && o.ID == guildID:
			everyone = o
		case o.Type == discordgo.PermissionOverwriteTypeRole && has[o.ID]:
			allow |= o.Allow
			deny |= o.Deny
		case o.Type == discordgo.PermissionOverwriteTypeMember && o.ID == userID:
			member = o
		}
	}
	if everyone != nil {
		base = base&^everyone.Deny | everyone.Allow
	}
	base = base&^deny | allow
	if member != nil {
		base = base&^member.Deny | member.Allow
	}
	return base
}

// checkModChannel looks at the moderators' channel once connected and
// keeps what is missing for Problems; a channel that cannot be read is a
// problem too.
func (a *Adapter) checkModChannel(ctx context.Context) {
	if a.modChannel == "" {
		return
	}
	missing, err := a.MissingPermissions(ctx, a.modChannel)
	var problem string
	switch {
	case err != nil:
		problem = "cannot check the moderators' channel (UNIONBOT_DISCORD_MOD_CHANNEL): " + err.Error()
	case len(missing) > 0:
		problem = "the bot lacks " + strings.Join(missing, ", ") + " in the moderators' channel (UNIONBOT_DISCORD_MOD_CHANNEL): cards cannot be posted there"
	}
	if problem != "" {
		a.log.Warn("discord: " + problem)
	}
	a.problem.Store(&problem)
}

// Problems lists what stops the adapter doing its whole job, as found at
// start (the moderators' channel's permissions); empty when nothing does.
// /readyz and `unionbot check` report it.
func (a *Adapter) Problems() []string {
	p := a.problem.Load()
	if p == nil || *p == "" {
		return nil
	}
	return []string{*p}
}

// CheckModChannel is MissingPermissions for `unionbot check`, which has no
// running adapter: it builds one from cfg, asks, and says what to fix.
func CheckModChannel(ctx context.Context, cfg Config, channelID string) error {
	a, err := New(cfg, nil)
	if err != nil {
		return err
	}
	missing, err := a.MissingPermissions(ctx, channelID)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return fmt.Errorf("the bot lacks %s in channel %s: give its role these permissions there (channel → Edit Channel → Permissions)",
			strings.Join(missing, ", "), channelID)
	}
	return nil
}
