package directory

// editDistance is the optimal-string-alignment distance between a and b
// (Levenshtein plus adjacent transpositions, so "Germnay" is one edit from
// "Germany"). It gives up and returns limit+1 as soon as the distance must
// exceed limit, which keeps fuzzy lookups cheap.
//
// It computes only the cells within limit of the diagonal (a cell farther
// is more than limit edits on any path through it), after setting aside
// the runes a and b begin and end with in common, which no optimal
// alignment edits: a misspelling and the word it means usually differ in
// a letter or two of the middle.
func editDistance(a, b []rune, limit int) int {
	if d := len(a) - len(b); d > limit || -d > limit {
		return limit + 1
	}
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	if len(a) == 0 || len(b) == 0 {
		return min(len(a)+len(b), limit+1)
	}
	// Three rolling rows: prev2 for transpositions, prev, cur. They live
	// on the stack for the words places and names have: a misspelt query
	// compares against dozens of candidates, and allocating the rows was
	// most of a fuzzy search's allocations.
	n := len(b)
	var stack [3 * 32]int32
	rows := stack[:]
	if 3*(n+1) > len(rows) {
		rows = make([]int32, 3*(n+1))
	}
	prev2, prev, cur := rows[:n+1], rows[n+1:2*(n+1)], rows[2*(n+1):3*(n+1)]
	// Cells beyond the band hold inf, more than limit: a row reads its
	// neighbours' from one to each side of their band.
	inf := int32(limit + 1)
	for j := range prev {
		prev[j] = min(int32(j), inf)
	}
	for i := 1; i <= len(a); i++ {
		lo, hi := max(1, i-limit), min(n, i+limit)
		if lo == 1 {
			cur[0] = int32(i)
		} else {
			cur[lo-1] = inf
		}
		if hi < n {
			cur[hi+1] = inf
		}
		rowMin := inf
		if lo == 1 {
			rowMin = min(rowMin, cur[0])
		}
		ai := a[i-1]
		for j := lo; j <= hi; j++ {
			cost := int32(1)
			if ai == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ai == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if int(rowMin) > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(int(prev[n]), limit+1)
}

// maxEdits is how many edits a query word of n letters may be from the word
// it means: none for words under five letters (too many false friends:
// "Peru"/"Perm", and an abbreviation such as "DTES" or "NC" is never a
// misspelling of places across the world), one up to seven letters, two
// beyond.
func maxEdits(n int) int {
	switch {
	case n < 5:
		return 0
	case n < 8:
		return 1
	}
	return 2
}

// fuzzyPrefix bounds the part of a word whose deletions are indexed. Indexing
// deletions of a prefix rather than the whole word (as SymSpell does) keeps
// the index small; candidates are then checked against the whole word.
const fuzzyPrefix = 7

// deletions calls fn with a hash of w's prefix and of every string made by
// deleting one or two (d ≤ 2) runes from it. Hashes stand for the strings
// in the index: two strings rarely share one, and when they do the
// candidate it brings is checked by editDistance like any other. A hash
// may come more than once when w repeats letters.
func deletions(w []rune, d int, fn func(uint64)) {
	if len(w) > fuzzyPrefix {
		w = w[:fuzzyPrefix]
	}
	emit := func(skipA, skipB int) {
		// FNV-1a over the runes.
		h := uint64(14695981039346656037)
		for k, r := range w {
			if k != skipA && k != skipB {
				h ^= uint64(r)
				h *= 1099511628211
			}
		}
		fn(h)
	}
	emit(-1, -1)
	if d < 1 || len(w) <= 1 {
		return
	}
	for i := range w {
		emit(i, -1)
	}
	if d < 2 || len(w) <= 2 {
		return
	}
	for i := range w {
		for j := i + 1; j < len(w); j++ {
			emit(i, j)
		}
	}
}

// deletionHashes appends to dst the hashes deletions gives for w and d, in
// the same order: with two false, those of deleting no rune or one; with
// two true, those of deleting two (when d is 2). closeWords looks the
// two-rune deletions up, and so hashes them, only when the one-rune ones
// find no word one edit away.
func deletionHashes(dst []uint64, w []rune, d int, two bool) []uint64 {
	if len(w) > fuzzyPrefix {
		w = w[:fuzzyPrefix]
	}
	// FNV-1a over the runes, as deletions hashes them. pre[i] is the
	// hash of w[:i], so a deletion at i starts from it instead of from
	// the first rune.
	const offset, prime = uint64(14695981039346656037), uint64(1099511628211)
	var pre [fuzzyPrefix + 1]uint64
	pre[0] = offset
	for k, r := range w {
		pre[k+1] = (pre[k] ^ uint64(r)) * prime
	}
	if !two {
		dst = append(dst, pre[len(w)])
		if d < 1 || len(w) <= 1 {
			return dst
		}
		for i := range w {
			h := pre[i]
			for _, r := range w[i+1:] {
				h = (h ^ uint64(r)) * prime
			}
			dst = append(dst, h)
		}
		return dst
	}
	if d < 2 || len(w) <= 2 {
		return dst
	}
	for i := range w {
		for j := i + 1; j < len(w); j++ {
			h := pre[i]
			for _, r := range w[i+1 : j] {
				h = (h ^ uint64(r)) * prime
			}
			for _, r := range w[j+1:] {
				h = (h ^ uint64(r)) * prime
			}
			dst = append(dst, h)
		}
	}
	return dst
}

// wordSet is a set of word ids for one closeWords: the few dozen words a
// misspelling's deletions list sit in a small open-addressed table on the
// caller's stack, and only a word with a great many neighbours spills
// into a map.
type wordSet struct {
	slots [wordSetSlots]int32 // id+1, 0 for empty
	n     int
	more  map[int32]struct{}
}

const (
	wordSetBits  = 7
	wordSetSlots = 1 << wordSetBits
)

// add adds id and reports whether it was not in the set yet.
func (s *wordSet) add(id int32) bool {
	if s.more != nil {
		if _, ok := s.more[id]; ok {
			return false
		}
		s.more[id] = struct{}{}
		return true
	}
	// Fibonacci hashing; the table is at most three quarters full.
	i := uint32(id) * 0x9E3779B1 >> (32 - wordSetBits)
	for {
		switch s.slots[i] {
		case 0:
			if s.n == wordSetSlots*3/4 {
				s.spill()
				s.more[id] = struct{}{}
				return true
			}
			s.slots[i] = id + 1
			s.n++
			return true
		case id + 1:
			return false
		}
		i = (i + 1) & (wordSetSlots - 1)
	}
}

// spill moves the set into a map.
func (s *wordSet) spill() {
	s.more = make(map[int32]struct{}, 4*s.n)
	for _, v := range s.slots {
		if v != 0 {
			s.more[v-1] = struct{}{}
		}
	}
}
