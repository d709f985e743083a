package directory

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
)

// This file holds the directory's bulk writes and reads: export to the seed
// file's format and import back from it. Both go through the same merge as
// the running bot (Merge) and import writes through ApplyAll, so a file
// imported here is exactly what moderators' changes would have made.

// DecodeOrganisations reads organisations in the format of the seed file
// and of `unionbot export`: a YAML document with an `organisations` list.
// Unknown fields are an error, so a typo is not silently dropped; an old
// `source` string becomes Sources[0].
func DecodeOrganisations(r io.Reader) ([]Organisation, error) {
	var file struct {
		Organisations []Organisation `yaml:"organisations"`
	}
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New("the input is empty: give a file written by `unionbot export`")
		}
		return nil, fmt.Errorf("the input is not in the export format: %w", err)
	}
	if len(file.Organisations) == 0 {
		return nil, errors.New("the input lists no organisations")
	}
	for i := range file.Organisations {
		file.Organisations[i].upgrade()
	}
	return file.Organisations, nil
}

// Current returns the directory as the store has it now: the seed merged
// with every stored change, in Merge's order. Unlike Index it reads the
// store, so it fails when the store is unreachable.
func (l *Live) Current(ctx context.Context) ([]Organisation, error) {
	stored, err := l.Changes(ctx)
	if err != nil {
		return nil, fmt.Errorf("cannot read the community changes from the store: %w", err)
	}
	return Merge(l.seed.Organisations, changeList(stored)), nil
}

// Export writes the current directory (the seed, plus approved entries and
// edits, minus delisted ones) in the seed file's format, its header comment
// included: the output can replace data/organisations.yaml, and differs
// from it only by the community's changes.
func (l *Live) Export(ctx context.Context, w io.Writer) error {
	orgs, err := l.Current(ctx)
	if err != nil {
		return err
	}
	return l.seed.WriteOrganisations(w, l.withoutDerivedCoordinates(orgs))
}

// withoutDerivedCoordinates leaves out the coordinates that loading would
// fill in anyway (those of the entry's city, province or capital), as the
// seed file does: an entry edited in the bot, which carries the coordinates
// the index gave it, then exports as it was written.
func (l *Live) withoutDerivedCoordinates(orgs []Organisation) []Organisation {
	bare := make([]Organisation, len(orgs))
	copy(bare, orgs)
	some := false
	for i := range bare {
		if bare[i].Coordinates != nil {
			bare[i].Coordinates, some = nil, true
		}
	}
	if !some {
		return orgs
	}
	x := Build(l.seed, bare)
	out := make([]Organisation, len(orgs))
	copy(out, orgs)
	for i := range out {
		p := out[i].Coordinates
		if p == nil {
			continue
		}
		if d, ok := x.Org(out[i].ID); ok && d.Coordinates != nil && *d.Coordinates == *p {
			out[i].Coordinates = nil
		}
	}
	return out
}

// ImportResult counts what Import did.
type ImportResult struct {
	Added, Changed, Unchanged, Delisted int
	// Missing counts entries listed now that the file leaves out and that
	// stayed listed (Import without Delist).
	Missing int
}

// ImportOptions tune Import.
type ImportOptions struct {
	// Delist removes entries the directory lists but the file leaves out.
	// Off by default, so that importing a short file of additions cannot
	// empty the directory.
	Delist bool
	// By is recorded as the author of the changes ("import" if empty).
	By string
	// Now stamps the changes (time.Now if zero).
	Now time.Time
}

// Import reads organisations in the export format and writes a community
// change for each entry the directory does not already list exactly so:
// the other direction of Export, for restoring a backup into an empty store
// or moving the community's data to another deployment. Importing the same
// file twice changes nothing the second time.
//
// Nothing is written unless every entry is valid: each needs an id, no id
// may appear twice, and the directory the file makes must build with no
// Problems. A store failure part-way leaves the changes written so far;
// importing again finishes the job.
func (l *Live) Import(ctx context.Context, r io.Reader, opts ImportOptions) (ImportResult, error) {
	var res ImportResult
	orgs, err := DecodeOrganisations(r)
	if err != nil {
		return res, err
	}
	if err := checkIDs(orgs); err != nil {
		return res, err
	}
	stored, err := l.Changes(ctx)
	if err != nil {
		return res, fmt.Errorf("cannot read the community changes from the store: %w", err)
	}
	before := changeList(stored)
	changes, res := l.diff(Merge(l.seed.Organisations, before), orgs, opts)
	if err := l.checkAfter(before, changes); err != nil {
		return ImportResult{}, err
	}
	if err := l.ApplyAll(ctx, changes); err != nil {
		return res, fmt.Errorf("%w (importing again finishes the job)", err)
	}
	return res, nil
}

// checkIDs refuses entries without an id or with one listed twice.
func checkIDs(orgs []Organisation) error {
	seen := map[string]bool{}
	var problems []string
	for i, o := range orgs {
		switch {
		case strings.TrimSpace(o.ID) == "":
			problems = append(problems, fmt.Sprintf("entry %d (%s) has no id", i+1, o.Name))
		case seen[o.ID]:
			problems = append(problems, fmt.Sprintf("%s is listed twice", o.ID))
		}
		seen[o.ID] = true
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "\n"))
	}
	return nil
}

// diff works out the changes that turn current into the file's entries.
func (l *Live) diff(current, file []Organisation, opts ImportOptions) ([]Change, ImportResult) {
	var res ImportResult
	now := opts.Now
	if now.IsZero() {
		now = time.Now().UTC()
	}
	by := opts.By
	if by == "" {
		by = "import"
	}
	listed := make(map[string]Organisation, len(current))
	for _, o := range current {
		listed[o.ID] = o
	}
	inFile := make(map[string]bool, len(file))
	var changes []Change
	for _, o := range file {
		inFile[o.ID] = true
		cur, ok := listed[o.ID]
		switch {
		case ok && sameOrg(cur, o):
			res.Unchanged++
			continue
		case ok:
			res.Changed++
		default:
			res.Added++
		}
		o := o
		changes = append(changes, Change{ID: o.ID, Org: &o, At: now, By: by})
	}
	var missing []string
	for id := range listed {
		if !inFile[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if !opts.Delist {
		res.Missing = len(missing)
		return changes, res
	}
	for _, id := range missing {
		changes = append(changes, Change{ID: id, Removed: true, At: now, By: by})
	}
	res.Delisted = len(missing)
	return changes, res
}

// checkAfter builds the directory the changes would make and refuses them
// if any entry would be left out of it.
func (l *Live) checkAfter(before, changes []Change) error {
	byID := make(map[string]Change, len(before)+len(changes))
	for _, c := range append(append([]Change(nil), before...), changes...) {
		byID[c.ID] = c // the file's version replaces the stored one
	}
	p := Build(l.seed, Merge(l.seed.Organisations, changeList(byID))).Problems()
	if len(p) > 0 {
		return fmt.Errorf("nothing was imported; these entries would be left out of the directory:\n%s", strings.Join(p, "\n"))
	}
	return nil
}

// changeList returns the changes of a map in a stable order (by id), so
// that two processes merge them alike.
func changeList(m map[string]Change) []Change {
	out := make([]Change, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// sameOrg compares two entries as the store would keep them, so that an
// empty list and a missing one are the same.
func sameOrg(a, b Organisation) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
