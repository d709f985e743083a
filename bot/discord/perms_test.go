package discord

import (
	"context"
	"strings"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/unionbot/unionbot/bot/discord/discordtest"
)

const (
	view  = discordgo.PermissionViewChannel
	send  = discordgo.PermissionSendMessages
	embed = discordgo.PermissionEmbedLinks
)

// TestEffectivePermissions follows Discord's documented order: roles,
// Administrator, then the @everyone, role and member overwrites.
func TestEffectivePermissions(t *testing.T) {
	const g, me, mod = "1", "2", "3"
	roles := []*discordgo.Role{{ID: g, Permissions: view | send}, {ID: mod, Permissions: embed}, {ID: "9", Permissions: discordgo.PermissionAdministrator}}
	role, member := discordgo.PermissionOverwriteTypeRole, discordgo.PermissionOverwriteTypeMember
	for _, c := range []struct {
		name  string
		mine  []string
		ows   []*discordgo.PermissionOverwrite
		check int64
		want  bool
	}{
		{"roles add up", []string{mod}, nil, view | send | embed, true},
		{"without the role", nil, nil, embed, false},
		{"@everyone denied view", []string{mod}, []*discordgo.PermissionOverwrite{{ID: g, Type: role, Deny: view}}, view, false},
		{"a role's overwrite allows it back", []string{mod}, []*discordgo.PermissionOverwrite{{ID: g, Type: role, Deny: view}, {ID: mod, Type: role, Allow: view}}, view, true},
		{"the member's overwrite denies last", []string{mod}, []*discordgo.PermissionOverwrite{{ID: mod, Type: role, Allow: send}, {ID: me, Type: member, Deny: send}}, send, false},
		{"another role's overwrite does not apply", nil, []*discordgo.PermissionOverwrite{{ID: mod, Type: role, Allow: embed}}, embed, false},
		{"administrator overrides overwrites", []string{"9"}, []*discordgo.PermissionOverwrite{{ID: g, Type: role, Deny: view}}, view | send | embed, true},
	} {
		got := effective(g, me, c.mine, roles, c.ows)&c.check == c.check
		if got != c.want {
			t.Errorf("%s: has %b = %v, want %v", c.name, c.check, got, c.want)
		}
	}
}

// TestModChannelPermissionsOnTheWire: at start the adapter reads the
// moderators' channel through the real client and reports what it lacks;
// `check` gets the same answer.
func TestModChannelPermissionsOnTheWire(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t)
	fake.SetPermissions(discordtest.Permissions{
		Everyone:   view | send,
		BotRoles:   map[string]int64{"700000000000000001": embed},
		Overwrites: []discordtest.Overwrite{{ID: discordtest.GuildID, Type: 0, Deny: send | view}, {ID: "700000000000000001", Type: 0, Allow: view}},
	})
	cfg := Config{Token: testToken, APIBase: fake.APIBase(), Commands: testCommands(t), ModChannel: discordtest.ChannelID}
	a, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, MustBot(t)) }()
	defer func() { cancel(); <-done }()
	// The channel is checked before the commands are registered.
	fake.WaitFor(t, discordtest.All(discordtest.CommandOverwrite(), discordtest.OK()), wait)
	problems := a.Problems()
	if len(problems) != 1 || !strings.Contains(problems[0], "Send Messages") || strings.Contains(problems[0], "View Channel") || strings.Contains(problems[0], "Embed Links") {
		t.Errorf("Problems = %q, want Send Messages alone", problems)
	}
	err = CheckModChannel(context.Background(), cfg, discordtest.ChannelID)
	if err == nil || !strings.Contains(err.Error(), "Send Messages") {
		t.Errorf("CheckModChannel = %v", err)
	}

	fake.SetPermissions(discordtest.Permissions{Everyone: view | send | embed})
	if err := CheckModChannel(context.Background(), cfg, discordtest.ChannelID); err != nil {
		t.Errorf("CheckModChannel with every permission = %v", err)
	}
}
