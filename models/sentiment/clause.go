package sentiment

// ScoreClause maps a text's continuous score onto [-1, 1] (1 very
// satisfied, -1 very dissatisfied, 0 neutral or no text). It lets the
// model stand in for the theme matcher's clause scorer
// (themes.ClauseScorer), e.g. when mining complaints no theme covers.
func (m *Model) ScoreClause(clause string) float64 {
	r := m.Score(clause)
	if r.NoText || !r.Level.Valid() {
		return 0
	}
	return (r.Score - 3) / 2
}
