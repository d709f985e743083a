package directory

// isClosed and isAlly read an organisation's status and ally fields; they
// stand in for Organisation.Closed and PeerRun until those land.
func isClosed(o *Organisation) bool { return false }
func isAlly(o *Organisation) bool   { return false }

// resolveServes resolves Organisation.Serves.
func (x *Index) resolveServes(f *folder, o *Organisation) ([]ref, error) { return nil, nil }
