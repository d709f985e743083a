package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/unionbot/unionbot/directory"
)

// ImportResult counts what Import did.
type ImportResult struct {
	Added, Changed, Unchanged, Delisted int
	// Missing counts entries listed now that the file leaves out and that
	// were left listed (Import without delist).
	Missing int
}

// Import reads organisations in the format `unionbot export` writes (and
// the seed is in) and writes a community change for each entry that the
// directory does not already list exactly so: the other direction of
// Export, for restoring a backup into an empty store or moving the
// community's data to another deployment. Importing the same file twice
// changes nothing the second time.
//
// Entries the directory lists but the file leaves out are delisted only
// when delist is true, so that importing a short file of additions cannot
// empty the directory.
//
// Nothing is written unless every entry is valid: each needs an id, no id
// may appear twice, and each must refer to known places.
func (a *App) Import(ctx context.Context, r io.Reader, delist bool) (ImportResult, error) {
	var res ImportResult
	var file struct {
		Organisations []directory.Organisation `yaml:"organisations"`
	}
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		if errors.Is(err, io.EOF) {
			return res, errors.New("the input is empty: give a file written by `unionbot export`")
		}
		return res, fmt.Errorf("the input is not in the export format: %w", err)
	}
	if len(file.Organisations) == 0 {
		return res, errors.New("the input lists no organisations")
	}
	seen := map[string]bool{}
	var problems []string
	for i, o := range file.Organisations {
		switch {
		case strings.TrimSpace(o.ID) == "":
			problems = append(problems, fmt.Sprintf("entry %d (%s) has no id", i+1, o.Name))
		case seen[o.ID]:
			problems = append(problems, fmt.Sprintf("%s is listed twice", o.ID))
		}
		seen[o.ID] = true
	}
	if len(problems) > 0 {
		return res, errors.New(strings.Join(problems, "\n"))
	}

	stored, err := a.dir.Changes(ctx)
	if err != nil {
		return res, fmt.Errorf("cannot read the community changes from the store: %w", err)
	}
	current := map[string]directory.Organisation{}
	list := make([]directory.Change, 0, len(stored))
	for _, c := range stored {
		list = append(list, c)
	}
	for _, o := range directory.Merge(a.seed.Organisations, list) {
		current[o.ID] = o
	}

	// Work out the changes, then check the directory they make.
	now := time.Now().UTC()
	var changes []directory.Change
	for _, o := range file.Organisations {
		cur, listed := current[o.ID]
		switch {
		case listed && sameOrg(cur, o):
			res.Unchanged++
			continue
		case listed:
			res.Changed++
		default:
			res.Added++
		}
		o := o
		changes = append(changes, directory.Change{ID: o.ID, Org: &o, At: now, By: "import"})
	}
	var missing []string
	for id := range current {
		if !seen[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if delist {
		for _, id := range missing {
			changes = append(changes, directory.Change{ID: id, Removed: true, At: now, By: "import"})
		}
		res.Delisted = len(missing)
	} else {
		res.Missing = len(missing)
	}
	byID := map[string]directory.Change{}
	for _, c := range append(list, changes...) {
		byID[c.ID] = c // the file's version replaces the stored one
	}
	after := make([]directory.Change, 0, len(byID))
	for _, c := range byID {
		after = append(after, c)
	}
	if p := directory.Build(a.seed, directory.Merge(a.seed.Organisations, after)).Problems(); len(p) > 0 {
		return ImportResult{}, fmt.Errorf("nothing was imported; these entries would be left out of the directory:\n%s", strings.Join(p, "\n"))
	}

	for i, c := range changes {
		b, err := json.Marshal(c)
		if err != nil {
			return res, err
		}
		if _, err := a.store.Update(ctx, directory.ChangesCollection, c.ID, func([]byte) ([]byte, error) { return b, nil }); err != nil {
			return res, fmt.Errorf("stopped after %d of %d changes (importing again finishes the job): %w", i, len(changes), err)
		}
	}
	if len(changes) > 0 {
		if err := a.dir.Refresh(ctx); err != nil {
			return res, err
		}
	}
	return res, nil
}

// sameOrg compares two entries as the store would keep them, so that an
// empty list and a missing one are the same.
func sameOrg(a, b directory.Organisation) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// runImport is `unionbot import [-delist-missing] [file]`.
func (a *App) runImport(ctx context.Context, in io.Reader, out io.Writer, delist bool) error {
	res, err := a.Import(ctx, in, delist)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "imported: %d added, %d changed, %d already as in the file", res.Added, res.Changed, res.Unchanged)
	if delist {
		fmt.Fprintf(out, ", %d delisted", res.Delisted)
	}
	fmt.Fprintln(out)
	if res.Missing > 0 {
		fmt.Fprintf(out, "%d listed entries are not in the file and stay listed (use -delist-missing to delist them)\n", res.Missing)
	}
	return nil
}
