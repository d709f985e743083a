package directory_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/unionbot/unionbot/bot/i18n"
	"github.com/unionbot/unionbot/directory"
	"github.com/unionbot/unionbot/store/bothstores"
)

func newLive(t *testing.T) (*directory.Live, *directory.Seed) {
	t.Helper()
	seed, err := directory.LoadSeed(i18n.Tags()...)
	if err != nil {
		t.Fatal(err)
	}
	st := bothstores.Bolt(t)
	l := directory.NewLive(seed, st, slog.New(slog.DiscardHandler))
	if err := l.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return l, seed
}

// An export of an unchanged directory is the seed file, byte for byte, so
// that an export can replace the seed file.
func TestExportOfTheSeedIsTheSeedFile(t *testing.T) {
	l, _ := newLive(t)
	var buf bytes.Buffer
	if err := l.Export(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	want, err := directory.SeedFile("organisations.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("export differs from organisations.yaml (%d bytes, want %d)", buf.Len(), len(want))
	}
}

// An export after changes differs from the seed file only by them: the
// edited entry in place, the new one at the end of its country's group,
// the delisted one gone.
func TestExportDiffersOnlyByTheChanges(t *testing.T) {
	ctx := context.Background()
	l, _ := newLive(t)
	vandu, _ := l.Index().Org("vandu")
	edited := *vandu
	edited.Description = "Edited by a moderator."
	added := directory.Organisation{ID: "a-new-union", Name: "A New Union", Kind: directory.KindLocal, Countries: []string{"KE"}, City: "Nairobi",
		Sources: []directory.Source{{Title: "community suggestion", Date: "2026-12-01"}}, Verified: "2026-12-01"}
	at := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	if err := l.ApplyAll(ctx, []directory.Change{
		{ID: "vandu", Org: &edited, At: at},
		{ID: added.ID, Org: &added, At: at},
		{ID: "tduu", Removed: true, At: at},
	}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := l.Export(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	file, _ := directory.SeedFile("organisations.yaml")
	got, want := lines(buf.String()), lines(string(file))
	// Remove the expected differences and compare the rest.
	var wantEdited []string
	for _, s := range want {
		if strings.Contains(s, vandu.Description) {
			s = strings.Replace(s, vandu.Description, edited.Description, 1)
		}
		wantEdited = append(wantEdited, s)
	}
	wantEdited = dropEntry(wantEdited, "tduu")
	if gotOthers := dropEntry(got, added.ID); strings.Join(gotOthers, "\n") != strings.Join(wantEdited, "\n") {
		t.Errorf("export differs from the seed file beyond the changes:\n%s", directory.FirstDiff(gotOthers, wantEdited))
	}
	// The new entry sits at the end of the Kenya group, before Nepal.
	out := buf.String()
	if k, n, a := strings.Index(out, "  # Kenya"), strings.Index(out, "  # Nepal"), strings.Index(out, "id: a-new-union"); !(k < a && a < n) {
		t.Errorf("new entry at %d, want between Kenya (%d) and Nepal (%d)", a, k, n)
	}
}

// Import is the other direction: importing an export into an empty store
// restores it, and importing it again writes nothing.
func TestImportRestoresAndIsIdempotent(t *testing.T) {
	ctx := context.Background()
	src, _ := newLive(t)
	o := directory.Organisation{ID: "x-union", Name: "X Union", Kind: directory.KindNational, Countries: []string{"NP"},
		Serves: []string{"Kathmandu, NP"}, Sources: []directory.Source{{Title: "a page", URL: "https://example.org", Date: "2026"}}, Verified: "2026"}
	if err := src.Apply(ctx, directory.Change{ID: o.ID, Org: &o, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var backup bytes.Buffer
	if err := src.Export(ctx, &backup); err != nil {
		t.Fatal(err)
	}

	dst, _ := newLive(t)
	res, err := dst.Import(ctx, bytes.NewReader(backup.Bytes()), directory.ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Added != 1 || res.Changed != 0 || res.Missing != 0 {
		t.Errorf("first import = %+v, want 1 added", res)
	}
	if got, ok := dst.Index().Org("x-union"); !ok || got.Serves[0] != "Kathmandu, NP" || got.MainSource().URL != "https://example.org" {
		t.Errorf("imported entry = %+v", got)
	}
	res, err = dst.Import(ctx, bytes.NewReader(backup.Bytes()), directory.ImportOptions{})
	if err != nil || res.Added+res.Changed+res.Delisted != 0 {
		t.Errorf("second import = %+v, %v; want nothing written", res, err)
	}
	changes, _ := dst.Changes(ctx)
	if len(changes) != 1 {
		t.Errorf("%d changes stored, want 1", len(changes))
	}
	var restored bytes.Buffer
	if err := dst.Export(ctx, &restored); err != nil || restored.String() != backup.String() {
		t.Errorf("export after import differs from the backup (%v)", err)
	}
}

// An old export, with `source:` strings, still imports; its entries are
// stored with sources.
func TestImportUpgradesOldSource(t *testing.T) {
	ctx := context.Background()
	l, _ := newLive(t)
	in := "organisations:\n  - id: old-union\n    name: Old Union\n    kind: national\n    countries: [NP]\n    source: \"reader comment\"\n    verified: \"2017-01\"\n"
	if _, err := l.Import(ctx, strings.NewReader(in), directory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	o, ok := l.Index().Org("old-union")
	if !ok || o.MainSource() != (directory.Source{Title: "reader comment", Date: "2017-01"}) || o.Source != "" {
		t.Errorf("imported old entry = %+v", o)
	}
}

func TestImportRefusesBadEntries(t *testing.T) {
	ctx := context.Background()
	l, _ := newLive(t)
	for _, tc := range []struct{ in, want string }{
		{"", "empty"},
		{"organisations: []\n", "no organisations"},
		{"organisations:\n  - id: a\n    name: A\n    kind: national\n    countries: [NP]\n    colour: red\n", "not in the export format"},
		{"organisations:\n  - id: a\n    name: A\n    kind: national\n    countries: [NP]\n    serves: [Atlantis]\n", "nothing was imported"},
		{"organisations:\n  - id: a\n    name: A\n    kind: national\n    countries: [NP]\n    status: gone\n", "unknown status"},
	} {
		if _, err := l.Import(ctx, strings.NewReader(tc.in), directory.ImportOptions{}); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("import of %q: %v, want %q", tc.in, err, tc.want)
		}
	}
	if changes, _ := l.Changes(ctx); len(changes) != 0 {
		t.Errorf("refused imports wrote %d changes", len(changes))
	}
}

func lines(s string) []string { return strings.Split(s, "\n") }

// dropEntry removes the lines of entry id (from "  - id: <id>" up to the
// blank line after it).
func dropEntry(ls []string, id string) []string {
	var out []string
	skip := false
	for _, s := range ls {
		if s == "  - id: "+id {
			skip = true
			if n := len(out); n > 0 && out[n-1] == "" {
				out = out[:n-1]
			}
			continue
		}
		if skip && (s == "" || strings.HasPrefix(s, "  - id: ") || strings.HasPrefix(s, "  # ")) {
			skip = false
		}
		if !skip {
			out = append(out, s)
		}
	}
	return out
}
