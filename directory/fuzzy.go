package directory

// editDistance is the optimal-string-alignment distance between a and b
// (Levenshtein plus adjacent transpositions, so "Germnay" is one edit from
// "Germany"). It gives up and returns max+1 as soon as the distance must
// exceed max, which keeps fuzzy lookups cheap.
func editDistance(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	// Three rolling rows: prev2 for transpositions, prev, cur. They live
	// on the stack for the words places and names have: a misspelt query
	// compares against dozens of candidates, and allocating the rows was
	// most of a fuzzy search's allocations.
	n := len(b)
	var stack [3 * 32]int
	rows := stack[:]
	if 3*(n+1) > len(rows) {
		rows = make([]int, 3*(n+1))
	}
	prev2, prev, cur := rows[:n+1], rows[n+1:2*(n+1)], rows[2*(n+1):3*(n+1)]
	for j := 0; j <= n; j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= n; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[n], max+1)
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
