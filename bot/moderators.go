package bot

import "context"

// Moderators is who may decide on suggestions. It is checked by the core for
// every message, because buttons and forms can be forged: a platform's
// payload never makes anyone a moderator.
type Moderators struct {
	// Users are "platform:user-id" keys ("telegram:12345", "console:operator").
	Users map[string]bool
	// Roles are "platform:role-id" keys ("discord:1122334455").
	Roles map[string]bool
	// AdminSpaces are "platform:space-id" keys of servers whose own admins
	// (Discord's Manage Server) count as moderators. Admins of any other
	// server do not: anyone can make a server and add the bot to it.
	AdminSpaces map[string]bool
}

// Is reports whether the sender of m is a moderator.
func (p Moderators) Is(m *Message) bool {
	if m.User.ID != "" && p.Users[m.Platform+":"+m.User.ID] {
		return true
	}
	for _, r := range m.User.Roles {
		if p.Roles[m.Platform+":"+r] {
			return true
		}
	}
	return m.User.Admin && m.Chat.Space != "" && p.AdminSpaces[m.Platform+":"+m.Chat.Space]
}

// Middleware sets Message.Moderator from the policy, overriding whatever an
// adapter put there.
func (p Moderators) Middleware() Middleware {
	return func(next Handler) Handler {
		return HandlerFunc(func(ctx context.Context, m *Message) (*Reply, error) {
			m.Moderator = p.Is(m)
			return next.Handle(ctx, m)
		})
	}
}
