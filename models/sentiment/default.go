package sentiment

import (
	"bytes"
	_ "embed"
	"fmt"
	"sync"
)

// defaultModel is the model built from the shared corpora; models/README.md
// says how to rebuild it.
//
//go:embed default.model
var defaultModel []byte

var (
	defaultOnce sync.Once
	defaultM    *Model
	defaultErr  error
)

// Default returns the model embedded in the binary, loading it on first
// use. Every call returns the same *Model.
func Default() (*Model, error) {
	defaultOnce.Do(func() {
		defaultM, defaultErr = Load(bytes.NewReader(defaultModel))
		if defaultErr != nil {
			defaultErr = fmt.Errorf("embedded sentiment model: %w", defaultErr)
		}
	})
	return defaultM, defaultErr
}
