package main

import (
	"strings"
	"testing"

	"github.com/unionbot/unionbot/bot/discord/discordtest"
)

// TestDiscordModChannelPermissions: a moderators' channel where the bot
// cannot embed links is reported by `check` (with what to fix) and by
// /readyz; `check` also says what an admin sets for the moderator roles.
func TestDiscordModChannelPermissions(t *testing.T) {
	dc := discordtest.New(t)
	dc.SetPermissions(discordtest.Permissions{Everyone: 1<<10 | 1<<11}) // view and send, no embed links
	env := map[string]string{
		"UNIONBOT_DATA_DIR":            t.TempDir(),
		"UNIONBOT_DISCORD_TOKEN":       "perms-discord-secret",
		"UNIONBOT_DISCORD_API_BASE":    dc.APIBase(),
		"UNIONBOT_DISCORD_GUILD":       discordtest.GuildID,
		"UNIONBOT_DISCORD_MOD_CHANNEL": discordtest.ChannelID,
		"UNIONBOT_DISCORD_MOD_ROLES":   "700000000000000001",
		"UNIONBOT_HTTP_ADDR":           "127.0.0.1:0",
	}
	code, out, _ := runBot(t, env, "", "check")
	if code != 1 || !strings.Contains(out, "lacks Embed Links in channel "+discordtest.ChannelID) {
		t.Errorf("check: exit %d, output:\n%s\nwant exit 1 and the missing Embed Links", code, out)
	}
	if !strings.Contains(out, "Server Settings → Integrations → unionbot") {
		t.Errorf("check does not say what an admin must set for the moderator roles:\n%s", out)
	}

	app, _ := opsStart(t, env)
	base := opsHTTPAddr(t, app)
	dc.WaitFor(t, discordtest.All(discordtest.CommandOverwrite(), discordtest.OK()), opsWait)
	if code, body := opsGet(t, base+"/readyz"); code != 503 || !strings.Contains(body, "discord: the bot lacks Embed Links in the moderators' channel") {
		t.Errorf("/readyz = %d %q, want 503 naming the missing permission", code, body)
	}

	dc.SetPermissions(discordtest.Permissions{Everyone: 1<<10 | 1<<11 | 1<<14})
	if code, out, _ := runBot(t, env, "", "check"); code != 0 || !strings.Contains(out, "can post cards in the moderators' channel") {
		t.Errorf("check with every permission: exit %d\n%s", code, out)
	}
}
