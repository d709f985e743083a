package directory

import (
	"bytes"
	"flag"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

var updateSeed = flag.Bool("update-seed", false, "rewrite data/organisations.yaml in the format WriteOrganisations writes")

// The seed file is in the format export writes, so an export of an
// unchanged directory is the seed file byte for byte. After editing the
// file by hand, `go test ./directory -run SeedFileIsCanonical -update-seed`
// puts it back in that format (and keeps its header comment).
func TestSeedFileIsCanonical(t *testing.T) {
	seed := mustSeed(t)
	var buf bytes.Buffer
	if err := seed.WriteOrganisations(&buf, seed.Organisations); err != nil {
		t.Fatal(err)
	}
	if *updateSeed {
		if err := os.WriteFile("data/organisations.yaml", buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	file, err := seedFiles.ReadFile("data/organisations.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), file) {
		// got is the file's line, want what export writes.
		t.Fatalf("organisations.yaml is not in the export format (run with -update-seed): %s", FirstDiff(strings.Split(string(file), "\n"), strings.Split(buf.String(), "\n")))
	}
	if !strings.HasPrefix(seed.Header, "# Peer-run organisations") {
		t.Errorf("header = %q", seed.Header)
	}
}

// What WriteOrganisations writes decodes back to the same entries, however
// odd their strings.
func TestWriteOrganisationsRoundTrip(t *testing.T) {
	seed := mustSeed(t)
	odd := []string{"yes", "null", "1984", "a: b", "#hash", "- dash", "a, b", "[x]", " padded ", `quo"te`, `back\slash`,
		"new\nline", "tab\there", "bidi \u202e text", "zero\u200bwidth", "Méta d'Âme", "& anchor", "*alias", "!tag", "@at", "`tick", "'single'", "%pct", "x #y", "~"}
	var orgs []Organisation
	for i, s := range odd {
		orgs = append(orgs, Organisation{
			ID: "odd" + string(rune('a'+i)), Name: s, Acronym: s, OtherNames: []string{s, "plain"}, Kind: KindLocal,
			Countries: []string{"CA"}, City: s, Serves: []string{s}, Coordinates: &Point{49.25, -123.1},
			Websites: []string{"https://example.org/" + s}, Social: []string{s}, Description: s, Languages: []string{"en"},
			Status: StatusClosed, Ally: true, Verified: "2026-12-01",
			Sources: []Source{{Title: s, URL: "https://example.org/?q=" + s, Date: "2026", Note: s}, {Title: "t", Date: Undated}},
		})
	}
	orgs = append(orgs, seed.Organisations...)
	var buf bytes.Buffer
	if err := seed.WriteOrganisations(&buf, orgs); err != nil {
		t.Fatal(err)
	}
	var back struct {
		Organisations []Organisation `yaml:"organisations"`
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(&back); err != nil {
		t.Fatalf("output does not decode: %v\n%s", err, buf.String())
	}
	want := map[string]Organisation{}
	for _, o := range orgs {
		want[o.ID] = o
	}
	if len(back.Organisations) != len(orgs) {
		t.Fatalf("%d entries back, wrote %d", len(back.Organisations), len(orgs))
	}
	for _, o := range back.Organisations {
		if w := want[o.ID]; !reflect.DeepEqual(o, w) {
			t.Errorf("entry %s came back as\n%+v\nwant\n%+v", o.ID, o, w)
		}
	}
}

// FuzzWriteOrganisations: whatever strings an entry holds (a moderator can
// type almost anything), what export writes decodes back to the same entry.
func FuzzWriteOrganisations(f *testing.F) {
	seed := mustSeed(f)
	for _, s := range []string{"", "yes", "a: b", "#x", "\u202e", "x\ny", `"q"`, "- a", "[a, b]", "Méta d'Âme", "\x00", "\xff"} {
		f.Add(s, s, s)
	}
	f.Fuzz(func(t *testing.T, name, note, item string) {
		if !utf8.ValidString(name) || !utf8.ValidString(note) || !utf8.ValidString(item) {
			t.Skip("YAML holds UTF-8 text only; the bot cleans input to it")
		}
		o := Organisation{ID: "x", Name: name, Kind: KindLocal, Countries: []string{"CA"}, OtherNames: []string{item},
			Serves: []string{item}, Websites: []string{item}, Description: note,
			Sources: []Source{{Title: name, URL: item, Date: "2026", Note: note}}, Verified: "2026"}
		var buf bytes.Buffer
		if err := seed.WriteOrganisations(&buf, []Organisation{o}); err != nil {
			t.Fatal(err)
		}
		got, err := DecodeOrganisations(&buf)
		if err != nil {
			t.Fatalf("output does not decode: %v\n%s", err, buf.String())
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], o) {
			t.Fatalf("round trip changed the entry:\n%#v\n%#v\n%s", got, o, buf.String())
		}
	})
}
