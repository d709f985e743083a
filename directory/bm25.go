package directory

import (
	"math"
	"sort"
)

// Name matching ranks organisations with BM25F: each organisation is one
// document whose fields weigh differently (its name most, then its acronym
// and other names, then its description), and a query's words score by
// how rare they are across the directory and how much of a document they
// make up. Scores are computed per word and organisation when the index is
// built ("impacts"), so a query only adds up the lists of its words: every
// organisation that has one of them is ranked, not a sample, and the cost
// is the length of those lists.

// Field weights and the BM25 parameters.
const (
	weightName  = 3.0
	weightOther = 2.0
	weightDesc  = 1.0
	bm25K1      = 1.2
	bm25B       = 0.75
)

// minCoverage is how much of a query's meaning (the sum of its words'
// idf) an organisation must hold to be an answer: most of its distinctive
// words, so one common word in common is not enough.
const minCoverage = 0.6

type posting struct {
	org    int32
	impact float32
}

// nameIndex holds the BM25 postings of the organisations' words.
type nameIndex struct {
	terms    map[string]int32 // nameWord → term id
	postings [][]posting      // term id → organisations with it, by id
	idf      []float64        // term id → inverse document frequency
	maxIDF   float64          // the idf of a word no organisation has
	// nameOrder is each organisation's position in name order, so that
	// equal scores are ordered by name without comparing strings.
	nameOrder []int32
}

func (x *Index) buildNames(f *folder) {
	n := len(x.orgs)
	ni := &nameIndex{terms: make(map[string]int32)}
	type doc struct {
		tf  map[int32]float64
		len float64
	}
	docs := make([]doc, n)
	var total float64
	for i := range x.orgs {
		o := &x.orgs[i]
		d := doc{tf: map[int32]float64{}}
		add := func(text string, w float64) {
			for _, t := range nameWords(f.fold(text)) {
				id, ok := ni.terms[t]
				if !ok {
					id = int32(len(ni.postings))
					ni.terms[t] = id
					ni.postings = append(ni.postings, nil)
				}
				d.tf[id] += w
				d.len += w
			}
		}
		if listed(o) {
			add(o.Name, weightName)
			add(o.Acronym, weightOther)
			for _, on := range o.OtherNames {
				add(on, weightOther)
			}
			add(o.Description, weightDesc)
		}
		docs[i] = d
		total += d.len
	}
	avg := 1.0
	if n > 0 && total > 0 {
		avg = total / float64(n)
	}
	for i, d := range docs {
		for t := range d.tf {
			ni.postings[t] = append(ni.postings[t], posting{org: int32(i)})
		}
	}
	ni.idf = make([]float64, len(ni.postings))
	N := float64(n)
	for t, p := range ni.postings {
		df := float64(len(p))
		ni.idf[t] = math.Log(1 + (N-df+0.5)/(df+0.5))
		for j := range p {
			d := docs[p[j].org]
			tf := d.tf[int32(t)]
			p[j].impact = float32(ni.idf[t] * tf * (bm25K1 + 1) / (tf + bm25K1*(1-bm25B+bm25B*d.len/avg)))
		}
	}
	ni.maxIDF = math.Log(1 + (N+0.5)/0.5)
	byName := make([]int32, n)
	for i := range byName {
		byName[i] = int32(i)
	}
	sort.SliceStable(byName, func(i, j int) bool { return x.orgs[byName[i]].Name < x.orgs[byName[j]].Name })
	ni.nameOrder = make([]int32, n)
	for pos, id := range byName {
		ni.nameOrder[id] = int32(pos)
	}
	x.bm = ni
}

// rankNames ranks the organisations that hold most of the query's words
// (minCoverage of their idf) and that keep accepts (nil keeps all): it
// returns the best MaxPerTier, best first, and how many matched in all.
// words are folded; stop words are left out here. bonus words (the place a
// query named beside the name) add to the score of the names that have
// them but are not asked for: "Vancouver network of drug users" is VANDU
// before UNDUN.
func (x *Index) rankNames(words, bonus []string, keep func(int32) bool) ([]int32, int) {
	ni := x.bm
	if ni == nil {
		return nil, 0
	}
	var terms []int32
	var want float64
	seen := map[string]bool{}
	for _, w := range words {
		if stopWords[w] {
			continue
		}
		w = nameWord(w)
		if seen[w] {
			continue
		}
		seen[w] = true
		if t, ok := ni.terms[w]; ok {
			terms = append(terms, t)
			want += ni.idf[t]
		} else {
			want += ni.maxIDF
		}
	}
	if len(terms) == 0 || want == 0 {
		return nil, 0
	}
	var extra []int32
	for _, w := range bonus {
		if t, ok := ni.terms[nameWord(w)]; ok && !seen[nameWord(w)] {
			extra = append(extra, t)
		}
	}
	s := x.getScratch()
	defer func() {
		for _, id := range s.touched {
			s.acc[id] = accum{}
		}
		s.touched = s.touched[:0]
		x.putScratch(s)
	}()
	for _, t := range terms {
		idf := float32(ni.idf[t])
		for _, p := range ni.postings[t] {
			a := &s.acc[p.org]
			if a.cover == 0 {
				s.touched = append(s.touched, p.org)
			}
			a.score += p.impact
			a.cover += idf
		}
	}
	for _, t := range extra {
		for _, p := range ni.postings[t] {
			if a := &s.acc[p.org]; a.cover != 0 {
				a.score += p.impact
			}
		}
	}
	// Every match is ranked, but only the best MaxPerTier are kept in
	// order (a bounded heap): sorting tens of thousands of matches of a
	// vague query would cost more than finding them.
	better := func(a, b int32) bool {
		if sa, sb := s.acc[a].score, s.acc[b].score; sa != sb {
			return sa > sb
		}
		return ni.nameOrder[a] < ni.nameOrder[b]
	}
	h := topK{better: better}
	need := float32(minCoverage * want * 0.9999) // float32 sums round
	total := 0
	for _, id := range s.touched {
		a := s.acc[id]
		if a.cover >= need && (keep == nil || keep(id)) {
			total++
			// A full heap takes only a better one than its worst; a lower
			// score cannot be (ties go to offer, which compares names).
			if len(h.ids) == MaxPerTier && a.score < s.acc[h.ids[0]].score {
				continue
			}
			h.offer(id, MaxPerTier)
		}
	}
	out := h.ids
	sort.Slice(out, func(i, j int) bool { return better(out[i], out[j]) })
	return out, total
}

// topK keeps the k best ids offered: a heap whose root is the worst kept.
type topK struct {
	ids    []int32
	better func(a, b int32) bool
}

func (h *topK) offer(id int32, k int) {
	if len(h.ids) < k {
		h.ids = append(h.ids, id)
		h.up(len(h.ids) - 1)
		return
	}
	if !h.better(id, h.ids[0]) {
		return
	}
	h.ids[0] = id
	h.down(0)
}

// worse orders the heap: the root is the worst.
func (h *topK) worse(i, j int) bool { return h.better(h.ids[j], h.ids[i]) }

func (h *topK) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !h.worse(i, p) {
			return
		}
		h.ids[i], h.ids[p] = h.ids[p], h.ids[i]
		i = p
	}
}

func (h *topK) down(i int) {
	n := len(h.ids)
	for {
		l, m := 2*i+1, i
		if l < n && h.worse(l, m) {
			m = l
		}
		if r := l + 1; r < n && h.worse(r, m) {
			m = r
		}
		if m == i {
			return
		}
		h.ids[i], h.ids[m] = h.ids[m], h.ids[i]
		i = m
	}
}
