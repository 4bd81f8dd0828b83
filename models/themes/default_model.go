package themes

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"
)

// defaultModelFile is the theme model built by `voc train themes` from the
// tune part of the real labelled set and the shared corpora;
// models/README.md says how to rebuild it.
//
//go:embed default.model
var defaultModelFile []byte

var (
	defaultModelOnce sync.Once
	defaultModel     *Model
	defaultModelErr  error
)

// DefaultModel returns the model embedded in the binary, loading it on
// first use. Every call returns the same *Model.
func DefaultModel() (*Model, error) {
	defaultModelOnce.Do(func() {
		defaultModel, defaultModelErr = LoadModel(bytes.NewReader(defaultModelFile))
		if defaultModelErr != nil {
			defaultModelErr = fmt.Errorf("embedded theme model: %w", defaultModelErr)
		}
	})
	return defaultModel, defaultModelErr
}
