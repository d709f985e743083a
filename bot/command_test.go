package bot

import (
	"context"
	"strings"
	"testing"
)

// TestRegisterTwiceIsAnError: like net/http's ServeMux, a name is
// registered once; the second registration is refused and reported, and
// the first handler keeps answering.
func TestRegisterTwiceIsAnError(t *testing.T) {
	r := NewRouter()
	say := func(s string) func(context.Context, *Message) (*Reply, error) {
		return func(context.Context, *Message) (*Reply, error) { return Text(s), nil }
	}
	r.RegisterFunc(Command{Name: "find"}, say("first"))
	if err := r.Err(); err != nil {
		t.Fatalf("Err after one registration = %v", err)
	}
	r.RegisterFunc(Command{Name: "find"}, say("second"))
	r.RegisterFunc(Command{Name: ""}, say("nameless"))
	err := r.Err()
	if err == nil || !strings.Contains(err.Error(), "/find is registered twice") || !strings.Contains(err.Error(), "no name") {
		t.Fatalf("Err = %v, want the duplicate /find and the nameless command", err)
	}
	if n := len(r.Commands()); n != 1 {
		t.Errorf("%d commands listed, want 1", n)
	}
	rep, _ := r.Handle(context.Background(), &Message{Text: "/find x", Chat: Chat{Private: true}})
	if rep == nil || PlainText(rep.Blocks[0]) != "first" {
		t.Errorf("/find answered %+v, want the first handler", rep)
	}
}

// TestCoreDeclaresCommands: the core's registrations carry what platforms
// need (options, public, group menus), and their catalog keys exist.
func TestCoreDeclaresCommands(t *testing.T) {
	b := MustBot(t)
	byName := map[string]Command{}
	for _, c := range b.Router().Commands() {
		byName[c.Name] = c
	}
	find := byName["find"]
	if len(find.Options) != 1 || find.Options[0].Name != "place" || !find.Options[0].Required || !find.Options[0].Complete || find.Public || !find.Groups {
		t.Errorf("/find = %+v", find)
	}
	if !byName["help"].Public || !byName["network"].Public || byName["privacy"].Public {
		t.Errorf("public flags: help %v network %v privacy %v", byName["help"].Public, byName["network"].Public, byName["privacy"].Public)
	}
	for _, c := range byName {
		for _, o := range c.Options {
			if o.DescriptionIn("fr") == "" {
				t.Errorf("/%s option %s has no description in the catalog (key %q)", c.Name, o.Name, o.Key)
			}
		}
	}
}
