package directory

// editDistance is the optimal-string-alignment distance between a and b
// (Levenshtein plus adjacent transpositions, so "Germnay" is one edit from
// "Germany"). It gives up and returns max+1 as soon as the distance must
// exceed max, which keeps fuzzy lookups cheap.
func editDistance(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	// Three rolling rows: prev2 for transpositions, prev, cur.
	n := len(b)
	prev2 := make([]int, n+1)
	prev := make([]int, n+1)
	cur := make([]int, n+1)
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
// it means: none for short words (too many false friends: "Peru"/"Perm"),
// one up to seven letters, two beyond.
func maxEdits(n int) int {
	switch {
	case n < 4:
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

// deletions calls fn with w's prefix and every string made by deleting up to
// d runes from it, possibly more than once.
func deletions(w []rune, d int, fn func(string)) {
	if len(w) > fuzzyPrefix {
		w = w[:fuzzyPrefix]
	}
	fn(string(w))
	if d == 0 || len(w) <= 1 {
		return
	}
	buf := make([]rune, 0, len(w))
	for i := range w {
		buf = append(buf[:0], w[:i]...)
		buf = append(buf, w[i+1:]...)
		deletions(append([]rune(nil), buf...), d-1, fn)
	}
}
