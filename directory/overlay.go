package directory

import (
	"slices"
	"time"
)

// Change is a community change on top of the seed: an organisation added or
// edited by moderators (Org set), or delisted (Removed). Changes are what
// the store keeps; the seed itself stays in the binary.
type Change struct {
	ID      string        `json:"id"`
	Org     *Organisation `json:"org,omitempty"`
	Removed bool          `json:"removed,omitempty"`
	// At and By say when and by which moderator (a display name, not a
	// platform id) the change was made.
	At time.Time `json:"at"`
	By string    `json:"by,omitempty"`
}

// Merge applies changes to the seed's organisations: a change with the id of
// a seed entry replaces or removes it, any other adds an entry. Because the
// seed is never copied into the store, a new seed takes effect on start while
// every moderator's change still wins over it.
func Merge(seed []Organisation, changes []Change) []Organisation {
	byID := make(map[string]Change, len(changes))
	for _, c := range changes {
		byID[c.ID] = c
	}
	out := make([]Organisation, 0, len(seed)+len(changes))
	for _, o := range seed {
		c, ok := byID[o.ID]
		if !ok {
			out = append(out, o)
			continue
		}
		delete(byID, o.ID)
		if !c.Removed && c.Org != nil {
			out = append(out, *c.Org)
		}
	}
	// Additions in a stable order, so two processes build the same index:
	// by the time of their last change, then by id. An index kept up to
	// date by Index.With appends an addition, or an edited one, at the end,
	// which is this order when changes come in time order.
	added := make([]Change, 0, len(byID))
	for _, c := range changes {
		if last, ok := byID[c.ID]; ok {
			delete(byID, c.ID)
			if !last.Removed && last.Org != nil {
				added = append(added, last)
			}
		}
	}
	slices.SortStableFunc(added, changeOrder)
	for _, c := range added {
		out = append(out, *c.Org)
	}
	return out
}
